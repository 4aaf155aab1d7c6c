package dev.quarry.index.inverted;

import dev.quarry.index.store.Commit;
import dev.quarry.index.store.CorruptIndexException;
import dev.quarry.index.store.IndexStore;
import dev.quarry.index.store.Manifest;
import dev.quarry.index.store.StoreOutput;
import dev.quarry.index.store.StoredFile;
import dev.quarry.index.store.WriteHook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An inverted index of documents given as terms (scored with {@link Bm25}) or as learned sparse
 * vectors (term → weight, stored as quantized impacts and scored by dot product), with block-max
 * pruned top-k search.
 *
 * <p>Documents are buffered, then {@link #flush() flushed} into immutable segments; deletes mark
 * documents in their segment; merges rewrite segments without the deleted ones (automatically
 * when more than {@value #MAX_SEGMENTS} segments exist, or by {@link #forceMerge()}). Adding a
 * document under an id that exists replaces it. A persistent index writes its segments through
 * the crash-safe protocol of {@link IndexStore} on {@link #commit()}: a crash at any step leaves
 * the previous commit intact. Writers are serialised; {@link #searcher()} returns a
 * point-in-time view that many threads may use.
 */
public final class InvertedIndex implements AutoCloseable {

  /** More segments than this trigger a merge of all of them at the next flush. */
  public static final int MAX_SEGMENTS = 10;

  private static final String KIND = "inverted.kind";
  private static final String SEGMENTS = "inverted.segments";
  private static final String NEXT = "inverted.next";

  private final Bm25 bm25; // null for impacts
  private final float impactScale;
  private final IndexStore store; // null in memory
  private final List<Segment> segments = new ArrayList<>();
  private final Map<Segment, String> names = new IdentityHashMap<>();
  private final Map<Segment, long[]> deleted = new IdentityHashMap<>();
  private final Map<Segment, Integer> deletedCount = new IdentityHashMap<>();
  private final Set<String> committedFiles = new HashSet<>();
  private final Set<Segment> deletesChanged = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<String, Object> locations = new HashMap<>(); // id -> DocRef or Pending
  private Segment.Builder buffer = new Segment.Builder();
  private int nextSegment;
  private InvertedSearcher searcher;

  private record DocRef(Segment segment, int doc) {}

  private InvertedIndex(Bm25 bm25, float impactScale, IndexStore store) {
    this.bm25 = bm25;
    this.impactScale = impactScale;
    this.store = store;
  }

  /** An in-memory BM25 index. */
  public static InvertedIndex bm25(Bm25 bm25) {
    return new InvertedIndex(java.util.Objects.requireNonNull(bm25), 0, null);
  }

  /**
   * An in-memory index of learned sparse vectors: weights are stored as
   * {@code round(weight * scale)} (at least 1, at most 65535; weights that round to 0 are dropped).
   */
  public static InvertedIndex impacts(float scale) {
    return new InvertedIndex(null, checkScale(scale), null);
  }

  /** A new persistent BM25 index in {@code dir}, which must not hold an index yet. */
  public static InvertedIndex createBm25(Path dir, Bm25 bm25) throws IOException {
    return create(dir, java.util.Objects.requireNonNull(bm25), 0, WriteHook.NONE);
  }

  /** A new persistent learned-sparse index in {@code dir}. */
  public static InvertedIndex createImpacts(Path dir, float scale) throws IOException {
    return create(dir, null, checkScale(scale), WriteHook.NONE);
  }

  static InvertedIndex create(Path dir, Bm25 bm25, float scale, WriteHook hook) throws IOException {
    IndexStore store = IndexStore.open(dir, hook);
    if (store.manifest() != null) {
      store.close();
      throw new IOException(dir + ": already holds an index; open it instead, or pick an empty directory");
    }
    return new InvertedIndex(bm25, scale, store);
  }

  /** Opens the last commit of the index in {@code dir}. */
  public static InvertedIndex open(Path dir) throws IOException {
    return open(dir, WriteHook.NONE);
  }

  static InvertedIndex open(Path dir, WriteHook hook) throws IOException {
    if (!Files.isDirectory(dir)) throw new java.nio.file.NoSuchFileException(dir + ": no such index directory");
    IndexStore store = IndexStore.open(dir, hook);
    try {
      Manifest m = store.manifest();
      if (m == null) throw new java.nio.file.NoSuchFileException(dir + ": no committed index here");
      Map<String, String> meta = m.userData();
      String kind = meta.get(KIND);
      InvertedIndex index;
      try {
        if ("bm25".equals(kind)) {
          index = new InvertedIndex(new Bm25(Float.parseFloat(meta.get("bm25.k1")),
              Float.parseFloat(meta.get("bm25.b")), Boolean.parseBoolean(meta.get("bm25.exact"))), 0, store);
        } else if ("impacts".equals(kind)) {
          index = new InvertedIndex(null, checkScale(Float.parseFloat(meta.get("impacts.scale"))), store);
        } else {
          throw new CorruptIndexException(dir + ": not an inverted index (kind " + kind + ")");
        }
        index.nextSegment = Integer.parseInt(meta.get(NEXT));
      } catch (NumberFormatException | NullPointerException e) {
        throw new CorruptIndexException(dir + ": the manifest's inverted-index settings are damaged");
      }
      String list = meta.getOrDefault(SEGMENTS, "");
      for (String name : list.isEmpty() ? new String[0] : list.split(" ")) {
        Segment s;
        try (StoredFile f = store.openFile(name, SegmentFile.FORMAT)) {
          s = SegmentFile.read(f);
        }
        index.segments.add(s);
        index.names.put(s, name);
        index.committedFiles.add(name);
        String del = name + "-del";
        if (store.hasFile(del)) {
          long[] bits;
          try (StoredFile f = store.openFile(del, SegmentFile.DELETES_FORMAT)) {
            bits = SegmentFile.readDeletes(f, s.maxDoc());
          }
          index.deleted.put(s, bits);
          index.committedFiles.add(del);
        }
        index.indexIds(s);
      }
      return index;
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private static float checkScale(float scale) {
    if (!(scale > 0) || !Float.isFinite(scale)) {
      throw new IllegalArgumentException("impact scale must be a positive number, got " + scale);
    }
    return scale;
  }

  /** Whether this index holds learned sparse impacts (else BM25 term frequencies). */
  public boolean isImpacts() {
    return bm25 == null;
  }

  /** The BM25 parameters, or null for an impact index. */
  public Bm25 bm25() {
    return bm25;
  }

  /** Adds (or replaces) a BM25 document given as its analyzed terms, in order. */
  public synchronized void add(String id, List<String> terms) {
    requireKind(false);
    checkId(id);
    for (String t : terms) {
      if (t == null || t.isEmpty()) throw new IllegalArgumentException("document " + id + ": empty term");
    }
    if (locations.containsKey(id)) delete(id);
    buffer.addTerms(id, terms);
    locations.put(id, Boolean.TRUE);
    searcher = null;
  }

  /** Adds (or replaces) a learned sparse document: term → weight (finite, not negative). */
  public synchronized void addImpacts(String id, Map<String, Float> weights) {
    requireKind(true);
    checkId(id);
    Map<String, Integer> impacts = new HashMap<>();
    for (Map.Entry<String, Float> e : weights.entrySet()) {
      float w = e.getValue();
      if (!Float.isFinite(w) || w < 0) {
        throw new IllegalArgumentException("document " + id + ": term \"" + e.getKey()
            + "\" has weight " + w + "; weights must be finite and not negative");
      }
      if (e.getKey() == null || e.getKey().isEmpty()) throw new IllegalArgumentException("document " + id + ": empty term");
      long q = Math.round((double) w * impactScale);
      if (q > 0) impacts.put(e.getKey(), (int) Math.min(q, 65535));
    }
    put(id, impacts, 1);
  }

  private void put(String id, Map<String, Integer> freqs, int length) {
    if (locations.containsKey(id)) delete(id);
    buffer.add(id, freqs, length);
    locations.put(id, Boolean.TRUE);
    searcher = null;
  }

  /** Deletes the document {@code id}; returns whether it existed. */
  public synchronized boolean delete(String id) {
    Object where = locations.get(id);
    if (where == null) return false;
    if (where == Boolean.TRUE) {
      flush(); // a buffered document: make it a segment's first, then mark it
      where = locations.get(id);
    }
    DocRef ref = (DocRef) where;
    long[] bits = deleted.computeIfAbsent(ref.segment, s -> new long[(s.maxDoc() + 63) >>> 6]);
    bits[ref.doc >>> 6] |= 1L << ref.doc;
    deletedCount.merge(ref.segment, 1, Integer::sum);
    deletesChanged.add(ref.segment);
    locations.remove(id);
    searcher = null;
    return true;
  }

  /** Live documents, buffered ones included. */
  public synchronized int size() {
    return locations.size();
  }

  /** Turns buffered documents into a segment (merging if there are too many segments). */
  public synchronized void flush() {
    if (buffer.size() == 0) return;
    Segment s = buffer.build();
    buffer = new Segment.Builder();
    addSegment(s);
    if (segments.size() > MAX_SEGMENTS) forceMerge();
    searcher = null;
  }

  private void addSegment(Segment s) {
    segments.add(s);
    names.put(s, "seg" + nextSegment++);
    indexIds(s);
  }

  private void indexIds(Segment s) {
    long[] bits = deleted.get(s);
    for (int d = 0; d < s.maxDoc(); d++) {
      if (!MaxScoreSearch.isDeleted(bits, d)) locations.put(s.ids[d], new DocRef(s, d));
    }
  }

  /** Merges all segments into one, dropping deleted documents. */
  public synchronized void forceMerge() {
    if (buffer.size() > 0) {
      Segment s = buffer.build();
      buffer = new Segment.Builder();
      addSegment(s);
    }
    if (segments.size() <= 1 && deleted.isEmpty()) return;
    Segment merged = merge(segments, deleted);
    segments.clear();
    deleted.clear();
    deletedCount.clear();
    deletesChanged.clear();
    addSegment(merged);
    searcher = null;
  }

  private static Segment merge(List<Segment> parts, Map<Segment, long[]> deleted) {
    int total = 0;
    for (Segment s : parts) total += s.maxDoc();
    String[] ids = new String[total];
    int[] lengths = new int[total];
    List<int[]> maps = new ArrayList<>();
    int next = 0;
    TreeSet<String> terms = new TreeSet<>();
    for (Segment s : parts) {
      long[] bits = deleted.get(s);
      int[] map = new int[s.maxDoc()];
      for (int d = 0; d < s.maxDoc(); d++) {
        if (MaxScoreSearch.isDeleted(bits, d)) {
          map[d] = -1;
        } else {
          map[d] = next;
          ids[next] = s.ids[d];
          lengths[next] = s.lengths[d];
          next++;
        }
      }
      maps.add(map);
      terms.addAll(Arrays.asList(s.terms));
    }
    ids = Arrays.copyOf(ids, next);
    lengths = Arrays.copyOf(lengths, next);
    PostingsWriter w = new PostingsWriter(lengths);
    List<String> kept = new ArrayList<>();
    PostingsCursor.Scoring none = (weight, f, len) -> 0f;
    for (String t : terms) {
      boolean started = false;
      for (int i = 0; i < parts.size(); i++) {
        Segment s = parts.get(i);
        int ord = s.termOrd(t);
        if (ord < 0) continue;
        int[] map = maps.get(i);
        PostingsCursor c = new PostingsCursor(s.postings, ord, 0f, null, none);
        for (int d = c.nextDoc(); d != PostingsCursor.NO_MORE_DOCS; d = c.nextDoc()) {
          if (map[d] < 0) continue;
          if (!started) {
            w.startTerm();
            started = true;
          }
          w.add(map[d], c.freq());
        }
      }
      if (started) {
        w.finishTerm();
        kept.add(t);
      }
    }
    return new Segment(ids, lengths, kept.toArray(new String[0]), w.finish());
  }

  /** A point-in-time view of the index (buffered documents are flushed first). */
  public synchronized InvertedSearcher searcher() {
    flush();
    if (searcher == null) {
      List<long[]> dels = new ArrayList<>();
      for (Segment s : segments) {
        long[] bits = deleted.get(s);
        dels.add(bits == null ? null : bits.clone());
      }
      searcher = new InvertedSearcher(segments, dels, locations.size(), bm25, impactScale);
    }
    return searcher;
  }

  /**
   * Makes everything added and deleted so far durable: new segments and changed deletions are
   * written, unchanged files carried over, and the manifest swapped atomically. On failure the
   * last commit stays the current one on disk, and this index keeps its contents in memory.
   */
  public synchronized void commit() throws IOException {
    if (store == null) throw new IllegalStateException("an in-memory index cannot commit; create it in a directory");
    flush();
    Set<String> written = new HashSet<>();
    try (Commit c = store.newCommit()) {
      StringBuilder list = new StringBuilder();
      for (Segment s : segments) {
        String name = names.get(s);
        if (!list.isEmpty()) list.append(' ');
        list.append(name);
        if (committedFiles.contains(name)) {
          c.keep(name);
        } else {
          try (StoreOutput out = c.create(name, SegmentFile.FORMAT, SegmentFile.VERSION)) {
            SegmentFile.write(s, out);
          }
          written.add(name);
        }
        long[] bits = deleted.get(s);
        String del = name + "-del";
        if (bits != null) {
          if (committedFiles.contains(del) && !deletesChanged.contains(s)) {
            c.keep(del);
          } else {
            try (StoreOutput out = c.create(del, SegmentFile.DELETES_FORMAT, SegmentFile.VERSION)) {
              SegmentFile.writeDeletes(bits, s.maxDoc(), out);
            }
            written.add(del);
          }
        }
      }
      if (bm25 != null) {
        c.put(KIND, "bm25");
        c.put("bm25.k1", Float.toString(bm25.k1()));
        c.put("bm25.b", Float.toString(bm25.b()));
        c.put("bm25.exact", Boolean.toString(bm25.exactLengths()));
      } else {
        c.put(KIND, "impacts");
        c.put("impacts.scale", Float.toString(impactScale));
      }
      c.put(SEGMENTS, list.toString());
      c.put(NEXT, Integer.toString(nextSegment));
      c.commit();
    }
    committedFiles.clear();
    committedFiles.addAll(store.manifest().files().keySet());
    deletesChanged.clear();
  }

  private void requireKind(boolean impacts) {
    if (impacts != isImpacts()) {
      throw new IllegalStateException(isImpacts()
          ? "this index holds learned sparse impacts: use addImpacts"
          : "this index holds BM25 terms: use add");
    }
  }

  private static void checkId(String id) {
    if (id == null || id.isEmpty()) throw new IllegalArgumentException("a document needs a non-empty id");
  }

  @Override
  public synchronized void close() throws IOException {
    if (store != null) store.close();
  }
}
