package dev.quarry.bench.ab;

import dev.quarry.bench.ann.AnnBench;
import dev.quarry.bench.ann.Fvecs;
import dev.quarry.index.HnswIndex;
import dev.quarry.index.Similarity;
import dev.quarry.index.VectorIndexConfig;
import java.nio.file.Path;

/** {@link AbBench}'s {@code hnsw-build}: an in-memory float32 build of the first N vectors, one thread, M 16, efConstruction 100. */
public final class HnswBuildTask {

  private record State(float[][] vectors, long[] ids) {}

  private HnswBuildTask() {}

  /** {@code BASE.fvecs N}. */
  public static Object setup(String[] args) throws Exception {
    float[][] vectors = Fvecs.read(Path.of(args[0]), Integer.parseInt(args[1]));
    long[] ids = new long[vectors.length];
    for (int i = 0; i < ids.length; i++) ids[i] = i;
    return new State(vectors, ids);
  }

  public static long run(Object state) {
    State s = (State) state;
    Similarity similarity = similarityOf(s.vectors);
    long t0 = System.nanoTime();
    try (HnswIndex index = HnswIndex.create(VectorIndexConfig.of(s.vectors[0].length, similarity).withM(16).withEfConstruction(100))) {
      index.addAll(s.ids, s.vectors, 1);
    }
    return System.nanoTime() - t0;
  }

  /** Dot product for unit vectors, else Euclidean, as the ANN bench decides. */
  static Similarity similarityOf(float[][] vectors) {
    return AnnBench.isNormalised(vectors) ? Similarity.DOT_PRODUCT : Similarity.EUCLIDEAN;
  }
}
