package dev.quarry.index;

import dev.quarry.index.hnsw.GraphOrder;
import dev.quarry.index.hnsw.HnswGraph;
import dev.quarry.index.store.Commit;
import dev.quarry.index.store.CorruptIndexException;
import dev.quarry.index.store.IndexStore;
import dev.quarry.index.store.Manifest;
import dev.quarry.index.store.StoreOutput;
import dev.quarry.index.store.StoredFile;
import dev.quarry.index.store.WriteHook;
import dev.quarry.index.vectors.BinaryQuantizer;
import dev.quarry.index.vectors.Int8Quantizer;
import dev.quarry.index.vectors.RecordStore;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The files of an {@link HnswIndex}, committed through {@link IndexStore} (header, CRC32C footer
 * and atomic manifest as documented there). Payload layouts, little-endian:
 *
 * <pre>
 * vectors  "quarry.vectors.f32"    count × dimension float32, ordinal order (normalised for cosine)
 * codes    "quarry.vectors.int8"   float32 centre, float32 step, zeros to byte 64, then per ordinal
 *                                  dimension int8 codes + int32 Σcodes
 *          "quarry.vectors.binary" dimension float32 means, zeros to a multiple of 64, then per
 *                                  ordinal ⌈dimension/64⌉ int64 sign-bit words of x - means (bit
 *                                  i%64 of word i/64), float32 scale ‖o‖²/Σ|o_i|, float32 bias
 *                                  (-‖o‖² for EUCLIDEAN, &lt;means, o&gt; otherwise; o = x - means)
 * ids      "quarry.ids"            int32 count, int32 W, count int64 ids, W int64 tombstone words
 * graph    "quarry.hnsw.graph"     int32 count, int32 M, int32 entry node (-1: empty), int32 top level;
 *                                  int32 levels of each node (count of them); then for each level L
 *                                  from 0 up and each node whose levels exceed L, in ordinal order:
 *                                  int32 n, n int32 neighbours
 * </pre>
 *
 * Ordinals are the file's own: a commit numbers the nodes in the graph's hierarchical order
 * ({@link GraphOrder}), so that the vectors a search scores together lie together in the file, and
 * every file lists its nodes in that order. An opened index keeps it; adds append.
 *
 * <p>The manifest's metadata holds the configuration (dimension, similarity, encoding, m,
 * efConstruction, efSearch, seed, oversample; a manifest without oversample means 0) and the count.
 */
final class HnswIndexFiles {

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final int VERSION = 1;

  private HnswIndexFiles() {}

  static void write(Path directory, VectorIndexConfig config, HnswIndex.State s, WriteHook hook) throws IOException {
    int count = s.data.floats.size();
    try (IndexStore store = IndexStore.open(directory, hook)) {
      Commit commit = store.newCommit();
      try {
        int[] order = GraphOrder.hierarchical(s.graph, count);
        int[] rank = new int[count];
        for (int i = 0; i < count; i++) rank[order[i]] = i;
        try (StoreOutput out = commit.create("vectors", "quarry.vectors.f32", VERSION)) {
          writeRecords(out, s.data.floats, order);
        }
        if (s.data.codes != null) {
          boolean int8 = config.encoding() == VectorEncoding.INT8;
          try (StoreOutput out = commit.create("codes", int8 ? "quarry.vectors.int8" : "quarry.vectors.binary", VERSION)) {
            if (int8) {
              out.writeFloat(s.data.int8.centre()).writeFloat(s.data.int8.step());
            } else {
              out.writeFloats(s.data.binary.means(), 0, config.dimension());
            }
            out.align(64);
            writeRecords(out, s.data.codes, order);
          }
        }
        try (StoreOutput out = commit.create("ids", "quarry.ids", VERSION)) {
          int words = (count + 63) / 64;
          long[] deleted = new long[words];
          for (int i = 0; i < count; i++) if (s.ids.isDeleted(order[i])) deleted[i >> 6] |= 1L << i;
          out.writeInt(count).writeInt(words);
          for (int i = 0; i < count; i++) out.writeLong(s.ids.idOf(order[i]));
          out.writeLongs(deleted, 0, words);
        }
        try (StoreOutput out = commit.create("graph", "quarry.hnsw.graph", VERSION)) {
          HnswGraph g = s.graph;
          int top = g.maxLevel();
          int entry = g.entryNode();
          out.writeInt(count).writeInt(config.m()).writeInt(entry < 0 ? entry : rank[entry]).writeInt(top);
          for (int i = 0; i < count; i++) out.writeInt(g.levelOf(order[i]) + 1);
          int[] list = new int[2 * config.m()];
          for (int level = 0; level <= top; level++) {
            for (int i = 0; i < count; i++) {
              int node = order[i];
              if (g.levelOf(node) < level) continue;
              int n = g.neighbors(node, level, list);
              for (int j = 0; j < n; j++) list[j] = rank[list[j]];
              out.writeInt(n).writeInts(list, 0, n);
            }
          }
        }
        commit.put("dimension", Integer.toString(config.dimension()));
        commit.put("similarity", config.similarity().name());
        commit.put("encoding", config.encoding().name());
        commit.put("m", Integer.toString(config.m()));
        commit.put("efConstruction", Integer.toString(config.efConstruction()));
        commit.put("efSearch", Integer.toString(config.efSearch()));
        commit.put("seed", Long.toString(config.seed()));
        commit.put("oversample", Integer.toString(config.oversample()));
        commit.put("count", Integer.toString(count));
        commit.commit();
      } finally {
        commit.close();
      }
    }
  }

