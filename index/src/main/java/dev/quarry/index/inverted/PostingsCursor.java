package dev.quarry.index.inverted;

/**
 * Walks one term's postings in one segment, a block at a time, and scores them. Skips whole
 * blocks by their last doc id without decoding them, and bounds each block's best score from
 * its impacts.
 */
final class PostingsCursor {

  static final int NO_MORE_DOCS = Integer.MAX_VALUE;

  private final Postings p;
  private final int firstBlock;
  private final int endBlock;
  private final Scoring scoring;
  private final float weight;
  private final float[] normInverse;
  /** The best score of each block of the term (index relative to firstBlock). */
  final float[] blockMax;
  /** The best score of the term in this segment. */
  final float maxScore;

  private final int[] docs = new int[PostingsWriter.BLOCK_SIZE];
  private final int[] freqs = new int[PostingsWriter.BLOCK_SIZE];
  private int block; // decoded block, absolute index
  private int count;
  private int idx;
  int doc = -1;
  /** The block that {@link #shallowAdvance} last found (absolute index). */
  private int shallow;

  /** How terms are scored in a segment. */
  interface Scoring {
    /** The score of a posting of frequency {@code freq} in a document of {@code length}. */
    float bound(float weight, int freq, int length);
  }

  PostingsCursor(Postings p, int termOrd, float weight, float[] normInverse, Scoring scoring) {
    this.p = p;
    this.firstBlock = p.termBlockStart()[termOrd];
    this.endBlock = p.termBlockStart()[termOrd + 1];
    this.weight = weight;
    this.normInverse = normInverse;
    this.scoring = scoring;
    this.block = firstBlock - 1;
    this.shallow = firstBlock;
    this.blockMax = new float[endBlock - firstBlock];
    float max = 0;
    for (int b = firstBlock; b < endBlock; b++) {
      float m = 0;
      for (int i = p.blockImpactStart()[b]; i < p.blockImpactStart()[b + 1]; i++) {
        m = Math.max(m, scoring.bound(weight, p.impactFreq()[i], p.impactLength()[i]));
      }
      blockMax[b - firstBlock] = m;
      max = Math.max(max, m);
    }
    this.maxScore = max;
  }

  /** The score of the current document. */
  float score() {
    int f = freqs[idx];
    float[] ni = normInverse;
    return ni == null ? weight * f : Bm25.score(weight, f, ni[doc]);
  }

  int freq() {
    return freqs[idx];
  }

  int nextDoc() {
    if (++idx < count) return doc = docs[idx];
    if (block + 1 >= endBlock) return doc = NO_MORE_DOCS;
    decode(block + 1);
    return doc = docs[0];
  }

  /** Moves to the first document at or after {@code target}. */
  int advance(int target) {
    if (doc >= target) return doc;
    if (block < firstBlock || block >= endBlock || p.blockLastDoc()[block] < target) {
      int b = Math.max(block + 1, firstBlock);
      int[] last = p.blockLastDoc();
      while (b < endBlock && last[b] < target) b++;
      if (b >= endBlock) {
        block = endBlock;
        count = 0;
        return doc = NO_MORE_DOCS;
      }
      decode(b);
    }
    int i = idx;
    while (docs[i] < target) i++;
    idx = i;
    return doc = docs[i];
  }

  /**
   * Finds, without decoding, the block holding the first document at or after {@code target}:
   * returns its last doc id, or {@link #NO_MORE_DOCS} when the term has no more documents.
   */
  int shallowAdvance(int target) {
    int b = Math.max(shallow, firstBlock);
    int[] last = p.blockLastDoc();
    while (b < endBlock && last[b] < target) b++;
    shallow = b;
    return b < endBlock ? last[b] : NO_MORE_DOCS;
  }

  /** The best score in the block {@link #shallowAdvance} found, 0 past the end. */
  float shallowBlockMax() {
    return shallow < endBlock ? blockMax[shallow - firstBlock] : 0f;
  }

  private void decode(int b) {
    int pos = p.blockPos()[b];
    int[] packed = p.packed();
    int header = packed[pos++];
    int n = header >>> 16;
    int docBits = (header >>> 8) & 0xFF;
    int freqBits = header & 0xFF;
    pos = PackedInts.unpack(packed, pos, docBits, n, docs);
    PackedInts.unpack(packed, pos, freqBits, n, freqs);
    int prev = b == firstBlock ? -1 : p.blockLastDoc()[b - 1];
    for (int i = 0; i < n; i++) {
      prev += docs[i];
      docs[i] = prev;
      freqs[i]++;
    }
    block = b;
    count = n;
    idx = 0;
  }
}
