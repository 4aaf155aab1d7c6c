package dev.quarry.index.inverted;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A point-in-time view of an {@link InvertedIndex} that answers top-k queries. A query is a bag
 * of terms with weights: for BM25 the weight is a boost (how often the term occurs in the query,
 * as Lucene's boolean query rewrites repeated clauses); for learned sparse vectors it is the
 * query's weight of the term, multiplied with the document's quantized impact. Safe for many
 * threads.
 */
public final class InvertedSearcher {

  private final List<Segment> segments;
  private final List<long[]> deleted;
  private final int[] bases;
  private final Bm25 bm25;
  private final float impactScale;
  private final long docCount;
  private final float avgLength;
  private final List<float[]> normInverses = new ArrayList<>();
  private final int numDocs;

  InvertedSearcher(List<Segment> segments, List<long[]> deleted, int numDocs, Bm25 bm25,
      float impactScale) {
    this.segments = List.copyOf(segments);
    this.deleted = new ArrayList<>(deleted);
    this.bm25 = bm25;
    this.impactScale = impactScale;
    this.numDocs = numDocs;
    this.bases = new int[segments.size() + 1];
    long count = 0;
    long sum = 0;
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      bases[i + 1] = bases[i] + s.maxDoc();
      // Deleted documents still count until a merge drops them, as in Lucene.
      count += s.docCount;
      sum += s.sumTotalTermFreq;
    }
    this.docCount = count;
    this.avgLength = count == 0 ? 1f : Bm25.avgLength(sum, count);
    if (bm25 != null) {
      float[] cache = new float[256];
      for (int i = 0; i < 256; i++) {
        cache[i] = 1f / (bm25.k1() * ((1 - bm25.b()) + bm25.b() * LengthNorm.decode((byte) i) / avgLength));
      }
      for (Segment s : segments) {
        float[] ni = new float[s.maxDoc()];
        for (int d = 0; d < ni.length; d++) {
          ni[d] = bm25.exactLengths() ? bm25.normInverse(s.lengths[d], avgLength)
              : cache[LengthNorm.encode(s.lengths[d]) & 0xFF];
        }
        normInverses.add(ni);
      }
    }
  }

  /** Documents that are not deleted. */
  public int numDocs() {
    return numDocs;
  }

  /** One past the largest document number (deleted documents included). */
  public int maxDoc() {
    return bases[bases.length - 1];
  }

  /** Documents with at least one term: BM25's N (deleted ones count until merged away). */
  public long docCount() {
    return docCount;
  }

  /** BM25's average document length. */
  public float avgLength() {
    return avgLength;
  }

  /** How many documents contain {@code term} (deleted ones included until merged away). */
  public long docFreq(String term) {
    long df = 0;
    for (Segment s : segments) {
      int ord = s.termOrd(term);
      if (ord >= 0) df += s.docFreq(ord);
    }
    return df;
  }

  /** The top {@code k} documents, pruned with block-max MaxScore. */
  public List<SearchHit> search(Map<String, Float> query, int k) {
    return run(query, k, true);
  }

  /** The top {@code k} documents by scoring every match: slower, the reference for tests. */
  public List<SearchHit> searchExhaustive(Map<String, Float> query, int k) {
    return run(query, k, false);
  }

  /** A BM25 query: each term's weight is how often it occurs in {@code terms}. */
  public static Map<String, Float> bagOfWords(List<String> terms) {
    Map<String, Float> q = new LinkedHashMap<>();
    for (String t : terms) q.merge(t, 1f, Float::sum);
    return q;
  }

  private List<SearchHit> run(Map<String, Float> query, int k, boolean pruned) {
    if (k < 1) throw new IllegalArgumentException("k must be at least 1, got " + k);
    for (Map.Entry<String, Float> e : query.entrySet()) {
      float w = e.getValue();
      if (!Float.isFinite(w) || w < 0) {
        throw new IllegalArgumentException("query term \"" + e.getKey() + "\" has weight " + w
            + "; weights must be finite and not negative");
      }
    }
    TopK top = new TopK(Math.min(k, Math.max(1, maxDoc())));
    Map<String, Float> weights = new LinkedHashMap<>();
    for (Map.Entry<String, Float> e : query.entrySet()) {
      if (e.getValue() == 0) continue;
      if (bm25 != null) {
        long df = docFreq(e.getKey());
        if (df == 0) continue;
        weights.put(e.getKey(), e.getValue() * Bm25.idf(df, docCount));
      } else {
        weights.put(e.getKey(), e.getValue() / impactScale);
      }
    }
    for (int si = 0; si < segments.size(); si++) {
      Segment s = segments.get(si);
      float[] ni = bm25 == null ? null : normInverses.get(si);
      PostingsCursor.Scoring scoring = bm25 == null
          ? (w, f, len) -> w * f
          : (w, f, len) -> Bm25.score(w, f, bm25.normInverse(len, avgLength));
      List<PostingsCursor> cursors = new ArrayList<>();
      for (Map.Entry<String, Float> e : weights.entrySet()) {
        int ord = s.termOrd(e.getKey());
        if (ord >= 0) cursors.add(new PostingsCursor(s.postings, ord, e.getValue(), ni, scoring));
      }
      PostingsCursor[] array = cursors.toArray(new PostingsCursor[0]);
      if (pruned) MaxScoreSearch.search(array, deleted.get(si), bases[si], top);
      else MaxScoreSearch.exhaustive(array, deleted.get(si), bases[si], s.maxDoc(), top);
    }
    List<SearchHit> hits = new ArrayList<>();
    for (long packed : top.sorted()) {
      int doc = (int) (packed >>> 32);
      hits.add(new SearchHit(id(doc), doc, Float.intBitsToFloat((int) packed)));
    }
    return hits;
  }

  /** The external id of document {@code doc}. */
  public String id(int doc) {
    int si = segmentOf(doc);
    return segments.get(si).ids[doc - bases[si]];
  }

  private int segmentOf(int doc) {
    int lo = 0;
    int hi = segments.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (bases[mid] <= doc) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
