package dev.quarry.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.kernels.KernelProvider;
import dev.quarry.model.EncoderModel;
import dev.quarry.model.Models;
import dev.quarry.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A text's hidden states are bit-identical alone or in any batch, on one thread or two: random
 * batch compositions of texts from 3 to 200 tokens, small enough for the column-split path and
 * large enough for the row-split one (with sequences longer than a row chunk).
 */
class BatchInvarianceTest {

  @Test
  void hiddenStatesDoNotDependOnTheBatchOrTheThreads() throws Exception {
    Random random = new Random(2024);
    try (EncoderModel model = Models.load(null);
         Parallel one = new Parallel(1);
         Parallel two = new Parallel(2)) {
      Tokenizer tokenizer = Models.configure(model.tokenizer(), 256);
      List<int[]> texts = new ArrayList<>();
      String[] words = {"the", "embedding", "of", "a", "text", "must", "not", "depend", "on",
          "its", "neighbours", "東京", "batch", "invariance", "is", "tested", "here", "zebra",
          "quantum", "über"};
      for (int i = 0; i < 24; i++) {
        int count = i % 6 == 5 ? 120 + random.nextInt(60) : 1 + random.nextInt(i % 3 == 0 ? 40 : 12);
        StringBuilder text = new StringBuilder();
        for (int w = 0; w < count; w++) text.append(words[random.nextInt(words.length)]).append(' ');
        texts.add(tokenizer.encode(text.toString()).ids());
      }
      BertEncoder single = new BertEncoder(model.weights(), KernelProvider.tensorSupport(), one);
      BertEncoder pair = new BertEncoder(model.weights(), KernelProvider.tensorSupport(), two);
      int h = single.config().hiddenSize();
      List<float[]> alone = new ArrayList<>();
      for (int[] ids : texts) alone.add(single.forward(batch(List.of(ids))));
      boolean rowSplit = false, columnSplit = false;
      for (int round = 0; round < 12; round++) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) order.add(i);
        Collections.shuffle(order, random);
        List<Integer> chosen = order.subList(0, 1 + random.nextInt(round % 2 == 0 ? 4 : texts.size()));
        List<int[]> ids = new ArrayList<>();
        for (int i : chosen) ids.add(texts.get(i));
        TokenBatch b = batch(ids);
        if (b.tokenCount() >= BertEncoder.COLUMN_SPLIT_BELOW * 2) rowSplit = true; else columnSplit = true;
        for (BertEncoder encoder : new BertEncoder[] {single, pair}) {
          float[] hidden = encoder.forward(b);
          for (int s = 0; s < chosen.size(); s++) {
            float[] mine = Arrays.copyOfRange(hidden, b.start(s) * h, (b.start(s) + b.length(s)) * h);
            assertArrayEquals(alone.get(chosen.get(s)), mine, "text " + chosen.get(s) + " in a batch of "
                + chosen.size() + " (" + b.tokenCount() + " tokens), round " + round);
          }
        }
      }
      assertTrue(rowSplit && columnSplit, "both split paths should have been exercised");
    }
  }

  private static TokenBatch batch(List<int[]> ids) {
    int[][] all = ids.toArray(new int[0][]);
    int[][] types = new int[all.length][];
    for (int i = 0; i < all.length; i++) types[i] = new int[all[i].length];
    return TokenBatch.of(all, types);
  }
}
