package dev.quarry.model.safetensors;

import dev.quarry.model.BertWeights;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory-mapped {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to {@code {dtype, shape, data_offsets: [begin, end]}} (offsets relative
 * to the end of the header), then the tensor bytes.
 *
 * <p>F32 tensors are slices of the mapping; F16 and BF16 ones are widened to F32 in the arena, since
 * the encoder computes in F32.
 */
public final class SafetensorsFile {

  private static final ValueLayout.OfShort SHORT_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final long MAX_HEADER = 100L << 20;

  /** One tensor: its shape and its values as little-endian F32. */
  public record Tensor(long[] shape, MemorySegment data) {}

  private final Map<String, Tensor> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(Map<String, Tensor> tensors, Map<String, String> metadata) {
    this.tensors = tensors;
    this.metadata = metadata;
  }

  public static SafetensorsFile open(Path file, Arena arena) throws IOException {
    MemorySegment mapped;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "weights file not found");
    }
    if (mapped.byteSize() < 8) throw corrupt(file, "shorter than its 8-byte header length");
    long headerLength = mapped.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (headerLength <= 0 || headerLength > MAX_HEADER || headerLength > mapped.byteSize() - 8) {
      throw corrupt(file, "header length " + headerLength + " does not fit a file of "
          + mapped.byteSize() + " bytes");
    }
    byte[] headerBytes = mapped.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
    JsonNode header;
    try {
      header = new ObjectMapper().readTree(new String(headerBytes, StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw corrupt(file, "its JSON header does not parse (" + e.getOriginalMessage() + ")");
    }
    if (header == null || !header.isObject()) throw corrupt(file, "its header is not a JSON object");
    MemorySegment data = mapped.asSlice(8 + headerLength);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        e.getValue().properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      tensors.put(e.getKey(), readTensor(file, e.getKey(), e.getValue(), data, arena));
    }
    return new SafetensorsFile(tensors, metadata);
  }

  private static Tensor readTensor(Path file, String name, JsonNode info, MemorySegment data, Arena arena)
      throws IOException {
    String dtype = info.path("dtype").asText();
    JsonNode shapeNode = info.path("shape");
    JsonNode offsets = info.path("data_offsets");
    if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
      throw corrupt(file, "tensor \"" + name + "\" lacks shape or data_offsets");
    }
    long[] shape = new long[shapeNode.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asLong(-1);
      if (shape[i] < 0) throw corrupt(file, "tensor \"" + name + "\" has a negative dimension");
      count *= shape[i];
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    int size = switch (dtype) {
      case "F32" -> 4;
      case "F16", "BF16" -> 2;
      default -> throw new IOException(file + ": tensor \"" + name + "\" has dtype " + dtype
          + " (F32, F16 and BF16 are supported)");
    };
    if (begin < 0 || end < begin || end > data.byteSize() || end - begin != count * size) {
      throw corrupt(file, "tensor \"" + name + "\" spans bytes [" + begin + ", " + end
          + ") but needs " + count * size + " within " + data.byteSize());
    }
    MemorySegment bytes = data.asSlice(begin, end - begin);
    if (size == 4) return new Tensor(shape, bytes);
    MemorySegment widened = arena.allocate(4 * count, 64);
    for (long i = 0; i < count; i++) {
      short bits = bytes.getAtIndex(SHORT_LE, i);
      float v = dtype.equals("F16") ? Float.float16ToFloat(bits) : Float.intBitsToFloat((bits & 0xffff) << 16);
      widened.setAtIndex(BertWeights.FLOAT, i, v);
    }
    return new Tensor(shape, widened);
  }

  private static IOException corrupt(Path file, String what) {
    return new IOException(file + ": not a valid safetensors file (" + what
        + "); it may be truncated or corrupt: write or download it again");
  }

  public Map<String, Tensor> tensors() {
    return tensors;
  }

  public Map<String, String> metadata() {
    return metadata;
  }
}
