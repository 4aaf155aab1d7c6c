package dev.quarry.model;

import dev.quarry.kernels.Int8Matrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parameters of a BERT encoder, checked against its configuration: little-endian fp32
 * segments, or for an int8 model's quantized tensors {@link Int8Matrix 8-bit codes} that
 * {@link #get} widens to floats on first use; linear weights are held {@code [in, out]} (see
 * {@link BertConfig.Parameter}).
 */
public final class BertWeights {

  /** How every weight value is stored: fp32, little-endian, at any alignment. */
  public static final ValueLayout.OfFloat FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final BertConfig config;
  private final Map<String, MemorySegment> tensors;
  private final Map<String, Int8Matrix> quantized;
  private final Map<String, MemorySegment> widened = new ConcurrentHashMap<>();

  /**
   * @param tensors every parameter of {@link BertConfig#parameters()} by name; extra entries are
   *                ignored
   * @param source  the file the tensors came from, named in errors
   */
  public BertWeights(BertConfig config, Map<String, MemorySegment> tensors, String source) {
    this(config, tensors, Map.of(), source);
  }

  /**
   * @param tensors   the fp32 parameters by name
   * @param quantized the parameters stored as 8-bit codes; with {@code tensors}, every parameter
   *                  of {@link BertConfig#parameters()} once
   */
  public BertWeights(BertConfig config, Map<String, MemorySegment> tensors,
      Map<String, Int8Matrix> quantized, String source) {
    this.config = config;
    Map<String, MemorySegment> checkedTensors = new LinkedHashMap<>();
    Map<String, Int8Matrix> checkedQuantized = new LinkedHashMap<>();
    for (BertConfig.Parameter p : config.parameters()) {
      MemorySegment t = tensors.get(p.name());
      Int8Matrix q = quantized.get(p.name());
      if (t == null && q == null) {
        throw new IllegalArgumentException(source + ": tensor \"" + p.name() + "\" is missing;"
            + " the file is not a complete BERT encoder");
      }
      long count = t != null ? t.byteSize() / 4 : (long) q.rows() * q.columns();
      if ((t != null && t.byteSize() % 4 != 0) || count != p.elementCount()) {
        throw new IllegalArgumentException(source + ": tensor \"" + p.name() + "\" holds "
            + count + " " + (t != null ? "floats" : "codes") + ", expected " + p.elementCount()
            + " for shape " + Arrays.toString(p.shape()));
      }
      // Codes are per column: of [in, out] for a linear weight, of [rows, hidden] for a table.
      long columns = p.isLinearWeight() ? p.shape()[0] : p.shape()[p.shape().length - 1];
      if (q != null && q.columns() != columns) {
        throw new IllegalArgumentException(source + ": tensor \"" + p.name() + "\" has "
            + q.columns() + " columns of codes, expected " + columns + " for shape "
            + Arrays.toString(p.shape()));
      }
      if (t != null) {
        checkedTensors.put(p.name(), t);
      } else {
        checkedQuantized.put(p.name(), q);
      }
    }
    this.tensors = Map.copyOf(checkedTensors);
    this.quantized = Map.copyOf(checkedQuantized);
  }

  public BertConfig config() {
    return config;
  }

  /**
   * The named parameter as fp32; linear weights in the {@code [in, out]} layout. A quantized one is
   * widened on the first call and kept (backends that compute with the codes use {@link #int8}).
   */
  public MemorySegment get(String name) {
    MemorySegment t = tensors.get(name);
    if (t != null) return t;
    Int8Matrix q = int8(name);
    if (q == null) throw new IllegalArgumentException("no parameter named \"" + name + "\"");
    return widened.computeIfAbsent(name, n -> q.dequantize(Arena.ofAuto()));
  }

  /** The named parameter's 8-bit codes, or null where it is stored as fp32. */
  public Int8Matrix int8(String name) {
    return quantized.get(name);
  }
}
