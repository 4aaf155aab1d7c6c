package dev.quarry.bench.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.quarry.tokenizer.Encoding;
import dev.quarry.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Quarry's tokenizer against the Hugging Face (Rust) tokenizers called through DJL, on the same
 * 10,000 lines ({@link BenchLines}), one thread each: texts one at a time ("single") and in
 * batches of 64 ("batch"), for all-MiniLM-L6-v2's WordPiece tokenizer.json and, where Quarry
 * loads them, the byte-level BPE (RoBERTa) and SentencePiece Unigram fixtures.
 *
 * <p>Both sides run without truncation or padding, with special tokens, and produce what a Java
 * caller gets: ids, tokens, type ids, masks and offsets (DJL's {@code Encoding} fetches each of
 * them across JNI). The ids of every line are compared before timing. The Rust library
 * parallelises batches with rayon; to compare one thread with one thread the harness re-runs
 * itself with {@code TOKENIZERS_PARALLELISM=false} and {@code RAYON_NUM_THREADS=1}.
 *
 * <p>Timing: two warm-up passes over all lines per side and workload, then {@code --rounds}
 * (default 5) passes alternating Quarry and Hugging Face; the median pass counts. The last line
 * printed is {@code tokenizer: quarry/hf tokens-per-second=<ratio>}, the lower of the
 * all-MiniLM-L6-v2 single and batch ratios.
 */
public final class TokenizerBench {

    private static final int BATCH = 64;

    private TokenizerBench() {
    }

