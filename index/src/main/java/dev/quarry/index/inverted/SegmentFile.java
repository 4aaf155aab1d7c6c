package dev.quarry.index.inverted;

import dev.quarry.index.store.CorruptIndexException;
import dev.quarry.index.store.StoreOutput;
import dev.quarry.index.store.StoredFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes one {@link Segment} as the payload of a store file (format
 * {@value #FORMAT}, version {@value #VERSION}; header, footer and CRC32C come from
 * {@link StoreOutput}). Payload layout, all integers little-endian int32:
 *
 * <pre>
 *  maxDoc D, terms T, blocks B, impacts I, packed words P
 *  D       document lengths
 *  D + 1   offsets of the ids in the id bytes; then L = offsets[D] bytes of UTF-8 ids,
 *          zero bytes up to a multiple of 4
 *  T + 1   offsets of the terms in the term bytes (terms sorted); then the UTF-8 terms, padded
 *  T       document frequencies
 *  T + 1   first block of each term (and the end)
 *  B       last doc id of each block
 *  B       offset of each block in the packed words
 *  B + 1   first impact of each block (and the end)
 *  I       impact frequencies, then I impact lengths
 *  P       packed words (block layout in PostingsWriter)
 * </pre>
 */
final class SegmentFile {

  static final String FORMAT = "quarry.inverted.segment";
  static final int VERSION = 1;
  static final String DELETES_FORMAT = "quarry.inverted.deletes";

  private static final ValueLayout.OfInt INT =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private SegmentFile() {}

  static void write(Segment s, StoreOutput out) throws IOException {
    Postings p = s.postings;
    out.writeInt(s.maxDoc()).writeInt(p.terms()).writeInt(p.blockLastDoc().length)
        .writeInt(p.impactFreq().length).writeInt(p.packed().length);
    out.writeInts(s.lengths, 0, s.lengths.length);
    writeStrings(s.ids, out);
    writeStrings(s.terms, out);
    out.writeInts(p.docFreq(), 0, p.docFreq().length);
    out.writeInts(p.termBlockStart(), 0, p.termBlockStart().length);
    out.writeInts(p.blockLastDoc(), 0, p.blockLastDoc().length);
    out.writeInts(p.blockPos(), 0, p.blockPos().length);
    out.writeInts(p.blockImpactStart(), 0, p.blockImpactStart().length);
    out.writeInts(p.impactFreq(), 0, p.impactFreq().length);
    out.writeInts(p.impactLength(), 0, p.impactLength().length);
    out.writeInts(p.packed(), 0, p.packed().length);
  }

  private static void writeStrings(String[] strings, StoreOutput out) throws IOException {
    byte[][] bytes = new byte[strings.length][];
    int offset = 0;
    out.writeInt(0);
    for (int i = 0; i < strings.length; i++) {
      bytes[i] = strings[i].getBytes(StandardCharsets.UTF_8);
      offset += bytes[i].length;
      out.writeInt(offset);
    }
    for (byte[] b : bytes) out.writeBytes(b, 0, b.length);
    for (int pad = (4 - offset % 4) % 4; pad > 0; pad--) out.writeByte((byte) 0);
  }

  static Segment read(StoredFile file) throws IOException {
    Reader r = new Reader(file.payload(), file.path().toString());
    int maxDoc = r.count();
    int terms = r.count();
    int blocks = r.count();
    int impacts = r.count();
    int packedWords = r.count();
    int[] lengths = r.ints(maxDoc);
    String[] ids = r.strings(maxDoc);
    String[] termStrings = r.strings(terms);
    Postings p = new Postings(r.ints(terms), r.ints(terms + 1), r.ints(blocks), r.ints(blocks),
        r.ints(blocks + 1), r.ints(impacts), r.ints(impacts), r.ints(packedWords));
    r.expectEnd();
    check(p, maxDoc, lengths, r.where);
    return new Segment(ids, lengths, termStrings, p);
  }

  /** Cheap consistency checks so that a damaged but checksum-valid file fails, not misreads. */
  private static void check(Postings p, int maxDoc, int[] lengths, String where)
      throws CorruptIndexException {
    int blocks = p.blockLastDoc().length;
    int[] tbs = p.termBlockStart();
    for (int t = 0; t < p.terms(); t++) {
      if (tbs[t] < 0 || tbs[t] >= tbs[t + 1] || tbs[t + 1] > blocks) {
        throw new CorruptIndexException(where + ": term " + t + " has a bad block range");
      }
    }
    for (int b = 0; b < blocks; b++) {
      if (p.blockLastDoc()[b] < 0 || p.blockLastDoc()[b] >= maxDoc
          || p.blockPos()[b] < 0 || p.blockPos()[b] >= p.packed().length
          || p.blockImpactStart()[b] > p.blockImpactStart()[b + 1]) {
        throw new CorruptIndexException(where + ": block " + b + " points outside the file");
      }
    }
    for (int len : lengths) {
      if (len < 0) throw new CorruptIndexException(where + ": a negative document length");
    }
  }

  static void writeDeletes(long[] deleted, int maxDoc, StoreOutput out) throws IOException {
    out.writeInt(maxDoc);
    out.writeLongs(deleted, 0, deleted.length);
  }

  static long[] readDeletes(StoredFile file, int maxDoc) throws IOException {
    MemorySegment m = file.payload();
    String where = file.path().toString();
    int words = (maxDoc + 63) >>> 6;
    if (m.byteSize() != 4 + 8L * words || m.get(INT, 0) != maxDoc) {
      throw new CorruptIndexException(where + ": deletions do not match a segment of " + maxDoc
          + " documents");
    }
    long[] out = new long[words];
    MemorySegment.copy(m, LONG, 4, out, 0, words);
    return out;
  }

  private static final class Reader {
    final MemorySegment m;
    final String where;
    long pos;

    Reader(MemorySegment m, String where) {
      this.m = m;
      this.where = where;
    }

    int count() throws CorruptIndexException {
      int n = ints(1)[0];
      if (n < 0) throw new CorruptIndexException(where + ": negative count " + n);
      return n;
    }

    int[] ints(int n) throws CorruptIndexException {
      if (n < 0 || pos + 4L * n > m.byteSize()) {
        throw new CorruptIndexException(where + ": truncated segment (wanted " + n + " ints at "
            + pos + " of " + m.byteSize() + " bytes)");
      }
      int[] out = new int[n];
      MemorySegment.copy(m, INT, pos, out, 0, n);
      pos += 4L * n;
      return out;
    }

    String[] strings(int n) throws CorruptIndexException {
      int[] offsets = ints(n + 1);
      int total = offsets[n];
      if (offsets[0] != 0 || total < 0 || pos + total > m.byteSize()) {
        throw new CorruptIndexException(where + ": bad string table");
      }
      byte[] bytes = new byte[total];
      MemorySegment.copy(m, ValueLayout.JAVA_BYTE, pos, bytes, 0, total);
      String[] out = new String[n];
      for (int i = 0; i < n; i++) {
        if (offsets[i] > offsets[i + 1]) throw new CorruptIndexException(where + ": bad string table");
        out[i] = new String(bytes, offsets[i], offsets[i + 1] - offsets[i], StandardCharsets.UTF_8);
      }
      pos += total + (4 - total % 4) % 4;
      return out;
    }

    void expectEnd() throws CorruptIndexException {
      if (pos != m.byteSize()) {
        throw new CorruptIndexException(where + ": " + (m.byteSize() - pos) + " unexpected bytes");
      }
    }
  }
}
