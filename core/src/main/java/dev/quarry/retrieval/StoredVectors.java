package dev.quarry.retrieval;

import dev.quarry.index.store.Commit;
import dev.quarry.index.store.CorruptIndexException;
import dev.quarry.index.store.IndexStore;
import dev.quarry.index.store.StoreOutput;
import dev.quarry.index.store.StoredFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Document embeddings kept exactly, in one crash-safe store file (an exact flat index: no graph,
 * every query scans every vector). The file {@value #FILE} (format {@value #FORMAT}, version 1),
 * payload little-endian: int32 count n, int32 dimension d, n × d float32 vectors in document
 * order, then n times (int32 byte length, UTF-8 id), zero-padded to a multiple of 4. The
 * manifest's metadata names the model ({@code dense.model}).
 */
public final class StoredVectors {

  static final String FILE = "vectors";
  static final String FORMAT = "quarry.dense.flat";
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final List<String> ids;
  private final float[] vectors;
  private final int dimension;
  private final String model;
  private final Map<String, Integer> ordinals = new HashMap<>();

  StoredVectors(List<String> ids, float[] vectors, int dimension, String model) {
    this.ids = List.copyOf(ids);
    this.vectors = vectors;
    this.dimension = dimension;
    this.model = model;
    for (int i = 0; i < this.ids.size(); i++) ordinals.put(this.ids.get(i), i);
  }

  /** Writes {@code vectors} (one per id, all of one dimension) as a new commit in {@code dir}. */
  public static void write(Path dir, List<String> ids, float[][] vectors, String model) throws IOException {
    if (ids.size() != vectors.length) {
      throw new IllegalArgumentException(ids.size() + " ids but " + vectors.length + " vectors");
    }
    int d = vectors.length == 0 ? 0 : vectors[0].length;
    try (IndexStore store = IndexStore.open(dir); Commit c = store.newCommit()) {
      try (StoreOutput out = c.create(FILE, FORMAT, 1)) {
        out.writeInt(ids.size()).writeInt(d);
        for (float[] v : vectors) {
          if (v.length != d) throw new IllegalArgumentException("vectors of dimensions " + d + " and " + v.length);
          for (float x : v) {
            if (!Float.isFinite(x)) throw new IllegalArgumentException("a document vector holds " + x);
          }
          out.writeFloats(v, 0, d);
        }
        int bytes = 0;
        for (String id : ids) {
          byte[] b = id.getBytes(StandardCharsets.UTF_8);
          out.writeInt(b.length).writeBytes(b, 0, b.length);
          bytes += b.length;
        }
        for (int pad = (4 - bytes % 4) % 4; pad > 0; pad--) out.writeByte((byte) 0);
      }
      c.put("dense.model", model);
      c.put("dense.dimension", Integer.toString(d));
      c.commit();
    }
  }

  /** Reads the last commit of {@code dir}. */
  public static StoredVectors read(Path dir) throws IOException {
    try (IndexStore store = IndexStore.openExisting(dir); StoredFile f = store.openFile(FILE, FORMAT)) {
      MemorySegment m = f.payload();
      String where = f.path().toString();
      if (m.byteSize() < 8) throw new CorruptIndexException(where + ": too short");
      int n = m.get(INT, 0);
      int d = m.get(INT, 4);
      long floats = (long) n * d;
      if (n < 0 || d < 0 || 8 + 4 * floats > m.byteSize()) {
        throw new CorruptIndexException(where + ": " + n + " vectors of " + d + " do not fit the file");
      }
      float[] vectors = new float[(int) floats];
      MemorySegment.copy(m, FLOAT, 8, vectors, 0, vectors.length);
      long pos = 8 + 4 * floats;
      List<String> ids = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        if (pos + 4 > m.byteSize()) throw new CorruptIndexException(where + ": truncated ids");
        int len = m.get(INT, pos);
        if (len < 0 || pos + 4 + len > m.byteSize()) throw new CorruptIndexException(where + ": bad id length");
        byte[] b = new byte[len];
        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, pos + 4, b, 0, len);
        ids.add(new String(b, StandardCharsets.UTF_8));
        pos += 4 + len;
      }
      return new StoredVectors(ids, vectors, d, store.manifest().userData().getOrDefault("dense.model", ""));
    }
  }

  public int size() {
    return ids.size();
  }

  public int dimension() {
    return dimension;
  }

  /** The model that made the vectors, as given to {@link #write}. */
  public String model() {
    return model;
  }

  public List<String> ids() {
    return ids;
  }

  /** The vector of document {@code id}, or null. */
  public float[] vector(String id) {
    Integer i = ordinals.get(id);
    if (i == null) return null;
    float[] v = new float[dimension];
    System.arraycopy(vectors, i * dimension, v, 0, dimension);
    return v;
  }

  /** Vectors by id, for {@link TwoStageRetriever}. */
  public float[][] vectors(List<String> wanted) {
    float[][] out = new float[wanted.size()][];
    for (int i = 0; i < out.length; i++) out[i] = vector(wanted.get(i));
    return out;
  }

  /** The cosine of {@code query} with every document, in document order. */
  float[] cosines(float[] query) {
    if (query.length != dimension) {
      throw new IllegalArgumentException("query has dimension " + query.length + ", the index " + dimension);
    }
    float[] out = new float[ids.size()];
    double qn = 0;
    for (float x : query) qn += x * x;
    for (int doc = 0; doc < out.length; doc++) {
      double dot = 0, dn = 0;
      int base = doc * dimension;
      for (int i = 0; i < dimension; i++) {
        float v = vectors[base + i];
        dot += query[i] * v;
        dn += v * v;
      }
      out[doc] = qn == 0 || dn == 0 ? 0f : (float) (dot / Math.sqrt(qn * dn));
    }
    return out;
  }
}
