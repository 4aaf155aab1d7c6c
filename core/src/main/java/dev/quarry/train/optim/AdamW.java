package dev.quarry.train.optim;

import dev.quarry.train.Parameters;
import dev.quarry.train.Parameters.Parameter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter), step for step as PyTorch's
 * {@code torch.optim.AdamW} (single-tensor path, no AMSGrad), in float as PyTorch computes in fp32:
 *
 * <pre>
 * p -= lr * weightDecay * p                      (only where the parameter decays)
 * m  = m + (1 - beta1) * (g - m)                 (= beta1 m + (1 - beta1) g, as PyTorch's lerp)
 * v  = beta2 v + (1 - beta2) g²
 * p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * <p>Defaults follow sentence-transformers and the Hugging Face Trainer: rate 2e-5, betas 0.9 and
 * 0.999, eps 1e-8 (the Trainer's {@code adam_epsilon} and PyTorch's default; the old
 * sentence-transformers {@code fit} used 1e-6), weight decay 0.01 (sentence-transformers' {@code
 * fit}; the Trainer's default is 0). Parameters with {@code decay == false} (biases, LayerNorm)
 * get the Adam update without the decay, as BERT trains.
 *
 * <p>The parameters are those of the {@link Parameters} at construction; the rate is given to each
 * {@link #step(double)} so that a {@link LearningRateSchedule} can drive it. {@link #save} and
 * {@link #load} keep the step count and both moments per parameter name, so a run can resume
 * exactly; the hyperparameters are not stored, they come from the trainer's settings.
 */
public final class AdamW {

  public static final double DEFAULT_LEARNING_RATE = 2e-5;
  public static final double DEFAULT_BETA1 = 0.9;
  public static final double DEFAULT_BETA2 = 0.999;
  public static final double DEFAULT_EPS = 1e-8;
  public static final double DEFAULT_WEIGHT_DECAY = 0.01;

  /** File layout: magic, version, step, count, (name, length) per parameter, moments, CRC32C. */
  private static final byte[] MAGIC = "QRYADAMW".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final int CHUNK = 1 << 20;

  private final List<Parameter> params;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final float[][] m;
  private final float[][] v;
  private long step;

  /** AdamW with the default betas, eps and weight decay. */
  public AdamW(Parameters params) {
    this(params, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, DEFAULT_WEIGHT_DECAY);
  }

  public AdamW(Parameters params, double beta1, double beta2, double eps, double weightDecay) {
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("beta1 not in [0, 1): " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("beta2 not in [0, 1): " + beta2);
    }
    if (!(eps >= 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException("eps must be finite and >= 0: " + eps);
    }
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("weight decay must be finite and >= 0: " + weightDecay);
    }
    this.params = List.copyOf(params.all());
    Set<String> names = new HashSet<>();
    for (Parameter p : this.params) {
      if (!names.add(p.name())) {
        throw new IllegalArgumentException("two parameters are named \"" + p.name() + "\"");
      }
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.m = new float[this.params.size()][];
    this.v = new float[this.params.size()][];
    for (int i = 0; i < this.params.size(); i++) {
      m[i] = new float[this.params.get(i).value().length];
      v[i] = new float[this.params.get(i).value().length];
    }
  }

  /** One update of every parameter from its gradient, at rate {@code lr}. */
  public void step(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be finite and >= 0: " + lr);
    }
    step++;
    // Scalars in double, then float, as PyTorch passes Python floats to fp32 kernels.
    double biasCorrection1 = 1 - Math.pow(beta1, step);
    double biasCorrection2 = 1 - Math.pow(beta2, step);
    float stepSize = (float) (lr / biasCorrection1);
    float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
    float oneMinusBeta1 = (float) (1 - beta1);
    float b2 = (float) beta2;
    float oneMinusBeta2 = (float) (1 - beta2);
    float epsF = (float) eps;
    float decayed = (float) (1 - lr * weightDecay);
    for (int i = 0; i < params.size(); i++) {
      Parameter p = params.get(i);
      float[] value = p.value();
      if (value.length != m[i].length) {
        throw new IllegalStateException("parameter \"" + p.name() + "\" changed size from "
            + m[i].length + " to " + value.length);
      }
      update(value, p.grad(), m[i], v[i], p.decay() ? decayed : 1f, oneMinusBeta1, b2,
          oneMinusBeta2, stepSize, bc2Sqrt, epsF);
    }
  }

  /** One simple indexed loop over float arrays, so that C2 vectorises it. */
  private static void update(float[] p, float[] g, float[] m, float[] v, float decayed,
      float oneMinusBeta1, float beta2, float oneMinusBeta2, float stepSize, float bc2Sqrt,
      float eps) {
    for (int i = 0; i < p.length; i++) {
      float gi = g[i];
      float mi = m[i] + oneMinusBeta1 * (gi - m[i]);
      float vi = v[i] * beta2 + oneMinusBeta2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
      p[i] = p[i] * decayed - stepSize * (mi / denom);
    }
  }

  /** Steps taken so far (PyTorch's {@code state["step"]}). */
  public long steps() {
    return step;
  }

  public double beta1() {
    return beta1;
  }

  public double beta2() {
    return beta2;
  }

  public double eps() {
    return eps;
  }

  public double weightDecay() {
    return weightDecay;
  }

  /** The first moment of a parameter (a live view, for tests and diagnostics). */
  public float[] firstMoment(String name) {
    return m[indexOf(name)];
  }

  /** The second moment of a parameter (a live view, for tests and diagnostics). */
  public float[] secondMoment(String name) {
    return v[indexOf(name)];
  }

  private int indexOf(String name) {
    for (int i = 0; i < params.size(); i++) {
      if (params.get(i).name().equals(name)) return i;
    }
    throw new IllegalArgumentException("no parameter named \"" + name + "\"");
  }

  /**
   * Writes the step count and moments to {@code file}, atomically: a temporary file beside it is
   * written, forced to disk and moved over it, so a crash leaves the old state or the new one,
   * never half of either. A CRC32C of the content closes the file.
   */
  public void save(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        CRC32C crc = new CRC32C();
        ByteBuffer header = header();
        write(ch, header, crc);
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < params.size(); i++) {
          writeFloats(ch, buf, m[i], crc);
          writeFloats(ch, buf, v[i], crc);
        }
        ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int) crc.getValue()).flip();
        while (trailer.hasRemaining()) ch.write(trailer);
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + file + " atomically: " + e.getMessage(), e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private ByteBuffer header() {
    byte[][] names = new byte[params.size()][];
    int size = MAGIC.length + 4 + 8 + 4;
    for (int i = 0; i < params.size(); i++) {
      names[i] = params.get(i).name().getBytes(StandardCharsets.UTF_8);
      size += 4 + names[i].length + 8;
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(VERSION).putLong(step).putInt(params.size());
    for (int i = 0; i < params.size(); i++) {
      b.putInt(names[i].length).put(names[i]).putLong(m[i].length);
    }
    return b.flip();
  }

  private static void write(FileChannel ch, ByteBuffer b, CRC32C crc) throws IOException {
    crc.update(b.duplicate());
    while (b.hasRemaining()) ch.write(b);
  }

  private static void writeFloats(FileChannel ch, ByteBuffer buf, float[] a, CRC32C crc)
      throws IOException {
    int perChunk = buf.capacity() / Float.BYTES;
    for (int off = 0; off < a.length; off += perChunk) {
      int n = Math.min(perChunk, a.length - off);
      buf.clear();
      buf.asFloatBuffer().put(a, off, n);
      buf.limit(n * Float.BYTES);
      write(ch, buf, crc);
    }
  }

  /**
   * Restores the state {@link #save} wrote. The whole file's checksum is checked before anything is
   * read into this optimizer, so a corrupt or truncated file changes nothing.
   *
   * @throws IOException the file is missing, not an AdamW state, corrupt, or holds parameters
   *                     other than this optimizer's (the message names the file and the parameter)
   */
  public void load(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < MAGIC.length + 4 + 8 + 4 + 4) {
        throw corrupt(file, "too short (" + size + " bytes)");
      }
      ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
      verifyChecksum(ch, file, size, buf);

      ch.position(0);
      Reader in = new Reader(ch, buf, file);
      byte[] magic = in.bytes(MAGIC.length);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException(file + ": not an AdamW state file (bad magic)");
      }
      int version = in.getInt();
      if (version != VERSION) {
        throw new IOException(file + ": AdamW state version " + version + ", this build reads "
            + VERSION);
      }
      long savedStep = in.getLong();
      if (savedStep < 0) throw corrupt(file, "negative step count " + savedStep);
      int count = in.getInt();
      if (count < 0) throw corrupt(file, "negative parameter count " + count);

      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < params.size(); i++) index.put(params.get(i).name(), i);
      int[] order = new int[count];
      Set<String> seen = new HashSet<>();
      for (int k = 0; k < count; k++) {
        int len = in.getInt();
        if (len < 0 || len > size) throw corrupt(file, "bad name length " + len);
        String name = new String(in.bytes(len), StandardCharsets.UTF_8);
        long length = in.getLong();
        Integer i = index.get(name);
        if (i == null) {
          throw new IOException(file + ": parameter \"" + name
              + "\" is in the checkpoint but not in the model; the checkpoint is of another model");
        }
        if (!seen.add(name)) throw corrupt(file, "parameter \"" + name + "\" appears twice");
        if (length != m[i].length) {
          throw new IOException(file + ": parameter \"" + name + "\" has " + length
              + " values in the checkpoint but " + m[i].length + " in the model");
        }
        order[k] = i;
      }
      for (Parameter p : params) {
        if (!seen.contains(p.name())) {
          throw new IOException(file + ": parameter \"" + p.name() + "\" of the model is missing "
              + "from the checkpoint; the checkpoint is of another model");
        }
      }
      long expected = in.position() + dataBytes(order);
      if (expected + 4 != size) {
        throw corrupt(file, size + " bytes, but its header describes " + (expected + 4));
      }
      for (int i : order) {
        in.floats(m[i]);
        in.floats(v[i]);
      }
      step = savedStep;
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "no AdamW state file here");
    }
  }

  private long dataBytes(int[] order) {
    long n = 0;
    for (int i : order) n += 2L * m[i].length * Float.BYTES;
    return n;
  }

  private static void verifyChecksum(FileChannel ch, Path file, long size, ByteBuffer buf)
      throws IOException {
    CRC32C crc = new CRC32C();
    long body = size - 4;
    long pos = 0;
    ch.position(0);
    while (pos < body) {
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), body - pos));
      int r = ch.read(buf);
      if (r < 0) throw corrupt(file, "ended early");
      pos += r;
      buf.flip();
      crc.update(buf);
    }
    ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    while (trailer.hasRemaining()) {
      if (ch.read(trailer) < 0) throw corrupt(file, "ended early");
    }
    int stored = trailer.flip().getInt();
    if (stored != (int) crc.getValue()) {
      throw corrupt(file, "checksum mismatch (CRC32C stored " + Integer.toHexString(stored)
          + ", computed " + Integer.toHexString((int) crc.getValue()) + ")");
    }
  }

  private static IOException corrupt(Path file, String what) {
    return new IOException(file + ": corrupt AdamW state, " + what
        + "; resume from another checkpoint or start the optimizer afresh");
  }

  /** Sequential little-endian reads through one buffer. */
  private static final class Reader {
    private final FileChannel ch;
    private final ByteBuffer buf;
    private final Path file;
    private long consumed;

    Reader(FileChannel ch, ByteBuffer buf, Path file) {
      this.ch = ch;
      this.buf = buf;
      this.file = file;
      buf.clear().limit(0);
    }

    long position() {
      return consumed;
    }

    private void need(int n) throws IOException {
      if (buf.remaining() >= n) return;
      buf.compact();
      while (buf.position() < n) {
        if (ch.read(buf) < 0) throw corrupt(file, "ended early");
      }
      buf.flip();
    }

    int getInt() throws IOException {
      need(4);
      consumed += 4;
      return buf.getInt();
    }

    long getLong() throws IOException {
      need(8);
      consumed += 8;
      return buf.getLong();
    }

    byte[] bytes(int n) throws IOException {
      byte[] out = new byte[n];
      int off = 0;
      while (off < n) {
        need(1);
        int k = Math.min(buf.remaining(), n - off);
        buf.get(out, off, k);
        off += k;
      }
      consumed += n;
      return out;
    }

    void floats(float[] a) throws IOException {
      int off = 0;
      while (off < a.length) {
        need(Float.BYTES);
        int k = Math.min(buf.remaining() / Float.BYTES, a.length - off);
        buf.asFloatBuffer().get(a, off, k);
        buf.position(buf.position() + k * Float.BYTES);
        off += k;
      }
      consumed += (long) a.length * Float.BYTES;
    }
  }
}
