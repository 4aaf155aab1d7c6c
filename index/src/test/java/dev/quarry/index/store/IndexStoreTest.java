package dev.quarry.index.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexStoreTest {

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  @TempDir Path dir;

  /** Writes generation {@code tag}: two files whose ints all equal {@code tag}, one large enough to need three buffers. */
  private static void writeCommit(IndexStore store, int tag) throws IOException {
    Commit commit = store.newCommit();
    try (StoreOutput big = commit.create("big", "test.big", 1)) {
      for (int i = 0; i < 1_200_000; i++) big.writeInt(tag);
    }
    try (StoreOutput small = commit.create("small", "test.small", 1)) {
      small.writeInt(tag).writeInt(tag);
    }
    commit.put("tag", Integer.toString(tag));
    commit.commit();
  }

  /** Opens the store fresh and checks that it holds exactly commit {@code tag}. */
  private static void assertHolds(Path dir, int tag) throws IOException {
    try (IndexStore store = IndexStore.openExisting(dir)) {
      assertEquals(Integer.toString(tag), store.manifest().userData().get("tag"));
      try (StoredFile big = store.openFile("big", "test.big"); StoredFile small = store.openFile("small", "test.small")) {
        assertEquals(4_800_000, big.payload().byteSize());
        for (long at = 0; at < big.payload().byteSize(); at += 4) assertEquals(tag, big.payload().get(INT, at));
        assertEquals(tag, small.payload().get(INT, 4));
      }
    }
  }

  @Test
  void roundTripsFilesAndMetadata() throws IOException {
    try (IndexStore store = IndexStore.open(dir)) {
      assertEquals(0, store.generation());
      writeCommit(store, 1);
      writeCommit(store, 2);
      assertEquals(2, store.generation());
    }
    assertHolds(dir, 2);
    // The first generation's files were deleted by the second commit.
    try (var files = Files.list(dir)) {
      assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".g1")).count());
    }
  }

  /**
   * Every flush but the last writes a whole 2 MB block at a multiple of 2 MB, so that the page cache
   * can hold the file in huge folios; values that straddle a block's end read back whole.
   */
  @Test
  void filesAreWrittenInAlignedTwoMegabyteBlocks() throws IOException {
    List<Long> lengths = new ArrayList<>();
    WriteHook hook = (step, file) -> {
      if (step == WriteHook.Step.WRITE) lengths.add(Files.size(dir.resolve(file)));
    };
    int longs = 700_000;
    try (IndexStore store = IndexStore.open(dir, hook)) {
      Commit commit = store.newCommit();
      try (StoreOutput out = commit.create("odd", "test.odd", 1)) {
        out.writeByte((byte) 7); // from here on every long straddles a block's end
        for (long i = 0; i < longs; i++) out.writeLong(i * 0x9E3779B97F4A7C15L);
        out.writeFloat(1.5f).writeInt(-3);
      }
      commit.commit();
    }
    assertEquals(List.of(0L, 2L << 20, 4L << 20), lengths, "file length before each write");
    try (IndexStore store = IndexStore.openExisting(dir); StoredFile odd = store.openFile("odd", "test.odd")) {
      var p = odd.payload();
      assertEquals(1 + 8L * longs + 8, p.byteSize());
      assertEquals(7, p.get(ValueLayout.JAVA_BYTE, 0));
      for (long i = 0; i < longs; i++) assertEquals(i * 0x9E3779B97F4A7C15L, p.get(LONG, 1 + 8 * i), "long " + i);
      assertEquals(1.5f, p.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 1 + 8L * longs));
      assertEquals(-3, p.get(INT, 5 + 8L * longs));
    }
  }

  @Test
  void aCrashAtEveryStepLeavesTheLastCommitReadable() throws IOException {
    try (IndexStore store = IndexStore.open(dir)) {
      writeCommit(store, 1);
    }
    int expected = 1;
    int steps = 0;
    for (int failAt = 0; ; failAt++) {
      AtomicInteger seen = new AtomicInteger();
      AtomicInteger renamed = new AtomicInteger();
      final int target = failAt;
      WriteHook hook = (step, file) -> {
        if (seen.getAndIncrement() == target) throw new IOException("injected failure before " + step + " " + file);
        if (step == WriteHook.Step.RENAME_MANIFEST) renamed.set(1);
      };
      boolean failed = false;
      IndexStore store = IndexStore.open(dir, hook);
      try {
        writeCommit(store, 100 + failAt);
      } catch (IOException e) {
        failed = true;
        assertTrue(e.getMessage().startsWith("injected failure"), e.getMessage());
      } finally {
        store.close(); // the "process" dies: no cleanup beyond dropping its lock
      }
      // Past the rename the new commit is the current one, even if a later step failed.
      if (!failed || renamed.get() == 1) expected = 100 + failAt;
      assertHolds(dir, expected);
      if (!failed) {
        steps = failAt;
        break;
      }
    }
    assertTrue(steps > 8, "only " + steps + " steps were exercised");
    // A later commit cleans the leftovers of the failed ones.
    try (IndexStore store = IndexStore.open(dir)) {
      writeCommit(store, 7);
    }
    assertHolds(dir, 7);
    try (var files = Files.list(dir)) {
      assertEquals(4, files.count(), "MANIFEST, write.lock and two data files");
    }
  }

  @Test
  void truncatedDamagedAndForeignFilesAreRefused() throws IOException {
    try (IndexStore store = IndexStore.open(dir)) {
      writeCommit(store, 3);
    }
    Path big = dir.resolve("big.g1");
    byte[] original = Files.readAllBytes(big);
    try (IndexStore store = IndexStore.openExisting(dir)) {
      Files.write(big, java.util.Arrays.copyOf(original, original.length - 10));
      assertThrows(CorruptIndexException.class, () -> store.openFile("big", "test.big"));
      byte[] flipped = original.clone();
      flipped[1000] ^= 1;
      Files.write(big, flipped);
      var e = assertThrows(CorruptIndexException.class, () -> store.openFile("big", "test.big"));
      assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
      Files.write(big, original);
      e = assertThrows(CorruptIndexException.class, () -> store.openFile("big", "test.other"));
      assertTrue(e.getMessage().contains("test.other"), e.getMessage());
      byte[] foreign = new byte[original.length];
      Files.write(big, foreign);
      e = assertThrows(CorruptIndexException.class, () -> store.openFile("big", null));
      assertTrue(e.getMessage().contains("not a Quarry index file") || e.getMessage().contains("checksum"), e.getMessage());
      Files.write(big, original);
    }
    Files.write(dir.resolve(IndexStore.MANIFEST), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
    assertThrows(CorruptIndexException.class, () -> IndexStore.openExisting(dir));
  }

  @Test
  void oneCommitAtATimeAndAbortDeletesItsFiles() throws IOException {
    try (IndexStore store = IndexStore.open(dir)) {
      Commit commit = store.newCommit();
      assertThrows(IllegalStateException.class, store::newCommit);
      try (StoreOutput out = commit.create("x", "test.x", 1)) {
        out.writeInt(1);
      }
      commit.close();
      assertEquals(0, store.generation());
      assertTrue(Files.notExists(dir.resolve("x.g1")));
      assertThrows(IllegalArgumentException.class, () -> store.newCommit().create("../evil", "f", 1));
    }
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
    var e = assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> IndexStore.open(file));
    assertTrue(e.getMessage().contains("not an index directory"), e.getMessage());
  }
}
