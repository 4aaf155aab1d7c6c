package dev.quarry.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

  @Test
  void writesAndMapsF32(@TempDir Path dir) throws IOException {
    float[] values = {1.5f, -2f, 3.25f, 0f, Float.MIN_VALUE, -0f};
    Path file = dir.resolve("t.safetensors");
    new SafetensorsWriter().metadata("format", "pt")
        .add("a", new long[] {2, 3}, MemorySegment.ofArray(values))
        .add("b", new long[] {1}, MemorySegment.ofArray(new float[] {7f}))
        .write(file);
    try (Arena arena = Arena.ofConfined()) {
      SafetensorsFile read = SafetensorsFile.open(file, arena);
      assertEquals("pt", read.metadata().get("format"));
      assertArrayEquals(new long[] {2, 3}, read.tensors().get("a").shape());
      assertArrayEquals(values, read.tensors().get("a").data().toArray(ValueLayout.JAVA_FLOAT));
      assertEquals(7f, read.tensors().get("b").data().get(ValueLayout.JAVA_FLOAT, 0));
    }
  }

  @Test
  void widensHalfPrecision(@TempDir Path dir) throws IOException {
    // Header written by hand, as PyTorch would: F16 [1.0, -2.5] and BF16 [3.0].
    String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[4,6]}}";
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(8 + json.length + 6).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(json.length).put(json);
    buf.putShort(Float.floatToFloat16(1.0f)).putShort(Float.floatToFloat16(-2.5f));
    buf.putShort((short) (Float.floatToIntBits(3.0f) >>> 16));
    Path file = dir.resolve("half.safetensors");
    Files.write(file, buf.array());
    try (Arena arena = Arena.ofConfined()) {
      SafetensorsFile read = SafetensorsFile.open(file, arena);
      assertArrayEquals(new float[] {1.0f, -2.5f}, read.tensors().get("h").data().toArray(ValueLayout.JAVA_FLOAT));
      assertEquals(3.0f, read.tensors().get("b").data().get(ValueLayout.JAVA_FLOAT, 0));
    }
  }

  @Test
  void refusesCorruptFilesByName(@TempDir Path dir) throws IOException {
    Path empty = dir.resolve("empty.safetensors");
    Files.write(empty, new byte[3]);
    Path huge = dir.resolve("huge-header.safetensors");
    Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
    Path garbage = dir.resolve("garbage.safetensors");
    byte[] bad = "{not json".getBytes(StandardCharsets.UTF_8);
    Files.write(garbage, ByteBuffer.allocate(8 + bad.length).order(ByteOrder.LITTLE_ENDIAN).putLong(bad.length).put(bad).array());
    for (Path p : new Path[] {empty, huge, garbage}) {
      try (Arena arena = Arena.ofConfined()) {
        IOException e = assertThrows(IOException.class, () -> SafetensorsFile.open(p, arena));
        assertTrue(e.getMessage().contains(p.getFileName().toString()), e.getMessage());
      }
    }
  }
}
