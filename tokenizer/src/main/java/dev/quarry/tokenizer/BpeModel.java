package dev.quarry.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Hugging Face {@code BPE} model: a word starts as its characters (with
 * {@code continuing_subword_prefix} on all but the first and {@code end_of_word_suffix} on the
 * last), and adjacent pieces are merged, lowest merge rank first and leftmost first among equals,
 * until no listed merge applies. Characters not in the vocabulary become their
 * {@code <0xXX>} byte tokens with {@code byte_fallback}, else the unknown token (consecutive ones
 * fused with {@code fuse_unk}), else nothing.
 *
 * <p>Results are cached per word, as in the Rust library (the first 10,000 distinct words under
 * 256 bytes).
 */
final class BpeModel implements Model {

    private static final int CACHE_CAPACITY = 10_000;
    private static final int CACHE_MAX_UNITS = 256;

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    /** (left id, right id) packed in a long, to (rank, new id) packed in a long. */
    private final LongLongMap merges;
    private final String unkToken;
    private final String prefix;
    private final String suffix;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    /** Word to its tokens, as {id, start, end} triples of units of the word. */
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    BpeModel(Map<String, Integer> vocab, List<String[]> mergeList, String unkToken, String prefix, String suffix,
             boolean fuseUnk, boolean byteFallback, boolean ignoreMerges) {
        this.vocab = new HashMap<>(vocab);
        int maxId = -1;
        for (int id : vocab.values()) {
            maxId = Math.max(maxId, id);
        }
        this.idToToken = new String[maxId + 1];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            idToToken[e.getValue()] = e.getKey();
        }
        this.unkToken = unkToken;
        this.prefix = prefix;
        this.suffix = suffix;
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        this.merges = new LongLongMap(mergeList.size() * 2 + 16);
        int prefixLength = prefix == null ? 0 : prefix.length();
        for (int rank = 0; rank < mergeList.size(); rank++) {
            String a = mergeList.get(rank)[0];
            String b = mergeList.get(rank)[1];
            Integer aId = vocab.get(a);
            Integer bId = vocab.get(b);
            if (aId == null || bId == null) {
                throw new IllegalArgumentException("merges[" + rank + "]: \"" + (aId == null ? a : b) + "\" is not in the vocabulary");
            }
            String merged = a + (b.length() >= prefixLength ? b.substring(prefixLength) : "");
            Integer newId = vocab.get(merged);
            if (newId == null) {
                throw new IllegalArgumentException("merges[" + rank + "]: the merged token \"" + merged + "\" is not in the vocabulary");
            }
            merges.put(pair(aId, bId), ((long) rank << 32) | newId);
        }
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    @Override
    public int size() {
        return vocab.size();
    }

    @Override
    public int tokenToId(String token) {
        return vocab.getOrDefault(token, -1);
    }

    @Override
    public String idToToken(int id) {
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    @Override
    public void tokenize(NormalizedString text, int start, int end, int typeId, EncodingBuffer out) {
        if (start >= end) {
            return;
        }
        String word = text.substring(start, end);
        int[] tokens = null;
        if (ignoreMerges) {
            Integer id = vocab.get(word);
            if (id != null) {
                tokens = new int[] {id, 0, word.length()};
            }
        }
        if (tokens == null) {
            tokens = cache.get(word);
            if (tokens == null) {
                tokens = merge(word);
                if (word.length() < CACHE_MAX_UNITS && cache.size() < CACHE_CAPACITY) {
                    cache.put(word, tokens);
                }
            }
        }
        for (int k = 0; k < tokens.length; k += 3) {
            int id = tokens[k];
            out.add(id, idToToken[id], text.originalStart(start + tokens[k + 1]),
                    text.originalEnd(start + tokens[k + 2] - 1), typeId, false);
        }
    }

    /** Hugging Face's {@code merge_word} then {@code merge_all}. */
    private int[] merge(String word) {
        int n = word.length();
        int[] ids = new int[n + 1];
        int[] starts = new int[n + 1];
        int[] ends = new int[n + 1];
        int count = 0;
        int unkId = -1;
        int unkStart = 0;
        int unkEnd = 0;
        StringBuilder piece = new StringBuilder();
        for (int i = 0; i < n; ) {
            int c = word.codePointAt(i);
            int next = i + Character.charCount(c);
            piece.setLength(0);
            if (i > 0 && prefix != null) {
                piece.append(prefix);
            }
            piece.appendCodePoint(c);
            if (next == n && suffix != null) {
                piece.append(suffix);
            }
            String s = piece.toString();
            Integer id = vocab.get(s);
            if (id != null) {
                if (unkId >= 0) {
                    ids = ensure(ids, count);
                    starts = ensure(starts, count);
                    ends = ensure(ends, count);
                    ids[count] = unkId;
                    starts[count] = unkStart;
                    ends[count++] = unkEnd;
                    unkId = -1;
                }
                ids = ensure(ids, count);
                starts = ensure(starts, count);
                ends = ensure(ends, count);
                ids[count] = id;
                starts[count] = i;
                ends[count++] = next;
            } else {
                int[] byteIds = byteFallback ? byteTokens(s) : null;
                if (byteIds != null) {
                    // Hugging Face adds them without flushing a pending unknown token first.
                    for (int b : byteIds) {
                        ids = ensure(ids, count);
                        starts = ensure(starts, count);
                        ends = ensure(ends, count);
                        ids[count] = b;
                        starts[count] = i;
                        ends[count++] = next;
                    }
                } else if (unkToken != null) {
                    Integer unk = vocab.get(unkToken);
                    if (unk == null) {
                        throw new IllegalStateException("BPE unk_token \"" + unkToken + "\" is not in the vocabulary");
                    }
                    if (unkId >= 0 && fuseUnk) {
                        unkEnd = next;
                    } else {
                        if (unkId >= 0) {
                            ids = ensure(ids, count);
                            starts = ensure(starts, count);
                            ends = ensure(ends, count);
                            ids[count] = unkId;
                            starts[count] = unkStart;
                            ends[count++] = unkEnd;
                        }
                        unkId = unk;
                        unkStart = i;
                        unkEnd = next;
                    }
                }
            }
            i = next;
        }
        if (unkId >= 0) {
            ids = ensure(ids, count);
            starts = ensure(starts, count);
            ends = ensure(ends, count);
            ids[count] = unkId;
            starts[count] = unkStart;
            ends[count++] = unkEnd;
        }
        return mergeAll(ids, starts, ends, count);
    }

    private static int[] ensure(int[] a, int index) {
        return index < a.length ? a : java.util.Arrays.copyOf(a, a.length * 2);
    }

    private int[] byteTokens(String s) {
        byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] out = new int[bytes.length];
        for (int k = 0; k < bytes.length; k++) {
            Integer id = vocab.get(String.format("<0x%02X>", bytes[k] & 0xFF));
            if (id == null) {
                return null;
            }
            out[k] = id;
        }
        return out;
    }

