package dev.quarry.bench.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The 10,000 lines both tokenizers are timed on: 7,000 English STS-B train sentences, 2,500
 * sentences of STS-B dev in ten other languages (stsb-multi-mt), and 500 SciFact documents (title
 * and abstract, often past 256 tokens), read from the shared data folder.
 */
final class BenchLines {

    static final int COUNT = 10_000;

    private BenchLines() {
    }

    static List<String> load(Path shared) {
        Path data = shared.resolve("data");
        List<String> out = new ArrayList<>(COUNT);
        for (String line : read(data.resolve("stsbenchmark/sts-train.csv"))) {
            String[] cols = line.split("\t");
            if (cols.length >= 7 && out.size() < 7_000) {
                out.add(cols[5]);
                out.add(cols[6]);
            }
        }
        for (String lang : List.of("de", "es", "fr", "it", "ja", "nl", "pl", "pt", "ru", "zh")) {
            List<String> lines = read(data.resolve("stsb-multi-mt/stsb-" + lang + "-dev.csv"));
            for (int i = 0; i < 125; i++) {
                List<String> fields = csvFields(lines.get(i * 7 % lines.size()));
                out.add(fields.get(0));
                out.add(fields.get(1));
            }
        }
        ObjectMapper json = new ObjectMapper();
        List<String> docs = read(data.resolve("scifact/corpus.jsonl"));
        for (int i = 0; out.size() < COUNT; i++) {
            try {
                var node = json.readTree(docs.get(i));
                out.add((node.get("title").asText() + " " + node.get("text").asText()).strip());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.subList(0, COUNT);
    }

    /** The shared folder: {@code -Dquarry.shared}, else {@code ../shared} next to the checkout holding this jar. */
    static Path sharedDir() {
        String configured = System.getProperty("quarry.shared");
        if (configured != null) {
            return Path.of(configured);
        }
        try {
            Path here = Path.of(BenchLines.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = here; p != null; p = p.getParent()) {
                Path candidate = p.resolveSibling("shared");
                if (Files.isDirectory(candidate.resolve("data")) && Files.isDirectory(candidate.resolve("fixtures"))) {
                    return candidate;
                }
            }
        } catch (URISyntaxException | SecurityException e) {
            // fall through to the error below
        }
        throw new IllegalStateException("cannot find the shared data folder: pass -Dquarry.shared=/path/to/shared");
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Fields of a quoted CSV line ("" inside quotes is a quote). */
    private static List<String> csvFields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        fields.add(cur.toString());
        return fields;
    }
}
