package dev.quarry.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.model.BertWeights;
import dev.quarry.model.EncoderModel;
import dev.quarry.model.HuggingFaceDirectory;
import dev.quarry.train.Parameters.Parameter;
import dev.quarry.train.optim.AdamW;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A training run's output folder. The trained model is written into it as a Hugging Face /
 * sentence-transformers directory; while training, {@code checkpoint-STEP/} holds the model so far
 * with the optimizer's state ({@value #OPTIMIZER}) and the step ({@value #STATE}), which is what a
 * resumed run needs.
 *
 * <p>A checkpoint is written into {@code checkpoint-STEP.partial/} and renamed when complete, and
 * only then are older checkpoints deleted: a crash at any moment leaves the last complete one.
 */
final class Checkpoints {

  static final String OPTIMIZER = "optimizer.bin";
  static final String STATE = "trainer_state.json";
  private static final String PREFIX = "checkpoint-";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path output;
  private final EncoderModel base;
  private final TrainingOptions options;
  private Path last;

  Checkpoints(Path output, EncoderModel base, TrainingOptions options) {
    this.output = output;
    this.base = base;
    this.options = options;
  }

  /** Writes a resumable checkpoint of {@code step}. */
  void save(long step, TrainableBert bert, AdamW optimizer) throws IOException {
    Files.createDirectories(output);
    Path done = output.resolve(PREFIX + step);
    Path partial = output.resolve(PREFIX + step + ".partial");
    deleteTree(partial);
    writeModel(bert, partial);
    optimizer.save(partial.resolve(OPTIMIZER));
    ObjectNode state = JSON.createObjectNode();
    state.put("step", step);
    state.put("options", options.toString());
    Files.writeString(partial.resolve(STATE), JSON.writeValueAsString(state) + "\n");
    deleteTree(done);
    Files.move(partial, done, StandardCopyOption.ATOMIC_MOVE);
    for (Path old : checkpoints()) {
      if (!old.equals(done)) deleteTree(old);
    }
    last = done;
  }

  /** Writes the trained model into the output folder itself and drops the checkpoints. */
  void saveFinal(TrainableBert bert) throws IOException {
    Files.createDirectories(output);
    writeModel(bert, output);
    for (Path old : checkpoints()) deleteTree(old);
  }

  /**
   * Loads a checkpoint's weights into {@code bert} and its state into {@code optimizer}.
   *
   * @return the number of steps it had done
   */
  long restore(Path checkpoint, TrainableBert bert, AdamW optimizer) throws IOException {
    Path stateFile = checkpoint.resolve(STATE);
    if (!Files.exists(stateFile)) {
      throw new NoSuchFileException(stateFile.toString(), null,
          "not a training checkpoint (resume from a checkpoint-STEP folder of an earlier run)");
    }
    JsonNode state = JSON.readTree(stateFile.toFile());
    String saved = state.path("options").asText();
    if (!saved.equals(options.toString())) {
      throw new IllegalArgumentException(checkpoint + " was trained with " + saved + ", not " + options
          + "; resume with the same options");
    }
    // Closing the model closes its arena.
    try (EncoderModel model = HuggingFaceDirectory.read(checkpoint, Arena.ofConfined())) {
      for (Parameter p : bert.parameters().all()) {
        MemorySegment values = model.weights().get(p.name());
        MemorySegment.copy(values, BertWeights.FLOAT, 0, p.value(), 0, p.value().length);
      }
    }
    bert.parametersChanged();
    optimizer.load(checkpoint.resolve(OPTIMIZER));
    last = checkpoint;
    return state.path("step").asLong();
  }

  /** For error messages: where a stopped run can be resumed from. */
  String lastGoodDescription() {
    return last == null ? "No checkpoint was written yet; the output folder is unchanged."
        : "The last good checkpoint is " + last + " (resume with --resume " + last + ").";
  }

  private void writeModel(TrainableBert bert, Path dir) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      EncoderModel trained = new EncoderModel(base.name(), bert.weights(), base.tokenizer(),
          base.tokenizerJson(), base.sentence(), arena);
      HuggingFaceDirectory.write(trained, dir);
    }
  }

  private List<Path> checkpoints() throws IOException {
    if (!Files.isDirectory(output)) return List.of();
    try (Stream<Path> files = Files.list(output)) {
      return files.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p)).toList();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
    }
    for (Path p : paths) Files.delete(p);
  }
}
