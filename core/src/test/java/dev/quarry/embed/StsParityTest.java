package dev.quarry.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.eval.Correlation;
import dev.quarry.model.BuiltinModels;
import dev.quarry.tokenizer.Encoding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * STS-B dev with all-MiniLM-L6-v2: the cosine Spearman correlation of Quarry's pipeline must be
 * within 0.002 of the ONNX Runtime pipeline's on the same pairs.
 */
class StsParityTest {

  @Test
  void stsbDevSpearmanMatchesOnnxRuntime() throws Exception {
    List<TestTexts.StsPair> pairs = TestTexts.sts("sts-dev.csv");
    List<String> sentences = new ArrayList<>();
    double[] gold = new double[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      sentences.add(pairs.get(i).first());
      sentences.add(pairs.get(i).second());
      gold[i] = pairs.get(i).score();
    }
    var model = BuiltinModels.find(BuiltinModels.DEFAULT).orElseThrow();
    Path onnx = BuiltinModels.fetch(model).resolve("model.onnx");
    float[][] ours;
    float[][] theirs = new float[sentences.size()][];
    try (Embedder embedder = Embedder.open(null);
         OnnxRuntimeReference reference = new OnnxRuntimeReference(onnx, model.pooling(), 2)) {
      ours = embedder.embed(sentences);
      for (int from = 0; from < sentences.size(); from += 32) {
        List<Encoding> batch = new ArrayList<>();
        for (String s : sentences.subList(from, Math.min(sentences.size(), from + 32))) {
          batch.add(embedder.tokenizer().encode(s));
        }
        float[][] out = reference.embed(batch);
        System.arraycopy(out, 0, theirs, from, out.length);
      }
    }
    double quarry = Correlation.spearman(cosines(ours), gold);
    double onnxRuntime = Correlation.spearman(cosines(theirs), gold);
    System.out.printf("STS-B dev (%d pairs), all-MiniLM-L6-v2 cosine Spearman: Quarry %.5f, ONNX Runtime %.5f%n",
        pairs.size(), quarry, onnxRuntime);
    assertEquals(onnxRuntime, quarry, 0.002);
  }

  private static double[] cosines(float[][] vectors) {
    double[] out = new double[vectors.length / 2];
    for (int i = 0; i < out.length; i++) out[i] = OnnxParityTest.cosine(vectors[2 * i], vectors[2 * i + 1]);
    return out;
  }
}
