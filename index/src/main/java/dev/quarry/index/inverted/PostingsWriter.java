package dev.quarry.index.inverted;

import java.util.Arrays;

/**
 * Encodes the postings of one segment, term after term, into blocks of {@link #BLOCK_SIZE}
 * documents with their skip data and impacts.
 *
 * <p>A block in the packed stream: one header word {@code (n << 16) | (docBits << 8) | freqBits},
 * then {@code n} doc-id deltas (the first relative to the last doc of the term's previous block,
 * or to -1) packed at {@code docBits}, then {@code n} values {@code freq - 1} packed at
 * {@code freqBits}. Beside the stream, each block records its last doc id, its offset, and its
 * impacts: the (freq, length) pairs that no other pair of the block dominates (higher or equal
 * freq with shorter or equal length), enough to bound the block's best BM25 score for any
 * collection statistics, or its best impact for learned sparse weights.
 */
final class PostingsWriter {

  static final int BLOCK_SIZE = 128;

  private final int[] lengths;
  private int[] packed = new int[1024];
  private int packedSize;
  private int[] blockLastDoc = new int[64];
  private int[] blockPos = new int[64];
  private int[] blockImpactStart = new int[65];
  private int blocks;
  private int[] impactFreq = new int[128];
  private int[] impactLength = new int[128];
  private int impacts;
  private final IntList termBlockStart = new IntList();
  private final IntList termDocFreq = new IntList();

  private final int[] docBuf = new int[BLOCK_SIZE];
  private final int[] freqBuf = new int[BLOCK_SIZE];
  private final int[] scratch = new int[BLOCK_SIZE];
  private final int[] freqMinus = new int[BLOCK_SIZE];
  private long[] impactKeys = new long[BLOCK_SIZE];
  private int buffered;
  private int lastDoc;
  private int termDocs;
  private long termFreqSum;

  /** @param lengths each document's length (for the impacts) */
  PostingsWriter(int[] lengths) {
    this.lengths = lengths;
  }

  void startTerm() {
    termBlockStart.add(blocks);
    buffered = 0;
    lastDoc = -1;
    termDocs = 0;
    termFreqSum = 0;
  }

  void add(int doc, int freq) {
    if (doc <= lastDoc || freq < 1) {
      throw new IllegalStateException("postings out of order: doc " + doc + " freq " + freq);
    }
    docBuf[buffered] = doc;
    freqBuf[buffered] = freq;
    buffered++;
    lastDoc = doc;
    termDocs++;
    termFreqSum += freq;
    if (buffered == BLOCK_SIZE) flushBlock();
  }

  /** Ends the term; returns its total frequency. */
  long finishTerm() {
    if (buffered > 0) flushBlock();
    if (termDocs == 0) throw new IllegalStateException("a term without postings");
    termDocFreq.add(termDocs);
    return termFreqSum;
  }

  private void flushBlock() {
    int n = buffered;
    int prev = blocks == termBlockStart.last() ? -1 : blockLastDoc[blocks - 1];
    for (int i = 0; i < n; i++) {
      scratch[i] = docBuf[i] - prev;
      prev = docBuf[i];
    }
    int docBits = PackedInts.bitsRequired(scratch, n);
    for (int i = 0; i < n; i++) freqMinus[i] = freqBuf[i] - 1;
    int freqBits = PackedInts.bitsRequired(freqMinus, n);
    ensurePacked(1 + PackedInts.words(n, docBits) + PackedInts.words(n, freqBits));
    if (blocks + 1 >= blockLastDoc.length) {
      blockLastDoc = Arrays.copyOf(blockLastDoc, blocks * 2 + 2);
      blockPos = Arrays.copyOf(blockPos, blocks * 2 + 2);
      blockImpactStart = Arrays.copyOf(blockImpactStart, blocks * 2 + 3);
    }
    blockLastDoc[blocks] = docBuf[n - 1];
    blockPos[blocks] = packedSize;
    packed[packedSize++] = n << 16 | docBits << 8 | freqBits;
    packedSize = PackedInts.pack(scratch, n, docBits, packed, packedSize);
    packedSize = PackedInts.pack(freqMinus, n, freqBits, packed, packedSize);
    blockImpactStart[blocks] = impacts;
    addImpacts(n);
    blocks++;
    blockImpactStart[blocks] = impacts;
    buffered = 0;
  }

  /** Keeps the Pareto front of (freq high, length low) pairs of the buffered block. */
  private void addImpacts(int n) {
    // Shortest first, then highest freq: a pair is kept if its freq beats all shorter ones.
    long[] keys = impactKeys.length >= n ? impactKeys : (impactKeys = new long[BLOCK_SIZE]);
    for (int i = 0; i < n; i++) {
      keys[i] = (long) lengths[docBuf[i]] << 32 | (0xFFFFFFFFL - freqBuf[i]);
    }
    Arrays.sort(keys, 0, n);
    int best = 0;
    for (int i = 0; i < n; i++) {
      int f = (int) (0xFFFFFFFFL - (keys[i] & 0xFFFFFFFFL));
      if (f <= best) continue;
      best = f;
      if (impacts == impactFreq.length) {
        impactFreq = Arrays.copyOf(impactFreq, impacts * 2);
        impactLength = Arrays.copyOf(impactLength, impacts * 2);
      }
      impactFreq[impacts] = f;
      impactLength[impacts] = (int) (keys[i] >>> 32);
      impacts++;
    }
  }

  private void ensurePacked(int more) {
    if (packedSize + more > packed.length) {
      packed = Arrays.copyOf(packed, Math.max(packed.length * 2, packedSize + more));
    }
  }

  /** The finished postings of all terms. */
  Postings finish() {
    termBlockStart.add(blocks);
    return new Postings(termDocFreq.toArray(), termBlockStart.toArray(),
        Arrays.copyOf(blockLastDoc, blocks), Arrays.copyOf(blockPos, blocks),
        Arrays.copyOf(blockImpactStart, blocks + 1), Arrays.copyOf(impactFreq, impacts),
        Arrays.copyOf(impactLength, impacts), Arrays.copyOf(packed, packedSize));
  }

  /** A growable int array. */
  static final class IntList {
    private int[] a = new int[16];
    private int size;

    void add(int v) {
      if (size == a.length) a = Arrays.copyOf(a, size * 2);
      a[size++] = v;
    }

    int last() {
      return a[size - 1];
    }

    int size() {
      return size;
    }

    int get(int i) {
      return a[i];
    }

    int[] toArray() {
      return Arrays.copyOf(a, size);
    }
  }
}
