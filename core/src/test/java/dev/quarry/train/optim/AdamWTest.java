package dev.quarry.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.train.Parameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AdamW against PyTorch's formula by hand, weight decay skipping, and its saved state. */
class AdamWTest {

  @TempDir Path dir;

  private static Parameters twoParameters() {
    Parameters params = new Parameters();
    params.add("w", new long[] {3}, new float[] {1.0f, -2.0f, 0.5f}, true);
    params.add("b", new long[] {1}, new float[] {0.3f}, false);
    return params;
  }

  private static void setGrad(Parameters params, String name, float... g) {
    System.arraycopy(g, 0, params.get(name).grad(), 0, g.length);
  }

  @Test
  void twoStepsMatchPyTorchsFormula() {
    Parameters params = twoParameters();
    AdamW adam = new AdamW(params);
    assertEquals(0.9, adam.beta1());
    assertEquals(0.999, adam.beta2());
    assertEquals(1e-8, adam.eps());
    assertEquals(0.01, adam.weightDecay());

    // Step 1, lr 1e-3: p = p (1 - lr wd); m = 0.1 g; v = 0.001 g^2; m^ = g, v^ = g^2, so
    // p -= lr g / (|g| + eps): a step of lr against the gradient's sign, none where g = 0.
    setGrad(params, "w", 0.5f, -0.1f, 0.0f);
    setGrad(params, "b", 0.2f);
    adam.step(1e-3);
    assertEquals(1, adam.steps());
    float[] w = params.get("w").value();
    assertEquals(1.0 * (1 - 1e-5) - 1e-3, w[0], 1e-7);
    assertEquals(-2.0 * (1 - 1e-5) + 1e-3, w[1], 1e-7);
    assertEquals(0.5 * (1 - 1e-5), w[2], 1e-7);
    assertEquals(0.3 - 1e-3, params.get("b").value()[0], 1e-7, "no decay on a bias");
    assertArrayEquals(new float[] {0.05f, -0.01f, 0f}, adam.firstMoment("w"), 1e-9f);
    assertArrayEquals(new float[] {2.5e-4f, 1e-5f, 0f}, adam.secondMoment("w"), 1e-11f);

    // Step 2, lr 5e-4; expected values from the same formula in float32 (numpy):
    // bias corrections 1 - 0.9^2 = 0.19 and 1 - 0.999^2 = 0.001999.
    setGrad(params, "w", -0.25f, 0.3f, 1e-3f);
    setGrad(params, "b", -0.4f);
    adam.step(5e-4);
    assertEquals(2, adam.steps());
    assertArrayEquals(new float[] {0.9988518357276917f, -1.9992170333862305f, 0.4996204376220703f},
        w, 2e-7f);
    assertEquals(0.29918307065963745f, params.get("b").value()[0], 2e-7f);
    assertArrayEquals(new float[] {0.02f, 0.021f, 1e-4f}, adam.firstMoment("w"), 1e-8f);
    assertArrayEquals(new float[] {3.1225e-4f, 9.999e-5f, 1e-9f}, adam.secondMoment("w"), 1e-10f);
    assertArrayEquals(new float[] {-0.022f}, adam.firstMoment("b"), 1e-8f);
  }

  @Test
  void weightDecayIsSkippedWhereTheParameterDoesNotDecay() {
    Parameters params = new Parameters();
    params.add("decays", new long[] {2}, new float[] {2f, -4f}, true);
    params.add("keeps", new long[] {2}, new float[] {2f, -4f}, false);
    AdamW adam = new AdamW(params, 0.9, 0.999, 1e-8, 0.1);
    adam.step(0.01); // zero gradients: only the decay moves anything
    assertArrayEquals(new float[] {2f * 0.999f, -4f * 0.999f}, params.get("decays").value(), 1e-6f);
    assertArrayEquals(new float[] {2f, -4f}, params.get("keeps").value());

    setGrad(params, "decays", 1f, 1f);
    setGrad(params, "keeps", 1f, 1f);
    adam.step(0.01);
    float[] d = params.get("decays").value();
    float[] k = params.get("keeps").value();
    // Same Adam step on both (lr * 0.1/0.19 / sqrt(0.001/0.001999)); the decaying one also
    // loses lr * wd * p.
    double adamStep = 0.01 * (0.1 / 0.19) / Math.sqrt(0.001 / 0.001999);
    assertEquals(2 - adamStep, k[0], 1e-6);
    assertEquals(-4 - adamStep, k[1], 1e-6);
    assertEquals(2 * 0.999 * 0.999 - adamStep, d[0], 1e-6);
    assertEquals(-4 * 0.999 * 0.999 - adamStep, d[1], 1e-6);
  }

