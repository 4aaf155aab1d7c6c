package dev.quarry.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters of a BERT encoder as little-endian fp32 segments, checked against its
 * configuration; linear weights are held {@code [in, out]} (see {@link BertConfig.Parameter}).
 */
public final class BertWeights {

  /** How every weight value is stored: fp32, little-endian, at any alignment. */
  public static final ValueLayout.OfFloat FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final BertConfig config;
  private final Map<String, MemorySegment> tensors;

  /**
   * @param tensors every parameter of {@link BertConfig#parameters()} by name; extra entries are
   *                ignored
   * @param source  the file the tensors came from, named in errors
   */
  public BertWeights(BertConfig config, Map<String, MemorySegment> tensors, String source) {
    this.config = config;
    Map<String, MemorySegment> checked = new LinkedHashMap<>();
    for (BertConfig.Parameter p : config.parameters()) {
      MemorySegment t = tensors.get(p.name());
      if (t == null) {
        throw new IllegalArgumentException(source + ": tensor \"" + p.name() + "\" is missing;"
            + " the file is not a complete BERT encoder");
      }
      if (t.byteSize() != 4 * p.elementCount()) {
        throw new IllegalArgumentException(source + ": tensor \"" + p.name() + "\" holds "
            + t.byteSize() / 4 + " floats, expected " + p.elementCount() + " for shape "
            + Arrays.toString(p.shape()));
      }
      checked.put(p.name(), t);
    }
    this.tensors = Map.copyOf(checked);
  }

  public BertConfig config() {
    return config;
  }

  /** The named parameter; linear weights in the {@code [in, out]} layout. */
  public MemorySegment get(String name) {
    MemorySegment t = tensors.get(name);
    if (t == null) throw new IllegalArgumentException("no parameter named \"" + name + "\"");
    return t;
  }
}