  private static void writeRecords(StoreOutput out, RecordStore records, int[] order) throws IOException {
    int bytes = records.recordBytes();
    for (int node : order) out.writeSegment(records.segment(), (long) node * bytes, bytes);
  }

  static HnswIndex open(Path directory, Residency residency) throws IOException {
    List<StoredFile> files = new ArrayList<>();
    try (IndexStore store = IndexStore.openExisting(directory)) {
      Manifest manifest = store.manifest();
      Map<String, String> meta = manifest.userData();
      VectorIndexConfig config;
      int count;
      try {
        config = new VectorIndexConfig(Integer.parseInt(need(meta, "dimension", directory)),
            Similarity.valueOf(need(meta, "similarity", directory)), VectorEncoding.valueOf(need(meta, "encoding", directory)),
            Integer.parseInt(need(meta, "m", directory)), Integer.parseInt(need(meta, "efConstruction", directory)),
            Integer.parseInt(need(meta, "efSearch", directory)), Long.parseLong(need(meta, "seed", directory)),
            Integer.parseInt(meta.getOrDefault("oversample", "0")));
        count = Integer.parseInt(need(meta, "count", directory));
      } catch (IllegalArgumentException e) {
        throw new CorruptIndexException(directory + ": the manifest does not describe a vector index (" + e.getMessage() + ")");
      }
      int dim = config.dimension();
      StoredFile vectors = track(files, store.openFile("vectors", "quarry.vectors.f32"));
      expect(vectors, (long) count * 4 * dim, "vectors");
      RecordStore floats = new RecordStore(4 * dim, vectors.payload(), count);
      if (residency == Residency.HEAP) floats.moveToHeap(RecordStore.Heap.FLOATS);
      VectorData data;
      if (config.encoding() == VectorEncoding.FLOAT32) {
        data = new VectorData(dim, config.similarity(), config.encoding(), floats, null, true);
      } else {
        boolean int8 = config.encoding() == VectorEncoding.INT8;
        StoredFile codesFile = track(files, store.openFile("codes", int8 ? "quarry.vectors.int8" : "quarry.vectors.binary"));
        MemorySegment p = codesFile.payload();
        int header = int8 ? 64 : (4 * dim + 63) / 64 * 64;
        int record = int8 ? dim + 4 : VectorData.binaryRecordBytes(dim);
        expect(codesFile, header + (long) count * record, "codes");
        RecordStore codes = new RecordStore(record, p.asSlice(header), count);
        // Binary codes are a 27th of the floats and walked at random: on the heap whatever the
        // residency (mapped, a binary search took 1.1× the time). Int8 codes, a quarter, follow it.
        if (residency == Residency.HEAP || !int8) codes.moveToHeap(int8 ? RecordStore.Heap.BYTES : RecordStore.Heap.LONGS);
        data = new VectorData(dim, config.similarity(), config.encoding(), floats, codes, true);
        if (int8) {
          data.int8 = new Int8Quantizer(p.get(FLOAT, 0), p.get(FLOAT, 4));
        } else {
          float[] means = new float[dim];
          MemorySegment.copy(p, FLOAT, 0, means, 0, dim);
          data.binary = new BinaryQuantizer(means);
        }
      }
      IdMap ids = new IdMap();
      try (StoredFile idFile = store.openFile("ids", "quarry.ids")) {
        MemorySegment p = idFile.payload();
        int words = (count + 63) / 64;
        if (p.byteSize() != 8 + 8L * count + 8L * words || p.get(INT, 0) != count || p.get(INT, 4) != words) {
          throw new CorruptIndexException(idFile.path() + ": does not hold " + count + " ids as the manifest says");
        }
        long[] byOrd = new long[count];
        long[] deleted = new long[Math.max(1, words)];
        MemorySegment.copy(p, LONG, 8, byOrd, 0, count);
        MemorySegment.copy(p, LONG, 8 + 8L * count, deleted, 0, words);
        ids.load(byOrd, count, deleted);
      }
      HnswGraph graph;
      try (StoredFile graphFile = store.openFile("graph", "quarry.hnsw.graph")) {
        graph = readGraph(graphFile, count, config.m());
      }
      return new HnswIndex(config, new HnswIndex.State(data, graph, ids), files);
    } catch (IOException | RuntimeException e) {
      for (StoredFile f : files) f.close();
      throw e;
    }
  }

