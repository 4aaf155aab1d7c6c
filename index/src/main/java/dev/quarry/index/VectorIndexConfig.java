package dev.quarry.index;

/**
 * The settings of a vector index.
 *
 * @param dimension      components per vector
 * @param similarity     how vectors compare
 * @param encoding       how vectors are held for traversal
 * @param m              HNSW neighbours per node on upper levels (twice as many on level 0)
 * @param efConstruction HNSW beam width while inserting
 * @param efSearch       default beam width of a search (raised to k when smaller)
 * @param seed           seed of the level draws (graphs built by one thread are then reproducible)
 * @param oversample     for the quantized encodings, the shortlist that the graph search returns
 *                       and the floats rescore, as a multiple of k: a search walks the graph with
 *                       beam width {@code max(ef, oversample·k)}. 0 takes the encoding's default
 *                       ({@link #INT8_OVERSAMPLE}, {@link #BINARY_OVERSAMPLE}); ignored for float32.
 */
public record VectorIndexConfig(int dimension, Similarity similarity, VectorEncoding encoding, int m,
    int efConstruction, int efSearch, long seed, int oversample) {

  /**
   * Default shortlist factor of int8: its codes rank almost as floats do, so 3·k rescored reaches
   * recall@10 ≥ 0.95 wherever float32 does.
   */
  public static final int INT8_OVERSAMPLE = 3;

  /**
   * Default shortlist factor of binary. One bit per component estimates a dot product with an
   * error of about {@code ‖q'‖·‖o‖/√dimension}, so the true top 10 is found only among many more
   * candidates. Measured recall@10 of the rescored shortlist on the test's Gaussian mixture (3,000
   * vectors, 256 dimensions, queries off the data's clusters, ef 100), at 10·k, 20·k, 30·k, 40·k,
   * 50·k and 60·k: cosine 0.69, 0.85, 0.91, 0.94, 0.97, 0.98; dot product 0.68, 0.82, 0.89, 0.93,
   * 0.955, 0.975; Euclidean (helped by the stored norms) 0.83, 0.94, 0.97, 0.985, 0.995, 0.998.
   * 60 keeps a margin over 0.95 there. Real embeddings, whose neighbours stand out more from the
   * rest, need far less: on 100,000 all-MiniLM-L6-v2 sentence embeddings (384 dimensions, dot
   * product) 3·k reached 0.936 at ef 10 (0.966 at ef 48), 4·k 0.957, 6·k 0.976, 10·k 0.991 and 20·k
   * 0.996; at recall 0.95, 3·k and 4·k ran at 1.6–2.2× Lucene's float32 queries per second
   * (heap-resident codes; 1.3–1.8× mapped) where 60·k ran at 0.07× (docs/PERFORMANCE.md). Lower it
   * with {@link #withOversample} after measuring on your data (bench/run ann --encodings BINARY:4).
   *
   * <p>Cost: the beam, so the nodes visited and the popcounts, grows about linearly with the factor,
   * plus one float score per shortlisted node. On that small set (one shared core, noisy) binary at
   * 60·k ran at 0.5–0.7× the queries per second of float32 at ef 100: binary saves memory
   * bandwidth, which only pays once the floats no longer fit in cache.
   */
  public static final int BINARY_OVERSAMPLE = 60;

  public VectorIndexConfig {
    if (dimension < 1 || dimension > 16_384) {
      throw new IllegalArgumentException("dimension " + dimension + " is out of range (1..16384)");
    }
    if (similarity == null) throw new IllegalArgumentException("similarity is null: choose COSINE, DOT_PRODUCT or EUCLIDEAN");
    if (encoding == null) throw new IllegalArgumentException("encoding is null: choose FLOAT32, INT8 or BINARY");
    if (m < 2 || m > 512) throw new IllegalArgumentException("m " + m + " is out of range (2..512; 16 is usual)");
    if (efConstruction < 1 || efConstruction > 10_000) {
      throw new IllegalArgumentException("efConstruction " + efConstruction + " is out of range (1..10000; 100 is usual)");
    }
    if (efSearch < 1 || efSearch > 100_000) throw new IllegalArgumentException("efSearch " + efSearch + " is out of range (1..100000)");
    if (oversample < 0 || oversample > 1_000) {
      throw new IllegalArgumentException("oversample " + oversample + " is out of range (0..1000; 0 takes the encoding's default)");
    }
  }

  /** As the canonical constructor, with the encoding's default oversampling. */
  public VectorIndexConfig(int dimension, Similarity similarity, VectorEncoding encoding, int m, int efConstruction,
      int efSearch, long seed) {
    this(dimension, similarity, encoding, m, efConstruction, efSearch, seed, 0);
  }

  /** The shortlist factor in effect: {@link #oversample}, or the encoding's default when it is 0 (1 for float32). */
  public int effectiveOversample() {
    if (encoding == VectorEncoding.FLOAT32) return 1;
    if (oversample > 0) return oversample;
    return encoding == VectorEncoding.INT8 ? INT8_OVERSAMPLE : BINARY_OVERSAMPLE;
  }

  /** The beam width (and, for the quantized encodings, the shortlist size) of a search for {@code k} with {@code ef}. */
  public int beamWidth(int k, int ef) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max((long) Math.max(ef, k), (long) effectiveOversample() * k));
  }

  /** {@code m} 16, {@code efConstruction} 100, {@code efSearch} 100, float32. */
  public static VectorIndexConfig of(int dimension, Similarity similarity) {
    return new VectorIndexConfig(dimension, similarity, VectorEncoding.FLOAT32, 16, 100, 100, 42L, 0);
  }

  public VectorIndexConfig withEncoding(VectorEncoding encoding) {
    return new VectorIndexConfig(dimension, similarity, encoding, m, efConstruction, efSearch, seed, oversample);
  }

  public VectorIndexConfig withM(int m) {
    return new VectorIndexConfig(dimension, similarity, encoding, m, efConstruction, efSearch, seed, oversample);
  }

  public VectorIndexConfig withEfConstruction(int efConstruction) {
    return new VectorIndexConfig(dimension, similarity, encoding, m, efConstruction, efSearch, seed, oversample);
  }

  public VectorIndexConfig withEfSearch(int efSearch) {
    return new VectorIndexConfig(dimension, similarity, encoding, m, efConstruction, efSearch, seed, oversample);
  }

  public VectorIndexConfig withSeed(long seed) {
    return new VectorIndexConfig(dimension, similarity, encoding, m, efConstruction, efSearch, seed, oversample);
  }

  /** The shortlist factor of the quantized encodings (0: the encoding's default); see {@link #oversample}. */
  public VectorIndexConfig withOversample(int oversample) {
    return new VectorIndexConfig(dimension, similarity, encoding, m, efConstruction, efSearch, seed, oversample);
  }
}
