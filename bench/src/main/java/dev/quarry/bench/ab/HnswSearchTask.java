package dev.quarry.bench.ab;

import dev.quarry.bench.ann.AnnBench;
import dev.quarry.bench.ann.Fvecs;
import dev.quarry.index.HnswIndex;
import dev.quarry.index.Residency;
import dev.quarry.index.Similarity;
import dev.quarry.index.VectorEncoding;
import dev.quarry.index.VectorIndexConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link AbBench}'s {@code hnsw-search}: every query three times at one beam width, on an index of
 * the base vectors (M 16, efConstruction 100; float32 unless an encoding is given) that the first
 * setup builds and commits under bench/target/ab/, and every later one opens: both builds search
 * the same graph.
 */
public final class HnswSearchTask {

  private record State(HnswIndex index, float[][] queries, int ef) {}

  private HnswSearchTask() {}

  /** {@code BASE.fvecs QUERIES.fvecs EF MAPPED|HEAP [ENCODING[:OVERSAMPLE]]}. */
  public static Object setup(String[] args) throws Exception {
    Path base = Path.of(args[0]);
    AnnBench.EncodingSpec encoding = AnnBench.EncodingSpec.parse(args.length > 4 ? args[4] : "FLOAT32");
    String suffix = encoding.encoding() == VectorEncoding.FLOAT32 ? "" : "-" + encoding.encoding() + "-" + encoding.oversample();
    Path dir = Path.of("bench/target/ab/index-" + base.getFileName() + suffix);
    if (!Files.isDirectory(dir)) {
      float[][] vectors = Fvecs.read(base, 0);
      long[] ids = new long[vectors.length];
      for (int i = 0; i < ids.length; i++) ids[i] = i;
      Similarity similarity = HnswBuildTask.similarityOf(vectors);
      VectorIndexConfig config = VectorIndexConfig.of(vectors[0].length, similarity).withM(16).withEfConstruction(100)
          .withEncoding(encoding.encoding()).withOversample(encoding.oversample());
      try (HnswIndex index = HnswIndex.create(config)) {
        index.addAll(ids, vectors, Runtime.getRuntime().availableProcessors());
        index.commit(dir);
      }
    }
    HnswIndex index = HnswIndex.open(dir, Residency.valueOf(args[3]));
    return new State(index, Fvecs.read(Path.of(args[1]), 0), Integer.parseInt(args[2]));
  }

  public static long run(Object state) {
    State s = (State) state;
    long sink = 0;
    long t0 = System.nanoTime();
    for (int pass = 0; pass < 3; pass++) for (float[] q : s.queries) sink += s.index.search(q, 10, s.ef, null).getFirst().id();
    long t = System.nanoTime() - t0;
    if (sink == Long.MIN_VALUE) System.out.print("");
    return t;
  }
}