  private static HnswGraph readGraph(StoredFile file, int count, int m) throws CorruptIndexException {
    MemorySegment p = file.payload();
    try {
      if (p.get(INT, 0) != count || p.get(INT, 4) != m) {
        throw new CorruptIndexException(file.path() + ": graph of " + p.get(INT, 0) + " nodes with M " + p.get(INT, 4)
            + ", the manifest says " + count + " and " + m);
      }
      int entry = p.get(INT, 8);
      int top = p.get(INT, 12);
      HnswGraph graph = new HnswGraph(m, Math.max(1, count));
      long at = 16;
      int[] levels = new int[count];
      for (int node = 0; node < count; node++, at += 4) {
        levels[node] = p.get(INT, at);
        if (levels[node] < 1 || levels[node] > top + 1) throw new CorruptIndexException(file.path() + ": node " + node + " has " + levels[node] + " levels");
        graph.addNode(node, levels[node]);
      }
      int[] buf = new int[2 * m + 1];
      for (int level = 0; level <= top; level++) {
        int max = graph.maxConn(level);
        for (int node = 0; node < count; node++) {
          if (levels[node] <= level) continue;
          int n = p.get(INT, at);
          if (n < 0 || n > max) throw new CorruptIndexException(file.path() + ": node " + node + " has " + n + " neighbours on level " + level);
          for (int i = 0; i < n; i++) {
            buf[i] = p.get(INT, at + 4 + 4L * i);
            if (buf[i] < 0 || buf[i] >= count) throw new CorruptIndexException(file.path() + ": neighbour " + buf[i] + " out of range");
          }
          graph.load(node, level, buf, n);
          at += 4 + 4L * n;
        }
      }
      if (at != p.byteSize()) throw new CorruptIndexException(file.path() + ": " + (p.byteSize() - at) + " trailing bytes in the graph");
      graph.setEntry(count == 0 ? -1 : entry, top);
      return graph;
    } catch (IndexOutOfBoundsException e) {
      throw new CorruptIndexException(file.path() + ": the graph is shorter than its node lists say");
    }
  }

  private static StoredFile track(List<StoredFile> files, StoredFile f) {
    files.add(f);
    return f;
  }

  private static void expect(StoredFile f, long bytes, String what) throws CorruptIndexException {
    if (f.payload().byteSize() != bytes) {
      throw new CorruptIndexException(f.path() + ": " + what + " payload is " + f.payload().byteSize() + " bytes, expected " + bytes);
    }
  }

  private static String need(Map<String, String> meta, String key, Path dir) throws CorruptIndexException {
    String v = meta.get(key);
    if (v == null) throw new CorruptIndexException(dir + ": the manifest has no \"" + key + "\" (not a vector index?)");
    return v;
  }
}
