package dev.quarry.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Hugging Face {@code Unigram} model (SentencePiece): the segmentation of a word into pieces
 * with the highest total score (Viterbi over a trie of the pieces, as the Rust
 * {@code encode_optimized}). A character that starts no piece of its own is unknown, scored the
 * lowest piece score minus 10; consecutive unknown characters make one token whose text is the
 * characters themselves, or their {@code <0xXX>} byte tokens with {@code byte_fallback}.
 */
final class UnigramModel implements Model {

    private static final double UNK_PENALTY = 10.0;
    private static final int CACHE_CAPACITY = 10_000;

    private final String[] pieces;
    private final double[] scores;
    private final Map<String, Integer> tokenToId;
    private final int unkId;
    private final boolean byteFallback;
    private final double unkScore;
    /** Trie over UTF-16 units: (node << 16 | unit) to child node. */
    private final LongLongMap children;
    /** Piece id ending at each trie node, or -1. */
    private int[] terminal;
    private int nodes = 1;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    UnigramModel(List<String> pieces, List<Double> scores, int unkId, boolean byteFallback) {
        this.pieces = pieces.toArray(String[]::new);
        this.scores = scores.stream().mapToDouble(Double::doubleValue).toArray();
        this.unkId = unkId;
        this.byteFallback = byteFallback;
        this.tokenToId = new HashMap<>(pieces.size() * 2);
        double min = Double.POSITIVE_INFINITY;
        int totalUnits = 0;
        for (int id = 0; id < pieces.size(); id++) {
            tokenToId.put(pieces.get(id), id);
            min = Math.min(min, this.scores[id]);
            totalUnits += pieces.get(id).length();
        }
        this.unkScore = min - UNK_PENALTY;
        this.children = new LongLongMap(totalUnits + 16);
        this.terminal = new int[totalUnits + 2];
        java.util.Arrays.fill(terminal, -1);
        for (int id = 0; id < pieces.size(); id++) {
            String p = pieces.get(id);
            if (p.isEmpty()) {
                continue;
            }
            int node = 0;
            for (int k = 0; k < p.length(); k++) {
                long key = ((long) node << 16) | p.charAt(k);
                long child = children.get(key);
                if (child == LongLongMap.MISSING) {
                    child = nodes++;
                    children.put(key, child);
                }
                node = (int) child;
            }
            // The Rust map keeps the last id of a repeated piece; the trie just marks the node.
            terminal[node] = tokenToId.get(p);
        }
    }

    @Override
    public int size() {
        return pieces.length;
    }

    @Override
    public int tokenToId(String token) {
        return tokenToId.getOrDefault(token, -1);
    }

    @Override
    public String idToToken(int id) {
        return id >= 0 && id < pieces.length ? pieces[id] : null;
    }

    @Override
    public void tokenize(NormalizedString text, int start, int end, int typeId, EncodingBuffer out) {
        if (start >= end) {
            return;
        }
        String word = text.substring(start, end);
        int[] tokens = cache.get(word);
        if (tokens == null) {
            tokens = encode(word);
            if (cache.size() < CACHE_CAPACITY) {
                cache.put(word, tokens);
            }
        }
        for (int k = 0; k < tokens.length; k += 3) {
            int id = tokens[k];
            int s = tokens[k + 1];
            int e = tokens[k + 2];
            String token = id == unkId ? word.substring(s, e) : pieces[id];
            out.add(id, token, text.originalStart(start + s), text.originalEnd(start + e - 1), typeId, false);
        }
    }

    /** Viterbi, then unknown pieces fused and looked up; returns {id, start, end} triples. */
    private int[] encode(String w) {
        int n = w.length();
        double[] best = new double[n + 1];
        int[] from = new int[n + 1];
        int[] ids = new int[n + 1];
        java.util.Arrays.fill(from, -1);
        for (int at = 0; at < n; ) {
            int mblen = Character.charCount(w.codePointAt(at));
            double here = best[at];
            boolean single = false;
            int node = 0;
            for (int k = at; k < n; k++) {
                long child = children.get(((long) node << 16) | w.charAt(k));
                if (child == LongLongMap.MISSING) {
                    break;
                }
                node = (int) child;
                int id = terminal[node];
                if (id < 0) {
                    continue;
                }
                int to = k + 1;
                double candidate = scores[id] + here;
                if (from[to] < 0 || candidate > best[to]) {
                    best[to] = candidate;
                    from[to] = at;
                    ids[to] = id;
                }
                if (to - at == mblen) {
                    single = true;
                }
            }
            if (!single) {
                if (unkId < 0) {
                    throw new IllegalStateException("Unigram: \"" + w + "\" has a character that no piece covers and the model has no unk_id");
                }
                int to = at + mblen;
                double candidate = unkScore + here;
                if (from[to] < 0 || candidate > best[to]) {
                    best[to] = candidate;
                    from[to] = at;
                    ids[to] = unkId;
                }
            }
            at += mblen;
        }
        // Backtrack, fusing runs of unknown pieces.
        int[] starts = new int[n];
        int[] ends = new int[n];
        int count = 0;
        int end = n;
        int unkEnd = -1;
        while (end > 0) {
            int start = from[end];
            if (unkId >= 0 && ids[end] == unkId) {
                if (unkEnd < 0) {
                    unkEnd = end;
                }
            } else {
                if (unkEnd >= 0) {
                    starts[count] = end;
                    ends[count++] = unkEnd;
                    unkEnd = -1;
                }
                starts[count] = start;
                ends[count++] = end;
            }
            end = start;
        }
        if (unkEnd >= 0) {
            starts[count] = 0;
            ends[count++] = unkEnd;
        }
        int[] out = new int[count * 3];
        int k = 0;
        for (int i = count - 1; i >= 0; i--) {
            String piece = w.substring(starts[i], ends[i]);
            Integer id = tokenToId.get(piece);
            if (id == null && byteFallback) {
                int[] bytes = byteTokens(piece);
                if (bytes != null) {
                    out = java.util.Arrays.copyOf(out, out.length + 3 * (bytes.length - 1));
                    for (int b : bytes) {
                        out[k++] = b;
                        out[k++] = starts[i];
                        out[k++] = ends[i];
                    }
                    continue;
                }
            }
            out[k++] = id == null ? unkId : id;
            out[k++] = starts[i];
            out[k++] = ends[i];
        }
        return out;
    }

    private int[] byteTokens(String piece) {
        byte[] bytes = piece.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] out = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            Integer id = tokenToId.get(String.format("<0x%02X>", bytes[i] & 0xFF));
            if (id == null) {
                return null;
            }
            out[i] = id;
        }
        return out;
    }
}
