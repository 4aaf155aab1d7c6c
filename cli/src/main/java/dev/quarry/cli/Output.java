package dev.quarry.cli;

import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens where a command writes its JSON Lines: a file, or standard output left open after. */
final class Output {

  private static final int BUFFER = 1 << 16;

  private Output() {}

  /** A UTF-8 writer on {@code file}, or on {@code stdout} when {@code file} is null. */
  static Writer open(String file, OutputStream stdout) throws IOException {
    if (file == null) {
      // Closing the writer flushes standard output but leaves it open for whoever owns it.
      OutputStream keepOpen = new FilterOutputStream(stdout) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          flush();
        }
      };
      return new BufferedWriter(new OutputStreamWriter(keepOpen, StandardCharsets.UTF_8), BUFFER);
    }
    Path path = Path.of(file);
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new IOException(file + ": the directory " + parent + " does not exist");
    }
    return new BufferedWriter(
        new OutputStreamWriter(Files.newOutputStream(path), StandardCharsets.UTF_8), BUFFER);
  }
}
