package dev.quarry.eval;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared data sets are: the {@code quarry.shared} property, else {@code ../../shared}. */
final class EvalTestData {

  private EvalTestData() {}

  static Path shared() {
    String dir = System.getProperty("quarry.shared");
    Path path = dir != null ? Path.of(dir) : Path.of("../../shared");
    if (!Files.isDirectory(path.resolve("data"))) {
      throw new IllegalStateException("the shared data folder is missing at " + path.toAbsolutePath()
          + "; set -Dquarry.shared=DIR");
    }
    return path;
  }
}
