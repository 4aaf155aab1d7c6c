package dev.quarry.index.store;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Writes one data file of a {@link Commit}: a fixed header, the caller's payload (little-endian),
 * and a footer with the CRC32C of everything before it.
 *
 * <p>Byte layout of every data file, all integers little-endian:
 * <pre>
 *  0     int32  magic 0x46595251 (the bytes "QRYF")
 *  4     int32  format version, the writer's own
 *  8     int64  commit generation the file was written for
 * 16     uint8  n, the length of the format name (1..47)
 * 17     n bytes ASCII format name (for instance "quarry.hnsw.graph")
 *        zero bytes up to offset 64, where the payload starts (so payload offsets aligned to
 *        64 are aligned in the mapped file)
 * 64     P bytes of payload
 * 64+P   int64  P
 * 72+P   int32  CRC32C of bytes [0, 72+P)
 * 76+P   int32  footer magic 0x444E4551 (the bytes "QEND")
 * </pre>
 */
public final class StoreOutput implements Closeable {

  static final int MAGIC = 0x46595251;
  static final int FOOTER_MAGIC = 0x444E4551;
  /** Where the payload starts. */
  public static final int HEADER_BYTES = 64;
  static final int FOOTER_BYTES = 16;
  static final int MAX_FORMAT_NAME = HEADER_BYTES - 17;

  /**
   * Every full flush writes 2 MB at a file offset that is a multiple of 2 MB: where the page cache
   * holds large folios, such writes leave 2 MB folios, which a reader maps with huge pages (see
   * {@link HugePages}). Small writes would leave small folios for as long as the file stays cached.
   */
  private static final int BLOCK_BYTES = 2 << 20;

  /** A small file never needs more: the buffer starts at this size and grows to a block once full. */
  private static final int FIRST_BYTES = 1 << 16;

  private final FileChannel channel;
  private final String fileName;
  private final WriteHook hook;
  private final Arena arena = Arena.ofShared();
  private ByteBuffer buffer = allocate(FIRST_BYTES);
  /** The whole buffer as a segment (a buffer's own view would cover only position to limit). */
  private MemorySegment whole = MemorySegment.ofBuffer(buffer.duplicate().clear());
  private final CRC32C crc = new CRC32C();
  private long written;
  private long payload;
  private boolean closed;
  private int checksum;

  StoreOutput(FileChannel channel, String fileName, String format, int version, long generation, WriteHook hook)
      throws IOException {
    this.channel = channel;
    this.fileName = fileName;
    this.hook = hook;
    byte[] name = format.getBytes(StandardCharsets.US_ASCII);
    buffer.putInt(MAGIC).putInt(version).putLong(generation).put((byte) name.length).put(name);
    while (buffer.position() < HEADER_BYTES) buffer.put((byte) 0);
  }

  static void checkFormatName(String format) {
    if (format == null || format.isEmpty() || format.length() > MAX_FORMAT_NAME
        || !StandardCharsets.US_ASCII.newEncoder().canEncode(format)) {
      throw new IllegalArgumentException("format name \"" + format + "\" must be 1.." + MAX_FORMAT_NAME + " ASCII characters");
    }
  }

  /** Bytes of payload written so far: the offset the next write lands at, from the payload start. */
  public long payloadLength() {
    return payload;
  }

  public StoreOutput writeByte(byte b) throws IOException {
    ensure();
    buffer.put(b);
    payload++;
    return this;
  }

  public StoreOutput writeInt(int v) throws IOException {
    ensure();
    if (buffer.remaining() >= 4) buffer.putInt(v); else spill(v, 4);
    payload += 4;
    return this;
  }

  public StoreOutput writeLong(long v) throws IOException {
    ensure();
    if (buffer.remaining() >= 8) buffer.putLong(v); else spill(v, 8);
    payload += 8;
    return this;
  }

  public StoreOutput writeFloat(float v) throws IOException {
    ensure();
    if (buffer.remaining() >= 4) buffer.putFloat(v); else spill(Float.floatToRawIntBits(v), 4);
    payload += 4;
    return this;
  }

