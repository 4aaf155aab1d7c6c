package dev.quarry.index.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * One committed data file, memory-mapped read-only, its header, length and CRC32C checked on open
 * (layout in {@link StoreOutput}). Closing it unmaps the file: later reads throw
 * {@link IllegalStateException}, never crash the JVM.
 */
public final class StoredFile implements AutoCloseable {

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final Arena arena;
  private final MemorySegment payload;
  private final String format;
  private final int version;
  private final Path path;

  private StoredFile(Arena arena, MemorySegment payload, String format, int version, Path path) {
    this.arena = arena;
    this.payload = payload;
    this.format = format;
    this.version = version;
    this.path = path;
  }

  /**
   * Maps {@code path} and checks it against its manifest entry and the expected format name.
   *
   * @throws CorruptIndexException if the file is truncated, foreign, of another format or damaged
   */
  static StoredFile open(Path path, Manifest.FileEntry entry, String expectedFormat) throws IOException {
    Arena arena = Arena.ofShared();
    try {
      MemorySegment all;
      try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
        long size = channel.size();
        if (size != entry.length()) {
          throw new CorruptIndexException(path + ": " + size + " bytes, but the manifest says " + entry.length()
              + " (truncated or replaced)");
        }
        if (size < StoreOutput.HEADER_BYTES + StoreOutput.FOOTER_BYTES) {
          throw new CorruptIndexException(path + ": " + size + " bytes is too short for a Quarry index file");
        }
        all = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      }
      // Before the checksum reads the file in: pages not yet cached then come in huge.
      HugePages.advise(all);
      long size = all.byteSize();
      if (all.get(INT, 0) != StoreOutput.MAGIC) {
        throw new CorruptIndexException(path + ": not a Quarry index file (magic 0x"
            + Integer.toHexString(all.get(INT, 0)) + ")");
      }
      if (all.get(INT, size - 4) != StoreOutput.FOOTER_MAGIC) {
        throw new CorruptIndexException(path + ": footer missing (truncated file)");
      }
      long payloadLength = all.get(LONG, size - 16);
      if (payloadLength != size - StoreOutput.HEADER_BYTES - StoreOutput.FOOTER_BYTES) {
        throw new CorruptIndexException(path + ": footer says " + payloadLength + " payload bytes, the file holds "
            + (size - StoreOutput.HEADER_BYTES - StoreOutput.FOOTER_BYTES));
      }
      int stored = all.get(INT, size - 8);
      if (stored != entry.checksum()) {
        throw new CorruptIndexException(path + ": checksum 0x" + Integer.toHexString(stored)
            + " differs from the manifest's 0x" + Integer.toHexString(entry.checksum()) + " (file replaced?)");
      }
      int actual = crc32c(all, size - 8);
      if (actual != stored) {
        throw new CorruptIndexException(path + ": CRC32C mismatch (stored 0x" + Integer.toHexString(stored)
            + ", computed 0x" + Integer.toHexString(actual) + "): the file is damaged");
      }
      int nameLength = Byte.toUnsignedInt(all.get(ValueLayout.JAVA_BYTE, 16));
      if (nameLength < 1 || nameLength > StoreOutput.MAX_FORMAT_NAME) {
        throw new CorruptIndexException(path + ": bad format name length " + nameLength);
      }
      byte[] name = all.asSlice(17, nameLength).toArray(ValueLayout.JAVA_BYTE);
      String format = new String(name, StandardCharsets.US_ASCII);
      if (expectedFormat != null && !expectedFormat.equals(format)) {
        throw new CorruptIndexException(path + ": format is \"" + format + "\", expected \"" + expectedFormat + "\"");
      }
      int version = all.get(INT, 4);
      return new StoredFile(arena, all.asSlice(StoreOutput.HEADER_BYTES, payloadLength), format, version, path);
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private static int crc32c(MemorySegment segment, long length) {
    CRC32C crc = new CRC32C();
    for (long at = 0; at < length; ) {
      int n = (int) Math.min(length - at, 1 << 30);
      crc.update(segment.asSlice(at, n).asByteBuffer());
      at += n;
    }
    return (int) crc.getValue();
  }

  /** The payload, read-only, starting 64-byte aligned in the file. */
  public MemorySegment payload() {
    return payload;
  }

  /** The format name written into the header. */
  public String format() {
    return format;
  }

  /** The format version written into the header. */
  public int version() {
    return version;
  }

  public Path path() {
    return path;
  }

  /** Unmaps the file. */
  @Override
  public void close() {
    if (arena.scope().isAlive()) arena.close();
  }
}
