package dev.quarry.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The Hugging Face decoders other than WordPiece, each the Rust {@code decode_chain} of that name. */
final class Decoders {

    private Decoders() {
    }

    /** {@code ByteLevel}: tokens wholly in the byte alphabet become their bytes, the rest stay UTF-8; one lossy string. */
    enum ByteLevelDecoder implements Decoder {
        INSTANCE;

        @Override
        public List<String> decodeChain(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String t : tokens) {
                byte[] mapped = new byte[t.length()];
                int n = 0;
                boolean all = true;
                for (int i = 0; i < t.length(); ) {
                    int c = t.codePointAt(i);
                    int b = ByteLevel.byteOf(c);
                    if (b < 0) {
                        all = false;
                        break;
                    }
                    mapped[n++] = (byte) b;
                    i += Character.charCount(c);
                }
                if (all) {
                    bytes.write(mapped, 0, n);
                } else {
                    byte[] utf8 = t.getBytes(StandardCharsets.UTF_8);
                    bytes.write(utf8, 0, utf8.length);
                }
            }
            return List.of(Utf8.decodeLossy(bytes.toByteArray()));
        }
    }

    /** {@code Metaspace}: the replacement becomes a space, except at the start of the first token when a prefix was added. */
    record MetaspaceDecoder(int replacement, boolean prependScheme) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                StringBuilder b = new StringBuilder();
                String t = tokens.get(i);
                for (int k = 0; k < t.length(); ) {
                    int c = t.codePointAt(k);
                    if (c == replacement) {
                        if (!(i == 0 && prependScheme)) {
                            b.append(' ');
                        }
                    } else {
                        b.appendCodePoint(c);
                    }
                    k += Character.charCount(c);
                }
                out.add(b.toString());
            }
            return out;
        }
    }

    /** {@code BPEDecoder}: the end-of-word suffix becomes a space, or nothing on the last token. */
    record BpeDecoder(String suffix) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                out.add(tokens.get(i).replace(suffix, i == tokens.size() - 1 ? "" : " "));
            }
            return out;
        }
    }

    /** {@code ByteFallback}: runs of {@code <0xXX>} tokens become their UTF-8 text, or one U+FFFD per byte if invalid. */
    enum ByteFallbackDecoder implements Decoder {
        INSTANCE;

        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            for (String t : tokens) {
                int b = byteToken(t);
                if (b >= 0) {
                    pending.write(b);
                    continue;
                }
                flush(pending, out);
                out.add(t);
            }
            flush(pending, out);
            return out;
        }

        private static int byteToken(String t) {
            if (t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
                try {
                    return Integer.parseInt(t.substring(3, 5), 16);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
            return -1;
        }

        private static void flush(ByteArrayOutputStream pending, List<String> out) {
            if (pending.size() == 0) {
                return;
            }
            byte[] bytes = pending.toByteArray();
            if (Utf8.isValid(bytes)) {
                out.add(new String(bytes, StandardCharsets.UTF_8));
            } else {
                for (int i = 0; i < bytes.length; i++) {
                    out.add("\uFFFD");
                }
            }
            pending.reset();
        }
    }

    /** {@code Fuse}: all tokens as one string. */
    enum FuseDecoder implements Decoder {
        INSTANCE;

        @Override
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join("", tokens));
        }
    }

    /** {@code Strip}: up to {@code start} leading and {@code stop} trailing {@code content} characters off each token. */
    record StripDecoder(int content, int start, int stop) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                int[] cps = t.codePoints().toArray();
                int from = 0;
                while (from < start && from < cps.length && cps[from] == content) {
                    from++;
                }
                int to = cps.length;
                int removed = 0;
                while (removed < stop && to > from && cps[to - 1] == content) {
                    to--;
                    removed++;
                }
                out.add(new String(cps, from, to - from));
            }
            return out;
        }
    }

    /** {@code Replace} with a string pattern: every occurrence in each token. */
    record ReplaceDecoder(String pattern, String content) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                out.add(pattern.isEmpty() ? t : t.replace(pattern, content));
            }
            return out;
        }
    }

    /** {@code Sequence}: each decoder on the previous one's output. */
    record SequenceDecoder(List<Decoder> steps) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> current = tokens;
            for (Decoder d : steps) {
                current = d.decodeChain(current);
            }
            return current;
        }
    }
}