  /** Puts the low {@code bytes} bytes of {@code v} little-endian across a full buffer's flush. */
  private void spill(long v, int bytes) throws IOException {
    for (int i = 0; i < bytes; i++) {
      ensure();
      buffer.put((byte) (v >>> 8 * i));
    }
  }

  public StoreOutput writeBytes(byte[] b, int offset, int length) throws IOException {
    while (length > 0) {
      ensure();
      int n = Math.min(length, buffer.remaining());
      buffer.put(b, offset, n);
      offset += n;
      length -= n;
      payload += n;
    }
    return this;
  }

  public StoreOutput writeInts(int[] v, int offset, int length) throws IOException {
    for (int i = 0; i < length; i++) writeInt(v[offset + i]);
    return this;
  }

  public StoreOutput writeLongs(long[] v, int offset, int length) throws IOException {
    for (int i = 0; i < length; i++) writeLong(v[offset + i]);
    return this;
  }

  public StoreOutput writeFloats(float[] v, int offset, int length) throws IOException {
    for (int i = 0; i < length; i++) writeFloat(v[offset + i]);
    return this;
  }

  /** Copies {@code length} bytes of {@code segment} from {@code offset}, as they are. */
  public StoreOutput writeSegment(MemorySegment segment, long offset, long length) throws IOException {
    while (length > 0) {
      ensure();
      int n = (int) Math.min(length, buffer.remaining());
      MemorySegment.copy(segment, offset, whole, buffer.position(), n);
      buffer.position(buffer.position() + n);
      offset += n;
      length -= n;
      payload += n;
    }
    return this;
  }

  /** Writes zero bytes until the payload length is a multiple of {@code alignment}. */
  public StoreOutput align(int alignment) throws IOException {
    while (payload % alignment != 0) writeByte((byte) 0);
    return this;
  }

  /** Flushes only a full buffer, so that every write but the last is a whole aligned block. */
  private void ensure() throws IOException {
    if (closed) throw new IllegalStateException(fileName + " is already closed");
    if (buffer.hasRemaining()) return;
    if (buffer.capacity() < BLOCK_BYTES) {
      ByteBuffer block = allocate(BLOCK_BYTES);
      block.put(buffer.flip());
      buffer = block;
      whole = MemorySegment.ofBuffer(buffer.duplicate().clear());
    } else {
      flush();
    }
  }

  private ByteBuffer allocate(int bytes) {
    return arena.allocate(bytes, 4096).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  private void flush() throws IOException {
    buffer.flip();
    crc.update(buffer.duplicate());
    hook.before(WriteHook.Step.WRITE, fileName);
    while (buffer.hasRemaining()) written += channel.write(buffer);
    buffer.clear();
  }

  /** Writes the footer and closes the file; the commit fsyncs it. */
  @Override
  public void close() throws IOException {
    if (closed) return;
    ensure();
    if (buffer.remaining() >= 8) buffer.putLong(payload); else spill(payload, 8);
    // The CRC covers everything up to and including the payload length.
    buffer.flip();
    crc.update(buffer.duplicate());
    buffer.position(buffer.limit()).limit(buffer.capacity());
    checksum = (int) crc.getValue();
    if (buffer.remaining() < 8) {
      hook.before(WriteHook.Step.WRITE, fileName);
      buffer.flip();
      while (buffer.hasRemaining()) written += channel.write(buffer);
      buffer.clear();
    }
    buffer.putInt(checksum).putInt(FOOTER_MAGIC);
    buffer.flip();
    hook.before(WriteHook.Step.WRITE, fileName);
    while (buffer.hasRemaining()) written += channel.write(buffer);
    closed = true;
    // The buffer is done with: a commit of several large files holds one block at a time.
    arena.close();
  }

  /** Closes the channel, and frees the buffer if a failed write left it; once the commit is done with this output. */
  void release() throws IOException {
    try {
      if (channel.isOpen()) channel.close();
    } finally {
      if (arena.scope().isAlive()) arena.close();
    }
  }

  boolean isClosed() {
    return closed;
  }

  int checksum() {
    return checksum;
  }

  long fileLength() {
    return written;
  }

  String fileName() {
    return fileName;
  }

  FileChannel channel() {
    return channel;
  }

}
