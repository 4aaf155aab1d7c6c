package dev.quarry.model.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.model.TempFiles;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes F32 tensors as a {@code .safetensors} file (layout in {@link SafetensorsFile}), atomically:
 * the bytes go to a temporary file in the same directory, are forced to disk, then renamed over the
 * target, so a crash leaves either the old file or the new one. The header is padded with spaces to
 * a multiple of 8 bytes so that every tensor starts aligned, as the reference implementation does.
 */
public final class SafetensorsWriter {

  private final Map<String, SafetensorsFile.Tensor> tensors = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  /** Adds a tensor; {@code data} holds its little-endian F32 values in row-major order. */
  public SafetensorsWriter add(String name, long[] shape, MemorySegment data) {
    long count = 1;
    for (long d : shape) count *= d;
    if (data.byteSize() != 4 * count) {
      throw new IllegalArgumentException("tensor \"" + name + "\": " + data.byteSize()
          + " bytes for " + count + " floats");
    }
    if (tensors.putIfAbsent(name, new SafetensorsFile.Tensor(shape.clone(), data)) != null) {
      throw new IllegalArgumentException("tensor \"" + name + "\" added twice");
    }
    return this;
  }

  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  public void write(Path file) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode header = mapper.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, SafetensorsFile.Tensor> e : tensors.entrySet()) {
      ObjectNode info = header.putObject(e.getKey());
      info.put("dtype", "F32");
      ArrayNode shape = info.putArray("shape");
      for (long d : e.getValue().shape()) shape.add(d);
      long size = e.getValue().data().byteSize();
      info.putArray("data_offsets").add(offset).add(offset + size);
      offset += size;
    }
    byte[] json = mapper.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) head.put((byte) ' ');
    head.flip();

    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = TempFiles.createBeside(file);
    try {
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        writeFully(out, head);
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        for (SafetensorsFile.Tensor t : tensors.values()) {
          writeSegment(out, t.data(), chunk);
        }
        out.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Copies through a direct buffer: heap segments over float[] cannot be viewed as byte buffers. */
  private static void writeSegment(FileChannel out, MemorySegment data, ByteBuffer chunk) throws IOException {
    MemorySegment window = MemorySegment.ofBuffer(chunk.clear());
    for (long offset = 0; offset < data.byteSize(); offset += chunk.capacity()) {
      long n = Math.min(chunk.capacity(), data.byteSize() - offset);
      MemorySegment.copy(data, offset, window, 0, n);
      chunk.clear().limit((int) n);
      writeFully(out, chunk);
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) out.write(buffer);
  }
}
