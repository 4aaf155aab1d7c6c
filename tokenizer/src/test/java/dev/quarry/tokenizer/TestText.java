package dev.quarry.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Shared helpers of the tests: where the shared data is, classpath resources, readable escapes. */
final class TestText {

    private TestText() {
    }

    /** The shared folder (data, fixtures): {@code -Dquarry.shared}, else ../../shared from the module. */
    static Path sharedDir() {
        String configured = System.getProperty("quarry.shared");
        return Path.of(configured != null ? configured : "../../shared").toAbsolutePath().normalize();
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** tokenizer.json text with {@code change} applied to its top-level object. */
    static String editJson(String json, Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(json);
            change.accept(root);
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** tokenizer.json text with no truncation and no padding. */
    static String withoutTruncationOrPadding(String json) {
        return editJson(json, root -> {
            root.putNull("truncation");
            root.putNull("padding");
        });
    }

    static String resource(String name) {
        try (InputStream in = TestText.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is not on the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text with everything outside printable ASCII written as {@code \}{@code u{hex}}. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (Character.isSurrogate(s.charAt(i)) && Character.charCount(c) == 1) {
                b.append(String.format("\\u{%X lone}", c));
            } else if (c >= 0x20 && c < 0x7F && c != '\\') {
                b.append((char) c);
            } else {
                b.append(String.format("\\u{%X}", c));
            }
            i += Character.charCount(c);
        }
        return b.toString();
    }
}