  @Test
  void rejectsBadSettings() {
    Parameters params = twoParameters();
    assertThrows(IllegalArgumentException.class, () -> new AdamW(params, 1.0, 0.999, 1e-8, 0));
    assertThrows(IllegalArgumentException.class, () -> new AdamW(params, 0.9, -0.1, 1e-8, 0));
    assertThrows(IllegalArgumentException.class, () -> new AdamW(params, 0.9, 0.999, -1, 0));
    assertThrows(IllegalArgumentException.class, () -> new AdamW(params, 0.9, 0.999, 1e-8, -1));
    AdamW adam = new AdamW(params);
    assertThrows(IllegalArgumentException.class, () -> adam.step(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> adam.step(-1e-3));
  }

  private static Parameters model(List<String> order, Random random) {
    Parameters params = new Parameters();
    for (String name : order) {
      int n = switch (name) {
        case "embeddings" -> 1000;
        case "dense.weight" -> 300_001; // more than one 1 MiB chunk of floats
        default -> 7;
      };
      float[] value = new float[n];
      for (int i = 0; i < n; i++) value[i] = (float) random.nextGaussian();
      params.add(name, new long[] {n}, value, !name.endsWith("bias"));
    }
    return params;
  }

  private static void randomGrads(Parameters params, long seed) {
    Random random = new Random(seed);
    params.all().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(p -> {
      for (int i = 0; i < p.grad().length; i++) p.grad()[i] = (float) random.nextGaussian();
    });
  }

  @Test
  void stateRoundTripsAndResumesExactly() throws Exception {
    List<String> names = List.of("embeddings", "dense.weight", "dense.bias");
    Parameters original = model(names, new Random(1));
    AdamW adam = new AdamW(original);
    for (int s = 0; s < 3; s++) {
      randomGrads(original, 100 + s);
      adam.step(1e-3);
    }
    Path file = dir.resolve("sub/optimizer.bin");
    adam.save(file);
    adam.save(file); // replaces the old file
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList(), "no temporary file left beside it");
    }

    // A fresh model with the same values, its parameters in another order: loaded by name.
    Parameters copy = model(List.of("dense.bias", "embeddings", "dense.weight"), new Random(2));
    for (String name : names) {
      System.arraycopy(original.get(name).value(), 0, copy.get(name).value(), 0,
          original.get(name).value().length);
    }
    AdamW resumed = new AdamW(copy);
    resumed.load(file);
    assertEquals(3, resumed.steps());
    for (String name : names) {
      assertArrayEquals(adam.firstMoment(name), resumed.firstMoment(name), name);
      assertArrayEquals(adam.secondMoment(name), resumed.secondMoment(name), name);
    }
    randomGrads(original, 7);
    randomGrads(copy, 7);
    adam.step(5e-4);
    resumed.step(5e-4);
    for (String name : names) {
      assertArrayEquals(original.get(name).value(), copy.get(name).value(), name);
    }
  }

  @Test
  void aCorruptOrTruncatedFileIsRejectedAndChangesNothing() throws Exception {
    Parameters params = model(List.of("embeddings", "dense.bias"), new Random(3));
    AdamW adam = new AdamW(params);
    randomGrads(params, 4);
    adam.step(1e-3);
    Path file = dir.resolve("optimizer.bin");
    adam.save(file);
    byte[] bytes = Files.readAllBytes(file);

    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 0x10;
    Path bad = dir.resolve("flipped.bin");
    Files.write(bad, flipped);
    AdamW fresh = new AdamW(params);
    IOException e = assertThrows(IOException.class, () -> fresh.load(bad));
    assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("checksum"),
        e.getMessage());
    assertEquals(0, fresh.steps());
    for (float x : fresh.firstMoment("embeddings")) assertEquals(0f, x);

    Path truncated = dir.resolve("truncated.bin");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 100));
    e = assertThrows(IOException.class, () -> fresh.load(truncated));
    assertTrue(e.getMessage().contains("corrupt"), e.getMessage());

    Path tiny = dir.resolve("tiny.bin");
    Files.write(tiny, new byte[3]);
    e = assertThrows(IOException.class, () -> fresh.load(tiny));
    assertTrue(e.getMessage().contains("too short"), e.getMessage());

    assertThrows(NoSuchFileException.class, () -> fresh.load(dir.resolve("missing.bin")));
  }

  @Test
  void anotherModelsStateNamesTheParameter() throws Exception {
    Parameters params = model(List.of("embeddings", "dense.bias"), new Random(5));
    Path file = dir.resolve("optimizer.bin");
    new AdamW(params).save(file);

    Parameters renamed = new Parameters();
    renamed.add("embeddings", new long[] {1000}, new float[1000], true);
    renamed.add("other.bias", new long[] {7}, new float[7], false);
    IOException e = assertThrows(IOException.class, () -> new AdamW(renamed).load(file));
    assertTrue(e.getMessage().contains(file.toString())
        && e.getMessage().contains("\"dense.bias\" is in the checkpoint but not in the model"),
        e.getMessage());

    Parameters resized = new Parameters();
    resized.add("embeddings", new long[] {999}, new float[999], true);
    resized.add("dense.bias", new long[] {7}, new float[7], false);
    e = assertThrows(IOException.class, () -> new AdamW(resized).load(file));
    assertTrue(e.getMessage().contains("\"embeddings\" has 1000 values in the checkpoint but 999"),
        e.getMessage());

    Parameters larger = model(List.of("embeddings", "dense.bias", "dense.weight"), new Random(5));
    e = assertThrows(IOException.class, () -> new AdamW(larger).load(file));
    assertTrue(e.getMessage().contains("\"dense.weight\" of the model is missing"), e.getMessage());

    Path notState = dir.resolve("weights.safetensors");
    Files.writeString(notState, "{\"not\": \"an optimizer state at all\"}");
    e = assertThrows(IOException.class, () -> new AdamW(params).load(notState));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }
}
