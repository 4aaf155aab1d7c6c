package dev.quarry.embed;

import dev.quarry.kernels.KernelProvider;
import dev.quarry.kernels.cuda.CudaUnavailableException;
import dev.quarry.model.EncoderModel;
import dev.quarry.model.HuggingFaceDirectory;
import dev.quarry.model.Models;
import dev.quarry.model.Pooling;
import dev.quarry.model.SentenceConfig;
import dev.quarry.nn.BertEncoder;
import dev.quarry.nn.Parallel;
import dev.quarry.nn.SentencePooling;
import dev.quarry.nn.TokenBatch;
import dev.quarry.nn.gpu.CudaBertEncoder;
import dev.quarry.tokenizer.Encoding;
import dev.quarry.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntConsumer;

/**
 * Turns texts into embedding vectors with one model: tokenization, the encoder, pooling,
 * normalisation and Matryoshka truncation, as the model's sentence-transformers configuration says
 * unless {@link EmbedOptions} overrides it.
 *
 * <p>Texts are tokenized in blocks on the thread pool, the next block while the encoder runs the
 * current one, so that a GPU is not left waiting for the CPU. Safe for many threads at once.
 * Closing it releases the model's mapped memory and its threads.
 */
public final class Embedder implements AutoCloseable {

  /** Tokens per encoder call: bounds the activation memory of large inputs. */
  private static final int TOKEN_BUDGET = 16_384;
  /** Tokens per GPU sub-batch: the encoder pipelines sub-batches of a block (host work hides behind the GPU's). */
  private static final int GPU_TOKEN_BUDGET = 16_384;
  /** Texts tokenized ahead as one block, while the encoder runs the block before. */
  private static final int BLOCK_TEXTS = 1024;
  /** Texts per tokenization task on the pool. */
  private static final int TOKENIZE_CHUNK = 32;

  private final EncoderModel model;
  private final Tokenizer tokenizer;
  private final Parallel parallel;
  /** Hands the next block's tokenization to the pool while the caller's thread drives the encoder. */
  private final ExecutorService tokenizing;
  private final BertEncoder encoder;
  /** The GPU encoder when {@link EmbedOptions#device()} is CUDA and a GPU is usable, else null. */
  private final CudaBertEncoder gpu;
  private final Pooling pooling;
  private final boolean normalize;
  private final int dimension;
  private final String prompt;
  private volatile boolean closed;

