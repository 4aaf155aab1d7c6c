package dev.quarry.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.embed.EmbedOptions;
import dev.quarry.embed.Embedder;
import dev.quarry.model.EncoderModel;
import dev.quarry.model.Models;
import dev.quarry.train.Parameters.Parameter;
import dev.quarry.train.data.TrainingExample;
import dev.quarry.train.loss.Loss;
import dev.quarry.train.loss.MultipleNegativesRankingLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fine-tuning all-MiniLM-L6-v2 on a few pairs: saving, reloading, resuming, and stopping on NaN. */
class TrainerTest {

  private static final List<TrainingExample> PAIRS = pairs();

  private static final TrainingOptions OPTIONS = TrainingOptions.builder()
      .batchSize(4).epochs(2).learningRate(1e-4).warmupRatio(0).maxLength(24).threads(1).build();

  @TempDir
  Path dir;

  @Test
  void trainedDirectoryReloadsWithTheSameEmbeddings() throws Exception {
    List<String> probe = List.of("how do statins work", "Statins lower cholesterol in the liver.");
    float[][] trained;
    float[][] before;
    try (EncoderModel model = Models.load(null);
         Trainer trainer = new Trainer(model, OPTIONS)) {
      before = trainer.encoder().forward(probe).embeddings();
      Trainer.Summary summary = trainer.train(PAIRS, dir, null, null);
      assertEquals(4, summary.steps());
      assertTrue(summary.tokens() > 0);
      trained = trainer.encoder().forward(probe).embeddings();
    }
    assertFalse(Files.exists(dir.resolve("checkpoint-2")), "checkpoints are dropped at the end");
    try (Embedder reloaded = Embedder.open(dir.toString(), EmbedOptions.defaults().withMaxLength(24))) {
      float[][] again = reloaded.embed(probe);
      for (int i = 0; i < probe.size(); i++) {
        assertTrue(cosine(again[i], trained[i]) > 0.99999, "text " + i + " reloads differently");
        assertTrue(cosine(before[i], trained[i]) < 0.9999, "text " + i + " did not change");
      }
    }
  }

  @Test
  void resumedRunEndsWhereAnUninterruptedOneDoes() throws Exception {
    TrainingOptions options = OPTIONS.toBuilder().saveSteps(1).build();
    float[] straight;
    try (EncoderModel model = Models.load(null);
         Trainer trainer = new Trainer(model, options)) {
      trainer.train(PAIRS, dir.resolve("straight"), null, null);
      straight = trainer.encoder().bert().parameters().get("encoder.layer.5.output.dense.weight").value().clone();
    }
    Path stopped = dir.resolve("stopped");
    try (EncoderModel model = Models.load(null);
         Trainer trainer = new Trainer(model, options)) {
      RuntimeException crash = assertThrows(RuntimeException.class,
          () -> trainer.train(PAIRS, stopped, null, s -> {
            if (s.step() == 3) throw new RuntimeException("simulated crash");
          }));
      assertEquals("simulated crash", crash.getMessage());
    }
    // Step 3 finished but the crash came before its checkpoint: step 2's is the last one.
    assertTrue(Files.isDirectory(stopped.resolve("checkpoint-2")));
    try (EncoderModel model = Models.load(null);
         Trainer trainer = new Trainer(model, options)) {
      Trainer.Summary summary = trainer.train(PAIRS, stopped, stopped.resolve("checkpoint-2"), null);
      assertEquals(4, summary.steps());
      float[] resumed = trainer.encoder().bert().parameters().get("encoder.layer.5.output.dense.weight").value();
      assertArrayEquals(straight, resumed);
    }
  }

  @Test
  void notFiniteLossStopsNamingTheStepAndKeepsTheLastCheckpoint() throws Exception {
    Loss mnr = new MultipleNegativesRankingLoss();
    int[] calls = {0};
    Loss failing = new Loss() {
      @Override
      public double compute(float[][] q, float[][][] t, float[][] s, float[][] dq, float[][][] dt) {
        return ++calls[0] == 3 ? Double.NaN : mnr.compute(q, t, s, dq, dt);
      }

      @Override
      public String describe() {
        return "nan at step 3";
      }
    };
    TrainingOptions options = OPTIONS.toBuilder().saveSteps(1).build();
    try (EncoderModel model = Models.load(null);
         Trainer trainer = new Trainer(model, options, failing)) {
      float[] before = trainer.encoder().bert().parameters().get("encoder.layer.0.output.dense.weight").value();
      TrainingException e = assertThrows(TrainingException.class, () -> trainer.train(PAIRS, dir, null, null));
      assertTrue(e.getMessage().startsWith("step 3 (epoch 2, examples ["), e.getMessage());
      assertTrue(e.getMessage().contains("loss of NaN"), e.getMessage());
      assertTrue(e.getMessage().contains("checkpoint-2"), e.getMessage());
      assertTrue(Files.exists(dir.resolve("checkpoint-2").resolve("model.safetensors")));
      for (Parameter p : trainer.encoder().bert().parameters().all()) {
        for (float v : p.value()) assertTrue(Float.isFinite(v), p.name());
      }
      assertTrue(before.length > 0);
    }
  }

  @Test
  void badInputIsRejectedBeforeTraining() throws Exception {
    try (EncoderModel model = Models.load(null);
         Trainer trainer = new Trainer(model, OPTIONS.toBuilder().loss("triplet").build())) {
      IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
          () -> trainer.train(List.of(), dir, null, null));
      assertTrue(none.getMessage().contains("no training examples"), none.getMessage());
      IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
          () -> trainer.train(PAIRS, dir, null, null));
      assertTrue(shape.getMessage().startsWith("example 0: the triplet loss needs"), shape.getMessage());
    }
    assertFalse(Files.exists(dir.resolve("model.safetensors")));
  }

  private static List<TrainingExample> pairs() {
    String[][] pairs = {
        {"what lowers cholesterol", "Statins reduce LDL cholesterol by inhibiting HMG-CoA reductase."},
        {"symptoms of flu", "Influenza causes fever, cough and muscle aches."},
        {"how do vaccines work", "Vaccines train the immune system to recognise a pathogen."},
        {"causes of anaemia", "Iron deficiency is the most common cause of anaemia."},
        {"what is insulin", "Insulin is a hormone that lets cells take up glucose."},
        {"treatment for asthma", "Inhaled corticosteroids control airway inflammation in asthma."},
        {"effects of sleep loss", "Sleep deprivation impairs memory and attention."},
        {"what causes malaria", "Malaria is caused by Plasmodium parasites spread by mosquitoes."},
    };
    List<TrainingExample> examples = new ArrayList<>();
    for (String[] p : pairs) examples.add(new TrainingExample(p[0], List.of(p[1]), null));
    return examples;
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
