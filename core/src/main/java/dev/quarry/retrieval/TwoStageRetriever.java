package dev.quarry.retrieval;

import dev.quarry.embed.Embedder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Two-stage retrieval: a cheap first stage (typically BM25) proposes {@code n} candidates, and the
 * encoder reranks them by the cosine of the query's embedding with each candidate's. Candidates'
 * embeddings come from stored vectors, or are computed from their text at query time.
 */
public final class TwoStageRetriever implements BatchRetriever {

  /** The embeddings of documents by id (null for an id it does not know). */
  @FunctionalInterface
  public interface DocumentVectors {
    float[][] vectors(List<String> ids);
  }

  private final Retriever first;
  private final int candidates;
  private final Function<List<String>, float[][]> queryEncoder;
  private final DocumentVectors documents;

  /**
   * @param first        the first stage
   * @param candidates   how many first-stage hits to rerank
   * @param queryEncoder embeds queries ({@link Embedder#embedQueries})
   * @param documents    the candidates' embeddings
   */
  public TwoStageRetriever(Retriever first, int candidates,
      Function<List<String>, float[][]> queryEncoder, DocumentVectors documents) {
    if (candidates < 1) throw new IllegalArgumentException("candidates must be at least 1, got " + candidates);
    this.first = first;
    this.candidates = candidates;
    this.queryEncoder = queryEncoder;
    this.documents = documents;
  }

  /** Reranks with {@code embedder}, embedding the candidates' texts (looked up by id) per query. */
  public static TwoStageRetriever embedding(Retriever first, int candidates, Embedder embedder,
      Function<String, String> textById) {
    return new TwoStageRetriever(first, candidates, embedder::embedQueries, ids -> {
      List<String> texts = new ArrayList<>(ids.size());
      for (String id : ids) {
        String text = textById.apply(id);
        if (text == null) throw new IllegalStateException("no text for document " + id);
        texts.add(text);
      }
      return embedder.embedDocuments(texts);
    });
  }

  @Override
  public List<List<Hit>> searchAll(List<String> queries, int k) {
    BatchRetriever.checkK(k);
    List<List<Hit>> firstHits = first.searchAll(queries, Math.max(candidates, k));
    float[][] q = queryEncoder.apply(queries);
    List<List<Hit>> out = new ArrayList<>(queries.size());
    for (int i = 0; i < queries.size(); i++) {
      List<Hit> pool = firstHits.get(i);
      List<String> ids = pool.stream().map(Hit::id).toList();
      float[][] d = ids.isEmpty() ? new float[0][] : documents.vectors(ids);
      List<Hit> rescored = new ArrayList<>(ids.size());
      for (int j = 0; j < ids.size(); j++) {
        if (d[j] == null) throw new IllegalStateException("no vector for document " + ids.get(j));
        rescored.add(new Hit(ids.get(j), cosine(q[i], d[j])));
      }
      // Stable: equal cosines keep the first stage's order.
      rescored.sort(Comparator.comparingDouble((Hit h) -> h.score()).reversed());
      out.add(List.copyOf(rescored.subList(0, Math.min(k, rescored.size()))));
    }
    return out;
  }

  static float cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("query has dimension " + a.length + ", document " + b.length);
    }
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    if (na == 0 || nb == 0) return 0f;
    return (float) (dot / Math.sqrt(na * nb));
  }

  @Override
  public void close() {
    first.close();
  }
}