  private Embedder(EncoderModel model, EmbedOptions options) {
    this.model = model;
    SentenceConfig sentence = model.sentence();
    int hidden = model.config().hiddenSize();
    if (options.dimension() > hidden) {
      throw new IllegalArgumentException("dimension " + options.dimension() + " is larger than the "
          + hidden + " of " + model.name() + "; choose at most " + hidden);
    }
    if (options.maxLength() > model.config().maxPositions()) {
      throw new IllegalArgumentException("max length " + options.maxLength() + " is larger than the "
          + model.config().maxPositions() + " positions of " + model.name());
    }
    int maxLength = options.maxLength() > 0 ? options.maxLength() : sentence.maxLength();
    this.tokenizer = Models.configure(model.tokenizer(), maxLength);
    this.pooling = options.pooling() != null ? options.pooling() : sentence.pooling();
    this.normalize = options.normalize() != null ? options.normalize() : sentence.normalize();
    this.dimension = options.dimension() > 0 ? options.dimension() : hidden;
    this.prompt = resolvePrompt(options, sentence, model.name());
    int threads = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
    this.parallel = new Parallel(threads);
    this.tokenizing = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "quarry-tokenize");
      t.setDaemon(true);
      return t;
    });
    this.encoder = new BertEncoder(model.weights(), KernelProvider.tensorSupport(), parallel);
    this.gpu = options.device() == Device.CUDA ? openGpu(model) : null;
  }

  /** The GPU encoder, or null with one line on stderr saying why the CPU runs instead. */
  private static CudaBertEncoder openGpu(EncoderModel model) {
    try {
      return CudaBertEncoder.open(model.weights(), 0, GPU_TOKEN_BUDGET);
    } catch (CudaUnavailableException | IllegalArgumentException e) {
      System.err.println("quarry: " + e.getMessage() + "; running " + model.name() + " on the CPU");
      return null;
    }
  }

  /** Opens a built-in model by name, a Hugging Face directory or an {@code .onnx} file, with its own settings. */
  public static Embedder open(String model) throws IOException {
    return open(model, EmbedOptions.defaults());
  }

  /** Opens {@code model} ({@code null}: the default, all-MiniLM-L6-v2) with {@code options}. */
  public static Embedder open(String model, EmbedOptions options) throws IOException {
    EncoderModel loaded = Models.load(model);
    try {
      return new Embedder(loaded, options);
    } catch (RuntimeException e) {
      loaded.close();
      throw e;
    }
  }

  /** Wraps an already loaded model; the embedder owns it from now on and closes it. */
  public static Embedder of(EncoderModel model, EmbedOptions options) {
    return new Embedder(model, options);
  }

  private static String resolvePrompt(EmbedOptions options, SentenceConfig sentence, String name) {
    if (options.prompt() != null) return options.prompt();
    if (options.promptName() == null) return "";
    String key = options.promptName().equals("document") && !sentence.prompts().containsKey("document")
        ? "passage" : options.promptName();
    String found = sentence.prompts().get(key);
    if (found == null) {
      throw new IllegalArgumentException("prompt name \"" + options.promptName() + "\" is not defined by "
          + name + (sentence.prompts().isEmpty() ? " (it has no prompts)" : " (it has " + sentence.prompts().keySet() + ")")
          + "; pass the text itself with --prompt");
    }
    return found;
  }

  /** Embeds each text, prefixed with the configured prompt, in input order. */
  public float[][] embed(List<String> texts) {
    return embed(texts, prompt);
  }

  public float[] embed(String text) {
    return embed(List.of(text))[0];
  }

  /** Embeds search queries with the model's query prompt (e5's {@code query: }, bge's instruction). */
  public float[][] embedQueries(List<String> queries) {
    return embed(queries, model.sentence().queryPrompt());
  }

  /** Embeds documents with the model's document prompt (e5's {@code passage: }). */
  public float[][] embedDocuments(List<String> documents) {
    return embed(documents, model.sentence().documentPrompt());
  }

  private float[][] embed(List<String> texts, String prefix) {
    if (closed) throw new IllegalStateException("this embedder of " + model.name() + " is closed");
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null) throw new NullPointerException("text " + i + " is null");
    }
    float[][] out = new float[texts.size()][];
    CompletableFuture<Encoding[]> next = tokenize(texts, prefix, 0);
    for (int from = 0; from < texts.size(); from += BLOCK_TEXTS) {
      Encoding[] block = join(next);
      int after = from + BLOCK_TEXTS;
      next = after < texts.size() ? tokenize(texts, prefix, after) : null;
      encodeBlock(block, out, from);
    }
    return out;
  }

  /**
   * The block of texts from {@code from}, tokenized on the thread pool; with a GPU the future
   * completes while the encoder runs the block before it.
   */
  private CompletableFuture<Encoding[]> tokenize(List<String> texts, String prefix, int from) {
    int n = Math.min(BLOCK_TEXTS, texts.size() - from);
    Encoding[] block = new Encoding[n];
    IntConsumer chunk = c -> {
      for (int i = c * TOKENIZE_CHUNK; i < Math.min(n, (c + 1) * TOKENIZE_CHUNK); i++) {
        String text = texts.get(from + i);
        block[i] = tokenizer.encode(prefix.isEmpty() ? text : prefix + text);
      }
    };
    int chunks = (n + TOKENIZE_CHUNK - 1) / TOKENIZE_CHUNK;
    if (gpu == null || chunks == 1) {
      // The CPU encoder wants every core itself: tokenize now, in parallel, without overlap.
      parallel.forEach(chunks, chunk);
      return CompletableFuture.completedFuture(block);
    }
    return CompletableFuture.supplyAsync(() -> {
      parallel.forEach(chunks, chunk);
      return block;
    }, tokenizing);
  }

  private static Encoding[] join(CompletableFuture<Encoding[]> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error r) throw r;
      throw e;
    }
  }

  /** Encodes a tokenized block: whole on the GPU (which splits it itself), in batches of the token budget on the CPU. */
  private void encodeBlock(Encoding[] block, float[][] out, int first) {
    if (gpu != null) {
      encode(Arrays.asList(block), out, first);
      return;
    }
    List<Encoding> pending = new ArrayList<>();
    int pendingTokens = 0;
    int firstPending = first;
    for (int i = 0; i < block.length; i++) {
      Encoding encoding = block[i];
      if (!pending.isEmpty() && pendingTokens + encoding.length() > TOKEN_BUDGET) {
        encode(pending, out, firstPending);
        firstPending = first + i;
        pending.clear();
        pendingTokens = 0;
      }
      pending.add(encoding);
      pendingTokens += encoding.length();
    }
    if (!pending.isEmpty()) encode(pending, out, firstPending);
  }

  private void encode(List<Encoding> encodings, float[][] out, int first) {
    int[][] ids = new int[encodings.size()][];
    int[][] types = new int[encodings.size()][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = encodings.get(i).ids();
      types[i] = encodings.get(i).typeIds();
    }
    TokenBatch batch = TokenBatch.of(ids, types);
    if (gpu != null) {
      float[][] vectors = gpu.embed(batch, pooling, normalize, dimension);
      System.arraycopy(vectors, 0, out, first, vectors.length);
      return;
    }
    float[] hidden = encoder.forward(batch);
    int width = model.config().hiddenSize();
    for (int s = 0; s < batch.sequenceCount(); s++) {
      float[] v = SentencePooling.pool(pooling, hidden, batch.start(s), batch.length(s), width);
      if (dimension < width) v = Arrays.copyOf(v, dimension);
      out[first + s] = normalize ? SentencePooling.normalize(v) : v;
    }
  }

  /** Where the encoder runs: {@link Device#CUDA} only when a GPU was asked for and is usable. */
  public Device device() {
    return gpu != null ? Device.CUDA : Device.CPU;
  }

  /** The length of the vectors this embedder returns. */
  public int dimension() {
    return dimension;
  }

  public String modelName() {
    return model.name();
  }

  /** The tokenizer as this embedder runs it (its truncation applied, no padding). */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public EncoderModel model() {
    return model;
  }

  /** Writes the model as a Hugging Face / sentence-transformers directory. */
  public void save(Path dir) throws IOException {
    HuggingFaceDirectory.write(model, dir);
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    tokenizing.shutdown();
    parallel.close();
    if (gpu != null) gpu.close();
    model.close();
  }
}