    /**
     * Merges with a heap ordered by (rank, position), skipping stale entries, exactly as the Rust
     * {@code Word::merge_all}; returns {id, start, end} triples.
     */
    private int[] mergeAll(int[] ids, int[] starts, int[] ends, int n) {
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] removed = new boolean[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        MergeHeap heap = new MergeHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            long m = merges.get(pair(ids[i], ids[i + 1]));
            if (m != LongLongMap.MISSING) {
                heap.push((int) (m >>> 32), i, (int) m);
            }
        }
        int alive = n;
        while (heap.size() > 0) {
            int rank = heap.topRank();
            int pos = heap.topPos();
            int newId = heap.topNewId();
            heap.pop();
            if (removed[pos] || next[pos] < 0) {
                continue;
            }
            int right = next[pos];
            long m = merges.get(pair(ids[pos], ids[right]));
            if (m == LongLongMap.MISSING || (int) m != newId) {
                continue;
            }
            ids[pos] = newId;
            ends[pos] = ends[right];
            removed[right] = true;
            alive--;
            next[pos] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = pos;
            }
            if (prev[pos] >= 0) {
                long p = merges.get(pair(ids[prev[pos]], ids[pos]));
                if (p != LongLongMap.MISSING) {
                    heap.push((int) (p >>> 32), prev[pos], (int) p);
                }
            }
            if (next[pos] >= 0) {
                long q = merges.get(pair(ids[pos], ids[next[pos]]));
                if (q != LongLongMap.MISSING) {
                    heap.push((int) (q >>> 32), pos, (int) q);
                }
            }
            assert rank >= 0;
        }
        int[] out = new int[alive * 3];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!removed[i]) {
                out[k++] = ids[i];
                out[k++] = starts[i];
                out[k++] = ends[i];
            }
        }
        return out;
    }

    /** A binary min-heap of (rank, position, new id), ordered by rank then position. */
    private static final class MergeHeap {
        private int[] rank;
        private int[] pos;
        private int[] newId;
        private int size;

        MergeHeap(int capacity) {
            int c = Math.max(4, capacity);
            rank = new int[c];
            pos = new int[c];
            newId = new int[c];
        }

        int size() {
            return size;
        }

        int topRank() {
            return rank[0];
        }

        int topPos() {
            return pos[0];
        }

        int topNewId() {
            return newId[0];
        }

        void push(int r, int p, int id) {
            if (size == rank.length) {
                rank = java.util.Arrays.copyOf(rank, size * 2);
                pos = java.util.Arrays.copyOf(pos, size * 2);
                newId = java.util.Arrays.copyOf(newId, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!less(r, p, rank[parent], pos[parent])) {
                    break;
                }
                set(i, rank[parent], pos[parent], newId[parent]);
                i = parent;
            }
            set(i, r, p, id);
        }

        void pop() {
            size--;
            if (size == 0) {
                return;
            }
            int r = rank[size];
            int p = pos[size];
            int id = newId[size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && less(rank[child + 1], pos[child + 1], rank[child], pos[child])) {
                    child++;
                }
                if (!less(rank[child], pos[child], r, p)) {
                    break;
                }
                set(i, rank[child], pos[child], newId[child]);
                i = child;
            }
            set(i, r, p, id);
        }

        private static boolean less(int r1, int p1, int r2, int p2) {
            return r1 < r2 || (r1 == r2 && p1 < p2);
        }

        private void set(int i, int r, int p, int id) {
            rank[i] = r;
            pos[i] = p;
            newId[i] = id;
        }
    }
}
