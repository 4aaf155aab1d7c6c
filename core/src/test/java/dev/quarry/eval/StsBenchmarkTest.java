package dev.quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the STS benchmark format and correlating similarities with it. */
class StsBenchmarkTest {

  @TempDir Path dir;

  @Test
  void readsTheReleasedDevSplit() throws Exception {
    List<StsBenchmark.Pair> pairs = StsBenchmark.read(EvalTestData.shared().resolve("data/stsbenchmark/sts-dev.csv"));
    assertEquals(1500, pairs.size(), "lines with extra columns count too");
    assertEquals(5.0, pairs.getFirst().score());
    assertEquals("A man with a hard hat is dancing.", pairs.getFirst().first());
  }

  @Test
  void quotesAreLiteralAndExtraColumnsIgnored() throws Exception {
    Path file = Files.writeString(dir.resolve("sts.csv"),
        "g\tf\t2012\t1\t4.5\t\"Quoted\" one\tTwo\textra\tmore\ng\tf\t2012\t2\t1\ta\tb\n");
    List<StsBenchmark.Pair> pairs = StsBenchmark.read(file);
    assertEquals(new StsBenchmark.Pair("\"Quoted\" one", "Two", 4.5), pairs.getFirst());
  }

  @Test
  void malformedLinesNameFileAndLine() throws Exception {
    Path shortLine = Files.writeString(dir.resolve("a.csv"), "g\tf\t2012\t1\t4.5\tx\ty\ng\tf\t2012\t2\t1\tonly\n");
    IOException e = assertThrows(IOException.class, () -> StsBenchmark.read(shortLine));
    assertTrue(e.getMessage().endsWith("a.csv:2: expected at least 7 tab-separated fields (genre, file,"
        + " year, id, score, sentence 1, sentence 2), found 6"), e.getMessage());
    Path badScore = Files.writeString(dir.resolve("b.csv"), "g\tf\t2012\t1\tfive\tx\ty\n");
    e = assertThrows(IOException.class, () -> StsBenchmark.read(badScore));
    assertTrue(e.getMessage().contains("b.csv:1: score \"five\" is not a number"), e.getMessage());
    Path empty = Files.writeString(dir.resolve("c.csv"), "\n");
    assertThrows(IOException.class, () -> StsBenchmark.read(empty));
  }

  @Test
  void correlatesSimilaritiesWithGold() {
    List<StsBenchmark.Pair> pairs = List.of(new StsBenchmark.Pair("a", "b", 1),
        new StsBenchmark.Pair("c", "d", 2), new StsBenchmark.Pair("e", "f", 3));
    StsBenchmark.Result r = StsBenchmark.correlate(pairs, new double[] {0.1, 0.5, 0.4});
    assertEquals(0.5, r.spearman(), 1e-12);
    assertEquals(3, r.pairs());
    assertEquals(1.0, StsBenchmark.correlate(pairs, new double[] {0.1, 0.2, 0.9}).spearman(), 1e-12);
    assertEquals(0, StsBenchmark.cosine(new float[] {0, 0}, new float[] {1, 0}));
  }
}
