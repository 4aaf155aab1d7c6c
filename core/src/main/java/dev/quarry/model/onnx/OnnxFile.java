package dev.quarry.model.onnx;

import dev.quarry.model.BertWeights;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The initializers and operators of an ONNX model, read from a memory-mapped file.
 *
 * <p>Only what an encoder's weights need is decoded: {@code ModelProto.graph} (field 7), and in it
 * {@code node} (1) and {@code initializer} (5). Raw tensor data stays in the mapping; tensors stored
 * as typed repeated fields (small scales and zero points) are decoded into the arena.
 */
public final class OnnxFile {

  private final Path path;
  private final Map<String, OnnxTensor> initializers;
  private final Map<String, OnnxTensor> constants;
  private final List<OnnxNode> nodes;

  private OnnxFile(Path path, Map<String, OnnxTensor> initializers, Map<String, OnnxTensor> constants,
      List<OnnxNode> nodes) {
    this.path = path;
    this.initializers = initializers;
    this.constants = constants;
    this.nodes = nodes;
  }

  /** Maps {@code file} into {@code arena} and indexes its graph; the mapping lives as long as the arena. */
  public static OnnxFile open(Path file, Arena arena) throws IOException {
    MemorySegment mapped;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "model file not found");
    }
    if (mapped.byteSize() == 0) {
      throw new IOException(file + ": the ONNX file is empty; download or export it again");
    }
    String source = file.toString();
    Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
    Map<String, OnnxTensor> constants = new LinkedHashMap<>();
    List<OnnxNode> nodes = new ArrayList<>();
    ProtoReader model = new ProtoReader(mapped, 0, mapped.byteSize(), source);
    boolean sawGraph = false;
    while (model.hasMore()) {
      int tag = model.readTag();
      if (tag >>> 3 == 7 && (tag & 7) == ProtoReader.LENGTH_DELIMITED) {
        long end = model.readLengthDelimitedEnd();
        readGraph(model.child(model.position(), end), mapped, arena, initializers, constants, nodes);
        model.seek(end);
        sawGraph = true;
      } else {
        model.skip(tag & 7);
      }
    }
    if (!sawGraph) throw model.corrupt("no graph");
    return new OnnxFile(file, initializers, constants, nodes);
  }

  public Path path() {
    return path;
  }

  public Map<String, OnnxTensor> initializers() {
    return initializers;
  }

  /** The values of {@code Constant} operators, by output name (shapes, scales, epsilons). */
  public Map<String, OnnxTensor> constants() {
    return constants;
  }

  public List<OnnxNode> nodes() {
    return nodes;
  }

  private static void readGraph(ProtoReader graph, MemorySegment file, Arena arena,
      Map<String, OnnxTensor> initializers, Map<String, OnnxTensor> constants, List<OnnxNode> nodes) {
    while (graph.hasMore()) {
      int tag = graph.readTag();
      int field = tag >>> 3;
      if ((field == 1 || field == 5) && (tag & 7) == ProtoReader.LENGTH_DELIMITED) {
        long end = graph.readLengthDelimitedEnd();
        ProtoReader message = graph.child(graph.position(), end);
        if (field == 1) {
          OnnxNode node = readNode(message, file, arena, constants);
          nodes.add(node);
        } else {
          OnnxTensor tensor = readTensor(message, file, arena);
          initializers.put(tensor.name(), tensor);
        }
        graph.seek(end);
      } else {
        graph.skip(tag & 7);
      }
    }
  }

  private static OnnxNode readNode(ProtoReader node, MemorySegment file, Arena arena,
      Map<String, OnnxTensor> constants) {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    String name = "";
    String opType = "";
    OnnxTensor value = null;
    while (node.hasMore()) {
      int tag = node.readTag();
      switch (tag >>> 3) {
        case 1 -> inputs.add(node.readString());
        case 2 -> outputs.add(node.readString());
        case 3 -> name = node.readString();
        case 4 -> opType = node.readString();
        case 5 -> {
          long end = node.readLengthDelimitedEnd();
          OnnxTensor t = readTensorAttribute(node.child(node.position(), end), file, arena);
          if (t != null) value = t;
          node.seek(end);
        }
        default -> node.skip(tag & 7);
      }
    }
    if (opType.equals("Constant") && value != null && outputs.size() == 1) {
      constants.put(outputs.getFirst(), value);
    }
    return new OnnxNode(name, opType, List.copyOf(inputs), List.copyOf(outputs));
  }

  /** The tensor of an {@code AttributeProto} ({@code t}, field 5), or null for other attributes. */
  private static OnnxTensor readTensorAttribute(ProtoReader attribute, MemorySegment file, Arena arena) {
    OnnxTensor tensor = null;
    while (attribute.hasMore()) {
      int tag = attribute.readTag();
      if (tag >>> 3 == 5 && (tag & 7) == ProtoReader.LENGTH_DELIMITED) {
        long end = attribute.readLengthDelimitedEnd();
        tensor = readTensor(attribute.child(attribute.position(), end), file, arena);
        attribute.seek(end);
      } else {
        attribute.skip(tag & 7);
      }
    }
    return tensor;
  }

  private static OnnxTensor readTensor(ProtoReader tensor, MemorySegment file, Arena arena) {
    List<Long> dims = new ArrayList<>();
    List<Long> ints = new ArrayList<>();
    List<Float> floats = new ArrayList<>();
    int dataType = 0;
    String name = "";
    MemorySegment raw = null;
    while (tensor.hasMore()) {
      int tag = tensor.readTag();
      int wire = tag & 7;
      switch (tag >>> 3) {
        case 1 -> readPackedVarints(tensor, wire, dims);
        case 2 -> dataType = (int) tensor.readVarint();
        case 4 -> readFloats(tensor, wire, floats);
        case 5, 7 -> readPackedVarints(tensor, wire, ints);
        case 8 -> name = tensor.readString();
        case 9 -> {
          long end = tensor.readLengthDelimitedEnd();
          raw = file.asSlice(tensor.position(), end - tensor.position());
          tensor.seek(end);
        }
        case 13 -> throw tensor.corrupt("tensor \"" + name + "\" keeps its data in an external file,"
            + " which Quarry does not read; re-export the model with the weights inside the .onnx file");
        default -> tensor.skip(wire);
      }
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    MemorySegment data = raw != null ? raw : decodeTyped(dataType, ints, floats, arena);
    OnnxTensor result = new OnnxTensor(name, dataType, shape, data);
    int size = OnnxTensor.elementSize(dataType);
    if (size != 0 && data.byteSize() != result.elementCount() * size) {
      throw tensor.corrupt("tensor \"" + name + "\" of shape " + result.shape() + " holds "
          + data.byteSize() + " bytes, expected " + result.elementCount() * size);
    }
    return result;
  }

  private static MemorySegment decodeTyped(int dataType, List<Long> ints, List<Float> floats, Arena arena) {
    switch (dataType) {
      case OnnxTensor.FLOAT -> {
        MemorySegment out = arena.allocate(4L * floats.size(), 4);
        for (int i = 0; i < floats.size(); i++) out.setAtIndex(BertWeights.FLOAT, i, floats.get(i));
        return out;
      }
      case OnnxTensor.UINT8, OnnxTensor.INT8 -> {
        MemorySegment out = arena.allocate(Math.max(1, ints.size()));
        for (int i = 0; i < ints.size(); i++) out.set(ValueLayout.JAVA_BYTE, i, (byte) (long) ints.get(i));
        return out.asSlice(0, ints.size());
      }
      case OnnxTensor.INT32 -> {
        MemorySegment out = arena.allocate(4L * ints.size(), 4);
        for (int i = 0; i < ints.size(); i++) {
          out.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, (int) (long) ints.get(i));
        }
        return out;
      }
      case OnnxTensor.INT64 -> {
        MemorySegment out = arena.allocate(8L * ints.size(), 8);
        for (int i = 0; i < ints.size(); i++) {
          out.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, ints.get(i));
        }
        return out;
      }
      default -> {
        return MemorySegment.NULL;
      }
    }
  }

  private static void readPackedVarints(ProtoReader reader, int wire, List<Long> into) {
    if (wire == ProtoReader.LENGTH_DELIMITED) {
      long end = reader.readLengthDelimitedEnd();
      while (reader.position() < end) into.add(reader.readVarint());
    } else {
      into.add(reader.readVarint());
    }
  }

  private static void readFloats(ProtoReader reader, int wire, List<Float> into) {
    if (wire == ProtoReader.LENGTH_DELIMITED) {
      long end = reader.readLengthDelimitedEnd();
      while (reader.position() < end) into.add(Float.intBitsToFloat(reader.readFixed32()));
    } else {
      into.add(Float.intBitsToFloat(reader.readFixed32()));
    }
  }
}
