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
 */
public record VectorIndexConfig(int dimension, Similarity similarity, VectorEncoding encoding, int m,
    int efConstruction, int efSearch, long seed) {

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
  }

  /** {@code m} 16, {@code efConstruction} 100, {@code efSearch} 100, float32. */
  public static VectorIndexConfig of(int dimension, Similarity similarity) {
    return new VectorIndexConfig(dimension, similarity, VectorEncoding.FLOAT32, 16, 100, 100, 42L);
  }

  public VectorIndexConfig withEncoding(VectorEncoding encoding) {
    return new VectorIndexConfig(dimension, similarity, encoding, m, efConstruction, efSearch, seed);
  }

  public VectorIndexConfig withM(int m) {
    return new VectorIndexConfig(dimension, similarity, encoding, m, efConstruction, efSearch, seed);
  }

  public VectorIndexConfig withEfConstruction(int efConstruction) {
    return new VectorIndexConfig(dimension, similarity, encoding, m, efConstruction, efSearch, seed);
  }

  public VectorIndexConfig withEfSearch(int efSearch) {
    return new VectorIndexConfig(dimension, similarity, encoding, m, efConstruction, efSearch, seed);
  }

  public VectorIndexConfig withSeed(long seed) {
    return new VectorIndexConfig(dimension, similarity, encoding, m, efConstruction, efSearch, seed);
  }
}