    public static void main(String[] args) throws Exception {
        if (!"false".equals(System.getenv("TOKENIZERS_PARALLELISM"))) {
            System.exit(relaunchSingleThreaded(args));
        }
        int rounds = 5;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds") && i + 1 < args.length) {
                rounds = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("usage: bench/run tokenizer [--rounds N]");
            }
        }
        Path shared = BenchLines.sharedDir();
        List<String> lines = BenchLines.load(shared);
        Path work = Files.createTempDirectory("quarry-tokenizer-bench");
        Path minilm = work.resolve("all-minilm-l6-v2-tokenizer.json");
        try (InputStream in = TokenizerBench.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            if (in == null) {
                throw new IllegalStateException("all-minilm-l6-v2-tokenizer.json is not on the class path");
            }
            Files.write(minilm, in.readAllBytes());
        }
        List<String[]> cases = List.of(
                new String[] {"all-MiniLM-L6-v2 (WordPiece)", minilm.toString()},
                new String[] {"RoBERTa (byte-level BPE)", shared.resolve("fixtures/tokenizers/hf-tokenizers-node-roberta.json").toString()},
                new String[] {"SentencePiece Unigram", shared.resolve("fixtures/sentencepiece/test_model.unigram.tokenizer.json").toString()});

        System.out.printf(Locale.ROOT, "Tokenizer speed: %d lines, %d rounds (median), 1 thread each, JDK %s, %s%n",
                lines.size(), rounds, Runtime.version(), System.getProperty("os.arch"));
        System.out.printf(Locale.ROOT, "%-30s %-7s %10s %14s %14s %9s%n", "tokenizer.json", "mode", "tokens",
                "quarry tok/s", "hf tok/s", "quarry/hf");
        double headline = Double.NaN;
        for (String[] c : cases) {
            Path file = Path.of(c[1]);
            Tokenizer quarry;
            try {
                quarry = Tokenizer.fromJson(file).withoutTruncation().withoutPadding();
            } catch (RuntimeException e) {
                System.out.printf(Locale.ROOT, "%-30s not loaded by Quarry: %s%n", c[0], e.getMessage());
                continue;
            }
            try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder().optTokenizerPath(file)
                    .optTruncation(false).optPadding(false).optAddSpecialTokens(true).build()) {
                long tokens = checkSameIds(c[0], quarry, hf, lines);
                double[] single = measure(rounds, () -> singleQuarry(quarry, lines), () -> singleHf(hf, lines));
                double[] batch = measure(rounds, () -> batchQuarry(quarry, lines), () -> batchHf(hf, lines));
                double singleRatio = row(c[0], "single", tokens, single);
                double batchRatio = row(c[0], "batch" + BATCH, tokens, batch);
                if (Double.isNaN(headline)) {
                    headline = Math.min(singleRatio, batchRatio);
                }
            }
        }
        System.out.printf(Locale.ROOT, "tokenizer: quarry/hf tokens-per-second=%.2f%n", headline);
    }

    /** Prints one row; returns Quarry's tokens per second over Hugging Face's. */
    private static double row(String name, String mode, long tokens, double[] seconds) {
        double q = tokens / seconds[0];
        double h = tokens / seconds[1];
        System.out.printf(Locale.ROOT, "%-30s %-7s %10d %14.0f %14.0f %9.2f%n", name, mode, tokens, q, h, q / h);
        return q / h;
    }

    /** Median seconds of a pass for each side, after two warm-up passes each. */
    private static double[] measure(int rounds, Pass quarry, Pass hf) {
        for (int i = 0; i < 2; i++) {
            quarry.run();
            hf.run();
        }
        double[] q = new double[rounds];
        double[] h = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            q[r] = time(quarry);
            h[r] = time(hf);
        }
        return new double[] {median(q), median(h)};
    }

    @FunctionalInterface
    private interface Pass {
        /** Returns a value depending on all the work, so that none of it can be dropped. */
        long run();
    }

    private static long sink;

    private static double time(Pass pass) {
        long t0 = System.nanoTime();
        sink += pass.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static long singleQuarry(Tokenizer t, List<String> lines) {
        long n = 0;
        for (String line : lines) {
            Encoding e = t.encode(line);
            n += e.length() + e.ends()[Math.max(0, e.length() - 1)];
        }
        return n;
    }

    private static long singleHf(HuggingFaceTokenizer t, List<String> lines) {
        long n = 0;
        for (String line : lines) {
            ai.djl.huggingface.tokenizers.Encoding e = t.encode(line);
            n += e.getIds().length + e.getCharTokenSpans().length;
        }
        return n;
    }

    private static long batchQuarry(Tokenizer t, List<String> lines) {
        long n = 0;
        for (int i = 0; i < lines.size(); i += BATCH) {
            for (Encoding e : t.encodeBatch(lines.subList(i, Math.min(lines.size(), i + BATCH)))) {
                n += e.length() + e.ends()[Math.max(0, e.length() - 1)];
            }
        }
        return n;
    }

    private static long batchHf(HuggingFaceTokenizer t, List<String> lines) {
        long n = 0;
        for (int i = 0; i < lines.size(); i += BATCH) {
            for (ai.djl.huggingface.tokenizers.Encoding e : t.batchEncode(lines.subList(i, Math.min(lines.size(), i + BATCH)))) {
                n += e.getIds().length + e.getCharTokenSpans().length;
            }
        }
        return n;
    }

    /** Compares the ids of every line; returns the number of tokens of all lines. */
    private static long checkSameIds(String name, Tokenizer quarry, HuggingFaceTokenizer hf, List<String> lines) {
        long tokens = 0;
        int differ = 0;
        String first = null;
        for (String line : lines) {
            int[] q = quarry.encode(line).ids();
            long[] h = hf.encode(line).getIds();
            tokens += q.length;
            boolean same = q.length == h.length;
            for (int i = 0; same && i < q.length; i++) {
                same = q[i] == h[i];
            }
            if (!same && differ++ == 0) {
                first = line;
            }
        }
        if (differ > 0) {
            System.out.printf(Locale.ROOT, "WARNING %s: ids differ from Hugging Face on %d lines, first: %s%n", name, differ, first);
        }
        return tokens;
    }

    /** Runs this class again in a child JVM whose environment keeps the Rust library on one thread. */
    private static int relaunchSingleThreaded(String[] args) throws IOException, InterruptedException {
        ProcessHandle.Info info = ProcessHandle.current().info();
        List<String> command = new ArrayList<>();
        command.add(info.command().orElseThrow(() -> new IllegalStateException("cannot find the java command")));
        command.addAll(Arrays.asList(info.arguments().orElseThrow(() -> new IllegalStateException("cannot read the JVM arguments"))));
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put("TOKENIZERS_PARALLELISM", "false");
        pb.environment().put("RAYON_NUM_THREADS", "1");
        pb.environment().putIfAbsent("OPT_OUT_TRACKING", "true");
        return pb.start().waitFor();
    }
}
