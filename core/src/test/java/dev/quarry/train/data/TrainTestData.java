package dev.quarry.train.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared data sets are, as {@code dev.quarry.eval.EvalTestData} finds them (that class
 * is package-private): the {@code quarry.shared} property, which the build sets from {@code
 * $QUARRY_SHARED} or {@code ../shared}, else {@code ../../shared}.
 */
final class TrainTestData {

  private TrainTestData() {}

  static Path shared() {
    String dir = System.getProperty("quarry.shared");
    Path path = dir != null ? Path.of(dir) : Path.of("../../shared");
    if (!Files.isDirectory(path.resolve("data"))) {
      throw new IllegalStateException("the shared data folder is missing at "
          + path.toAbsolutePath() + "; set -Dquarry.shared=DIR");
    }
    return path;
  }
}
