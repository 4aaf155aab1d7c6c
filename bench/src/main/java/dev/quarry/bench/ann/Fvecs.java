package dev.quarry.bench.ann;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads and writes fvecs, the ANN-benchmarks vector format: per vector a little-endian int32
 * dimension followed by that many little-endian float32 components.
 */
public final class Fvecs {

  private Fvecs() {}

  /** Appends vectors to {@code file}, creating it if needed. */
  public static void append(Path file, float[][] vectors) throws IOException {
    if (vectors.length == 0) return;
    int dim = vectors[0].length;
    ByteBuffer buf = ByteBuffer.allocate(vectors.length * (4 + 4 * dim)).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] v : vectors) {
      buf.putInt(v.length);
      for (float x : v) buf.putFloat(x);
    }
    buf.flip();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      while (buf.hasRemaining()) ch.write(buf);
    }
  }

  /** Writes {@code vectors} to {@code file}, replacing it. */
  public static void write(Path file, float[][] vectors) throws IOException {
    Files.deleteIfExists(file);
    append(file, vectors);
  }

  /** Reads at most {@code limit} vectors ({@code <= 0}: all) from {@code file}. */
  public static float[][] read(Path file, int limit) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 4) throw new IOException(file + ": too short to be fvecs (" + bytes.length + " bytes)");
    int dim = buf.getInt(0);
    if (dim <= 0 || dim > 65_536) throw new IOException(file + ": first dimension is " + dim + ", not fvecs");
    int record = 4 + 4 * dim;
    int count = bytes.length / record;
    if (limit > 0) count = Math.min(count, limit);
    float[][] out = new float[count][dim];
    for (int i = 0; i < count; i++) {
      int at = i * record;
      if (buf.getInt(at) != dim) {
        throw new IOException(file + ": vector " + i + " has dimension " + buf.getInt(at) + ", expected " + dim);
      }
      for (int j = 0; j < dim; j++) out[i][j] = buf.getFloat(at + 4 + 4 * j);
    }
    return out;
  }
}
