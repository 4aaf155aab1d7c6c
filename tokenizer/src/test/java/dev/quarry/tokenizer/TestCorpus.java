package dev.quarry.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Inputs for the parity tests: deterministic generated lines that mix the scripts and the
 * characters tokenizers get wrong (accents composed and decomposed, CJK, emoji sequences, controls,
 * odd spaces, zero-width characters, special tokens written in the text, very long words, ...),
 * and real sentences and documents from the shared data sets.
 */
final class TestCorpus {

    private static final String[] WORDS = (
            "the of and to in is was for that with as on by at from his it an were are which this be "
            + "has also had not or first new one their after its who but two been they time her year "
            + "tokenizer embedding search vector model transformer attention retrieval unaffable "
            + "running jumped quickly Hello World HELLO iPhone McDonald's O'Neill don't can't won't "
            + "it's I'm you're we've naïve café résumé Zürich Ångström façade coöperate São Paulo "
            + "München straße Øresund Þingvellir Łódź Dvořák İstanbul ΟΔΟΣ ΣΊΣΥΦΟΣ λόγος Москва "
            + "Привет мир Ελληνικά العربية مرحبا שלום עולם ภาษาไทย สวัสดี नमस्ते हिन्दी 日本語 "
            + "東京タワー ひらがな カタカナ 中文 北京 한국어 안녕하세요 ﬁnance ｆｕｌｌｗｉｄｔｈ ＡＢＣ "
            + "x² H₂O 3½ ①②③ Ⅻ ℃ № ™ ©2024 µs Ω ℌ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐁𝐨𝐥𝐝 e=mc² ∀x∈ℝ ∑ ∫ √2 ≠ ≤ ≥ ∞").split(" ");

    private static final String[] SPECIAL = {"[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]", "[mask]", "[MASK",
        "MASK]", "[[MASK]]", "[CLS][SEP]", "[ MASK ]", "[MASK][MASK]"};

    private static final String[] SNIPPETS = {
        "https://example.com/path?q=1&x=%20y#frag", "user.name+tag@example.co.uk", "C:\\Program Files\\x.exe",
        "for (int i = 0; i < n; i++) { sum += a[i]; }", "def f(x): return x**2  # square",
        "<div class=\"a\">Hello&nbsp;world</div>", "$100.00", "3.14159", "1,234,567", "-42", "1e-9",
        "2024-01-31T12:00:00Z", "(555) 123-4567", "#hashtag", "@mention", "¿Qué?", "¡Hola!", "«quotes»",
        "“curly” ‘single’", "em—dash en–dash", "…", "‽", "!!!", "???", "...", "--", "__init__", "a_b_c",
        "ÀÉÎÕÜ", "àéîõü", "ß", "ẞ", "ǅ", "ǈ", "Σ", "ΣΑΣ", "ΌΣΟΣ", "İi̇Iı", "ﬃ", "ǰ", "ŉ", "ΐ"};

    private static final int[] SPACES = {0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002,
        0x2003, 0x2007, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x85, 0x180E};

