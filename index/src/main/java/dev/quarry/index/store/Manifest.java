package dev.quarry.index.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * What one commit of a store holds: its generation, its files with their lengths and checksums,
 * and the owner's key/value metadata.
 *
 * <p>Byte layout of the {@code MANIFEST} file, all integers little-endian:
 * <pre>
 *  0  int32   magic 0x4D595251 (the bytes "QRYM")
 *  4  int32   manifest version, 1
 *  8  int64   generation (1 for the first commit, then +1 per commit)
 * 16  int32   F, the number of files
 *     F times: uint16 n, n bytes UTF-8 logical name; uint16 p, p bytes UTF-8 file name in the
 *              directory; int64 file length in bytes; int32 the file's CRC32C (from its footer)
 *     int32   U, the number of metadata entries
 *     U times: uint16 n, n bytes UTF-8 key; int32 v, v bytes UTF-8 value
 *     int32   CRC32C of every preceding byte
 * </pre>
 *
 * @param files    logical name to the file's entry, in commit order
 * @param userData the owner's metadata (what the files mean: dimensions, counts, settings)
 */
public record Manifest(long generation, Map<String, FileEntry> files, Map<String, String> userData) {

  static final int MAGIC = 0x4D595251;
  static final int VERSION = 1;

  /** One data file of a commit. */
  public record FileEntry(String name, String fileName, long length, int checksum) {}

  public Manifest {
    files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    userData = Collections.unmodifiableMap(new LinkedHashMap<>(userData));
  }

  byte[] toBytes() {
    int size = 24;
    for (FileEntry f : files.values()) size += 2 + utf8(f.name()).length + 2 + utf8(f.fileName()).length + 12;
    for (Map.Entry<String, String> e : userData.entrySet()) size += 2 + utf8(e.getKey()).length + 4 + utf8(e.getValue()).length;
    ByteBuffer buf = ByteBuffer.allocate(size + 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(MAGIC).putInt(VERSION).putLong(generation).putInt(files.size());
    for (FileEntry f : files.values()) {
      putShortString(buf, f.name());
      putShortString(buf, f.fileName());
      buf.putLong(f.length()).putInt(f.checksum());
    }
    buf.putInt(userData.size());
    for (Map.Entry<String, String> e : userData.entrySet()) {
      putShortString(buf, e.getKey());
      byte[] value = utf8(e.getValue());
      buf.putInt(value.length).put(value);
    }
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    return buf.array();
  }

  static Manifest parse(byte[] bytes, String source) throws CorruptIndexException {
    if (bytes.length < 28) {
      throw new CorruptIndexException(source + ": " + bytes.length + " bytes is too short for a manifest (truncated?)");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (buf.getInt(0) != MAGIC) {
      throw new CorruptIndexException(source + ": not a Quarry manifest (magic 0x"
          + Integer.toHexString(buf.getInt(0)) + ", expected 0x" + Integer.toHexString(MAGIC) + ")");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != buf.getInt(bytes.length - 4)) {
      throw new CorruptIndexException(source + ": manifest checksum mismatch (truncated or damaged)");
    }
    try {
      buf.position(4);
      int version = buf.getInt();
      if (version != VERSION) {
        throw new CorruptIndexException(source + ": manifest version " + version + " is not supported (this reader knows " + VERSION + ")");
      }
      long generation = buf.getLong();
      int fileCount = buf.getInt();
      Map<String, FileEntry> files = new LinkedHashMap<>();
      for (int i = 0; i < fileCount; i++) {
        String name = getShortString(buf);
        String fileName = getShortString(buf);
        files.put(name, new FileEntry(name, fileName, buf.getLong(), buf.getInt()));
      }
      int userCount = buf.getInt();
      Map<String, String> userData = new LinkedHashMap<>();
      for (int i = 0; i < userCount; i++) {
        String key = getShortString(buf);
        byte[] value = new byte[buf.getInt()];
        buf.get(value);
        userData.put(key, new String(value, StandardCharsets.UTF_8));
      }
      return new Manifest(generation, files, userData);
    } catch (RuntimeException e) {
      throw new CorruptIndexException(source + ": manifest structure is damaged (" + e + ")");
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void putShortString(ByteBuffer buf, String s) {
    byte[] bytes = utf8(s);
    buf.putShort((short) bytes.length).put(bytes);
  }

  private static String getShortString(ByteBuffer buf) {
    byte[] bytes = new byte[Short.toUnsignedInt(buf.getShort())];
    buf.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
