package dev.quarry.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.train.data.TrainingExample;
import dev.quarry.train.loss.TripletLoss.Distance;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The factory by command-line name, and the data each loss needs. */
class LossesTest {

  @Test
  void createsEachLossByName() {
    assertEquals("mnr(scale=20)", Losses.create("mnr").describe());
    assertEquals("mnr(scale=20)", Losses.create("cached-mnr").describe());
    assertEquals("triplet(distance=euclidean, margin=5)", Losses.create("triplet").describe());
    assertEquals("listnet(scale=20)", Losses.create("listnet").describe());
    assertEquals("margin-mse", Losses.create("margin-mse").describe());
    assertEquals("mnr(scale=10, symmetric)", Losses.create("MNR",
        Losses.Options.defaults().withTemperature(0.1).withSymmetric(true)).describe());
    assertEquals("triplet(distance=cosine, margin=0.5)", Losses.create("triplet",
        Losses.Options.defaults().withDistance(Distance.COSINE).withMargin(0.5)).describe());
  }

  @Test
  void unknownNameListsTheValidOnes() {
    var e = assertThrows(IllegalArgumentException.class, () -> Losses.create("infonce"));
    assertEquals("unknown loss \"infonce\"; valid: mnr, cached-mnr, triplet, listnet, margin-mse",
        e.getMessage());
  }

  @Test
  void wrapsInMatryoshka() {
    Loss loss = Losses.create("mnr", Losses.Options.defaults().withMatryoshka(List.of(8, 4)));
    MatryoshkaLoss m = assertInstanceOf(MatryoshkaLoss.class, loss);
    assertEquals(List.of(1.0, 1.0), m.weights());
    assertEquals(DataShape.PAIR, Losses.shape(loss));
    Loss viaOptions = Losses.create("listnet", Losses.Options.defaults().withScale(10)
        .withMatryoshka(List.of(384, 128)));
    assertEquals("matryoshka(dims=[384, 128], weights=[1, 1], listnet(scale=10))",
        viaOptions.describe());
    MatryoshkaLoss tooWide = (MatryoshkaLoss) Losses.create("mnr",
        Losses.Options.defaults().withMatryoshka(List.of(512, 256)));
    var e = assertThrows(IllegalArgumentException.class, () -> tooWide.requireFits(384));
    assertEquals("matryoshka dim 512 is larger than the embedding size 384", e.getMessage());
  }

  @Test
  void saysWhatDataEachLossNeeds() {
    assertEquals(DataShape.PAIR, Losses.shape("mnr"));
    assertEquals(DataShape.PAIR, Losses.shape("cached-mnr"));
    assertEquals(DataShape.TRIPLET, Losses.shape("triplet"));
    assertEquals(DataShape.SCORED_LIST, Losses.shape("listnet"));
    assertEquals(DataShape.TEACHER_MARGIN, Losses.shape("margin-mse"));
  }

  @Test
  void checksAnExampleByIndex() {
    TrainingExample pair = new TrainingExample("q", List.of("pos"), null);
    TrainingExample triplet = new TrainingExample("q", List.of("pos", "neg"), null);
    TrainingExample scored = new TrainingExample("q", List.of("pos", "neg"), new float[] {3, 1});
    Losses.check(Losses.create("mnr"), 0, pair);
    Losses.check(Losses.create("mnr"), 0, triplet);
    Losses.check(Losses.create("triplet"), 0, triplet);
    Losses.check(Losses.create("listnet"), 0, scored);
    Losses.check(Losses.create("margin-mse"), 0, scored);

    var e = assertThrows(IllegalArgumentException.class,
        () -> Losses.check(Losses.create("triplet"), 12, pair));
    assertTrue(e.getMessage().startsWith("example 12: the triplet loss needs a negative"),
        e.getMessage());
    var noScores = assertThrows(IllegalArgumentException.class,
        () -> Losses.check(Losses.create("margin-mse"), 3, triplet));
    assertTrue(noScores.getMessage().startsWith("example 3: the margin-mse loss needs a score"),
        noScores.getMessage());
    var shape = assertThrows(IllegalArgumentException.class,
        () -> Losses.shape("listnet").check("listnet", 5, 2, null));
    assertTrue(shape.getMessage().startsWith("example 5: the listnet loss"), shape.getMessage());
  }

  @Test
  void optionsRejectNonsense() {
    assertThrows(IllegalArgumentException.class, () -> Losses.Options.defaults().withScale(-1));
    assertThrows(IllegalArgumentException.class,
        () -> Losses.Options.defaults().withTemperature(0));
    assertThrows(IllegalArgumentException.class, () -> Losses.Options.defaults().withMargin(-1));
    assertThrows(IllegalArgumentException.class,
        () -> Losses.Options.defaults().withMatryoshka(List.of(4, 2), List.of(1.0)));
  }
}
