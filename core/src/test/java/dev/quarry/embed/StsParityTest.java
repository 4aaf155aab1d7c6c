package dev.quarry.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.eval.StsBenchmark;
import dev.quarry.model.BuiltinModels;
import dev.quarry.tokenizer.Encoding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * STS-B dev with all-MiniLM-L6-v2: the cosine Spearman correlation of Quarry's pipeline (as
 * {@code quarry eval --sts} computes it, {@link StsBenchmark}) must be within 0.001 of the ONNX
 * Runtime pipeline's on the same pairs.
 */
class StsParityTest {

  @Test
  void stsbDevSpearmanMatchesOnnxRuntime() throws Exception {
    List<StsBenchmark.Pair> pairs =
        StsBenchmark.read(TestTexts.shared().resolve("data/stsbenchmark/sts-dev.csv"));
    List<String> sentences = new ArrayList<>();
    for (StsBenchmark.Pair p : pairs) {
      sentences.add(p.first());
      sentences.add(p.second());
    }
    var model = BuiltinModels.find(BuiltinModels.DEFAULT).orElseThrow();
    Path onnx = BuiltinModels.fetch(model).resolve("model.onnx");
    StsBenchmark.Result ours;
    float[][] theirs = new float[sentences.size()][];
    try (Embedder embedder = Embedder.open(null);
         OnnxRuntimeReference reference = new OnnxRuntimeReference(onnx, model.pooling(), 2)) {
      ours = StsBenchmark.evaluate(embedder, pairs);
      for (int from = 0; from < sentences.size(); from += 32) {
        List<Encoding> batch = new ArrayList<>();
        for (String s : sentences.subList(from, Math.min(sentences.size(), from + 32))) {
          batch.add(embedder.tokenizer().encode(s));
        }
        float[][] out = reference.embed(batch);
        System.arraycopy(out, 0, theirs, from, out.length);
      }
    }
    double quarry = ours.spearman();
    double onnxRuntime = StsBenchmark.correlate(pairs, cosines(theirs)).spearman();
    System.out.printf("STS-B dev (%d pairs), all-MiniLM-L6-v2 cosine Spearman: Quarry %.5f, ONNX Runtime %.5f%n",
        pairs.size(), quarry, onnxRuntime);
    assertEquals(onnxRuntime, quarry, 0.001);
  }

  private static double[] cosines(float[][] vectors) {
    double[] out = new double[vectors.length / 2];
    for (int i = 0; i < out.length; i++) out[i] = StsBenchmark.cosine(vectors[2 * i], vectors[2 * i + 1]);
    return out;
  }
}