    private static final int[] INVISIBLE = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x034F, 0x061C, 0x200E,
        0x200F, 0x202A, 0x202E, 0xFE0F, 0xFE0E, 0xE0001, 0xE0041, 0x0000, 0x0001, 0x001F, 0x007F, 0x0080, 0x009F,
        0xFFFD, 0xFFFE, 0xFFFF, 0xE000, 0xF8FF, 0xF0000};

    private TestCorpus() {
    }

    /** {@code count} lines from a seeded generator: the same lines on every run. */
    static List<String> generated(int count, long seed) {
        Random r = new Random(seed);
        List<String> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            lines.add(line(r, i));
        }
        return lines;
    }

    private static String line(Random r, int index) {
        switch (index % 50) {
            case 0:
                return "";
            case 1:
                return " ".repeat(r.nextInt(4)) + "\t\n ".substring(0, r.nextInt(4));
            case 2:
                return longWord(r);
            default:
                break;
        }
        StringBuilder b = new StringBuilder();
        int fragments = 1 + r.nextInt(r.nextInt(10) < 8 ? 8 : 40);
        for (int f = 0; f < fragments; f++) {
            if (f > 0) {
                separator(r, b);
            }
            fragment(r, b);
        }
        if (r.nextInt(40) == 0) {
            // Unpaired surrogates, which only Java strings can hold.
            b.insert(r.nextInt(b.length() + 1), (char) (0xD800 + r.nextInt(0x800)));
        }
        return b.toString();
    }

    private static void separator(Random r, StringBuilder b) {
        int k = r.nextInt(20);
        if (k < 12) {
            b.append(' ');
        } else if (k < 15) {
            b.appendCodePoint(SPACES[r.nextInt(SPACES.length)]);
        } else if (k < 17) {
            b.append("  \t ".substring(r.nextInt(3)));
        }
        // Otherwise no separator: fragments run together.
    }

    private static void fragment(Random r, StringBuilder b) {
        int k = r.nextInt(100);
        if (k < 30) {
            b.append(WORDS[r.nextInt(WORDS.length)]);
        } else if (k < 36) {
            b.append(SNIPPETS[r.nextInt(SNIPPETS.length)]);
        } else if (k < 41) {
            b.append(SPECIAL[r.nextInt(SPECIAL.length)]);
        } else if (k < 46) {
            decomposedLatin(r, b);
        } else if (k < 50) {
            combiningStack(r, b);
        } else if (k < 56) {
            scriptRun(r, b);
        } else if (k < 62) {
            cjkRun(r, b);
        } else if (k < 68) {
            emoji(r, b);
        } else if (k < 72) {
            b.appendCodePoint(INVISIBLE[r.nextInt(INVISIBLE.length)]);
        } else if (k < 76) {
            b.appendCodePoint(r.nextInt(0x20));
        } else if (k < 80) {
            fullWidthOrMath(r, b);
        } else if (k < 85) {
            b.append(r.nextInt(1_000_000));
        } else if (k < 88) {
            anyCodePoint(r, b);
        } else if (k < 90) {
            String w = WORDS[r.nextInt(WORDS.length)];
            b.append(w.repeat(1 + r.nextInt(30)));
        } else if (k < 95) {
            asciiNoise(r, b);
        } else {
            b.append(WORDS[r.nextInt(WORDS.length)].toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** Words around 100 code points, the WordPiece limit, some made of supplementary characters. */
    private static String longWord(Random r) {
        int length = 95 + r.nextInt(12);
        StringBuilder b = new StringBuilder();
        boolean astral = r.nextBoolean() && r.nextBoolean();
        for (int i = 0; i < length; i++) {
            b.appendCodePoint(astral ? 0x1D41A + r.nextInt(26) : 'a' + r.nextInt(26));
        }
        return r.nextBoolean() ? b.toString() : "before " + b + " after";
    }

    private static void decomposedLatin(Random r, StringBuilder b) {
        String base = "aeiouAEIOUcnsyzCNSYZ";
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            b.append(base.charAt(r.nextInt(base.length())));
            if (r.nextBoolean()) {
                b.appendCodePoint(0x300 + r.nextInt(0x70));
            }
        }
        if (r.nextBoolean()) {
            String s = b.toString();
            b.setLength(0);
            b.append(java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFC));
        }
    }

    /** Marks of different combining classes in random order, so that NFD has to reorder them. */
    private static void combiningStack(Random r, StringBuilder b) {
        int[] marks = {0x0301, 0x0323, 0x0308, 0x0327, 0x0345, 0x05B0, 0x0651, 0x064B, 0x093C, 0x094D, 0x0E38,
            0x0E48, 0x20D7, 0x1AB0, 0x302A, 0x3099, 0x0F71, 0x0F72, 0x1DC0, 0x0489};
        String bases = "aeoAEOêệǖΩωаяאبकกのi";
        b.append(bases.charAt(r.nextInt(bases.length())));
        int n = 1 + r.nextInt(5);
        for (int i = 0; i < n; i++) {
            b.appendCodePoint(marks[r.nextInt(marks.length)]);
        }
    }

    private static void scriptRun(Random r, StringBuilder b) {
        int[][] blocks = {{0x0400, 0x04FF}, {0x0370, 0x03FF}, {0x1F00, 0x1FFF}, {0x0590, 0x05FF}, {0x0600, 0x06FF},
            {0x0750, 0x077F}, {0x0900, 0x097F}, {0x0980, 0x09FF}, {0x0E00, 0x0E7F}, {0x0E80, 0x0EFF},
            {0x1000, 0x109F}, {0x10A0, 0x10FF}, {0x1100, 0x11FF}, {0xAC00, 0xD7A3}, {0x3130, 0x318F},
            {0x3040, 0x309F}, {0x30A0, 0x30FF}, {0xFF65, 0xFF9F}, {0x0100, 0x024F}, {0x1E00, 0x1EFF},
            {0x0250, 0x02FF}, {0x2000, 0x206F}, {0x2E00, 0x2E7F}, {0x1800, 0x18AF}, {0xA8E0, 0xA8FF}};
        int[] block = blocks[r.nextInt(blocks.length)];
        int n = 1 + r.nextInt(10);
        for (int i = 0; i < n; i++) {
            b.appendCodePoint(block[0] + r.nextInt(block[1] - block[0] + 1));
        }
    }

    /** Ideographs from every range BertNormalizer pads, and from just outside them. */
    private static void cjkRun(Random r, StringBuilder b) {
        int[][] blocks = {{0x4E00, 0x9FFF}, {0x3400, 0x4DBF}, {0x20000, 0x2A6DF}, {0x2A700, 0x2B73F},
            {0x2B740, 0x2B81F}, {0x2B820, 0x2B91F}, {0x2B920, 0x2CEAF}, {0x2CEB0, 0x2EBEF}, {0xF900, 0xFAFF},
            {0x2F800, 0x2FA1F}, {0x30000, 0x3134F}, {0x3000, 0x303F}, {0x3200, 0x32FF}, {0x2E80, 0x2EFF}};
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
            int[] block = blocks[r.nextInt(blocks.length)];
            b.appendCodePoint(block[0] + r.nextInt(block[1] - block[0] + 1));
        }
    }

    private static void emoji(Random r, StringBuilder b) {
        switch (r.nextInt(6)) {
            case 0 -> b.appendCodePoint(0x1F300 + r.nextInt(0x700));
            case 1 -> b.append("👨\u200D👩\u200D👧\u200D👦");
            case 2 -> b.appendCodePoint(0x1F1E6 + r.nextInt(26)).appendCodePoint(0x1F1E6 + r.nextInt(26));
            case 3 -> b.appendCodePoint(0x1F44B).appendCodePoint(0x1F3FB + r.nextInt(5));
            case 4 -> b.append("❤\uFE0F").append("#\uFE0F\u20E3");
            default -> b.append("🏳\uFE0F\u200D🌈").appendCodePoint(0x1F9D1).append('\u200D').appendCodePoint(0x1F4BB);
        }
    }

    private static void fullWidthOrMath(Random r, StringBuilder b) {
        int n = 1 + r.nextInt(6);
        int kind = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            switch (kind) {
                case 0 -> b.appendCodePoint(0xFF01 + r.nextInt(0x5E));
                case 1 -> b.appendCodePoint(0x2200 + r.nextInt(0x100));
                case 2 -> b.appendCodePoint(0x1D400 + r.nextInt(0x3FF));
                default -> b.appendCodePoint(0x2460 + r.nextInt(0xA0));
            }
        }
    }

    /** Any code point at all: assigned or not, private use, noncharacters, astral planes. */
    private static void anyCodePoint(Random r, StringBuilder b) {
        int c;
        do {
            c = r.nextInt(4) == 0 ? r.nextInt(0x110000) : r.nextInt(0x30000);
        } while (c >= 0xD800 && c <= 0xDFFF);
        b.appendCodePoint(c);
    }

    private static void asciiNoise(Random r, StringBuilder b) {
        int n = 1 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            b.append((char) (0x21 + r.nextInt(0x5E)));
        }
    }

    /**
     * Real text: the sentences of STS-B dev, the same sentences translated (German, Russian,
     * Japanese, Chinese), and SciFact documents (title and abstract, often past 256 tokens).
     */
    static List<String> realText(int scifactDocs) {
        Path data = TestText.sharedDir().resolve("data");
        List<String> out = new ArrayList<>();
        for (String line : readLines(data.resolve("stsbenchmark/sts-dev.csv"))) {
            String[] cols = line.split("\t");
            if (cols.length >= 7) {
                out.add(cols[5]);
                out.add(cols[6]);
            }
        }
        for (String lang : List.of("de", "ru", "ja", "zh")) {
            List<String> lines = readLines(data.resolve("stsb-multi-mt/stsb-" + lang + "-dev.csv"));
            for (int i = 0; i < lines.size(); i += 5) {
                out.addAll(csvFields(lines.get(i)).subList(0, 2));
            }
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> docs = readLines(data.resolve("scifact/corpus.jsonl"));
        for (int i = 0; i < Math.min(scifactDocs, docs.size()); i++) {
            try {
                var node = json.readTree(docs.get(i));
                out.add((node.get("title").asText() + " " + node.get("text").asText()).strip());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /**
     * Both sentences of every {@code step}-th line of the STS-B dev translations: German, Spanish,
     * French, Italian, Japanese, Dutch, Polish, Portuguese, Russian, Chinese, and the English source.
     */
    static List<String> stsbMultilingual(int step) {
        Path dir = TestText.sharedDir().resolve("data/stsb-multi-mt");
        List<String> out = new ArrayList<>();
        for (String lang : List.of("de", "en", "es", "fr", "it", "ja", "nl", "pl", "pt", "ru", "zh")) {
            List<String> lines = readLines(dir.resolve("stsb-" + lang + "-dev.csv"));
            for (int i = 0; i < lines.size(); i += step) {
                out.addAll(csvFields(lines.get(i)).subList(0, 2));
            }
        }
        return out;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (set -Dquarry.shared to the shared folder)", e);
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
