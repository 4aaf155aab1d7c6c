package dev.quarry.model;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Temporary files for writes that are published by an atomic rename. */
public final class TempFiles {

  private TempFiles() {}

  /**
   * Creates an empty file beside {@code target}, in its directory, with the default permissions
   * (the umask's), not {@link Files#createTempFile}'s owner-only ones, which the rename would
   * carry over to the published file: a model written by one account must be readable by a
   * service running as another.
   */
  public static Path createBeside(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    while (true) {
      Path temp = dir.resolve(target.getFileName() + "."
          + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
      try {
        return Files.createFile(temp);
      } catch (FileAlreadyExistsException e) {
        // Another writer's temporary file of the same name: draw another.
      }
    }
  }
}
