package dev.quarry.cli;

import dev.quarry.embed.EmbedOptions;
import dev.quarry.embed.Embedder;
import dev.quarry.eval.BeirDataset;
import dev.quarry.eval.RankingMetric;
import dev.quarry.eval.RetrievalEvaluator;
import dev.quarry.eval.RetrievalReport;
import dev.quarry.eval.StsBenchmark;
import dev.quarry.index.VectorEncoding;
import dev.quarry.index.VectorIndexConfig;
import dev.quarry.index.inverted.Bm25;
import dev.quarry.model.BuiltinModels;
import dev.quarry.retrieval.Bm25Retriever;
import dev.quarry.retrieval.DenseRetriever;
import dev.quarry.retrieval.Fusion;
import dev.quarry.retrieval.FusionRetriever;
import dev.quarry.retrieval.HnswRetriever;
import dev.quarry.retrieval.Retriever;
import dev.quarry.retrieval.TwoStageRetriever;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code quarry eval}: scores a model (or BM25, or a fusion) on a BEIR-format retrieval data set or
 * on an STS benchmark file. Progress and notes go to standard error; the last line of standard
 * output is one JSON object with the scores and the settings that produced them.
 */
final class EvalCommand implements Command {

  static final int DEFAULT_K = 1000;
  static final int DEFAULT_CANDIDATES = 100;
  static final List<String> MODES = List.of("dense", "bm25", "hybrid", "two-stage");
  static final List<String> ANN = List.of("exact", "hnsw");
  /** The options that only --ann hnsw takes. */
  private static final List<String> HNSW_OPTIONS = List.of("m", "ef-construction", "ef", "encoding");
  private static final VectorIndexConfig HNSW_DEFAULTS = HnswRetriever.defaultConfig(1);
  private static final int[] CUT_OFFS = {1, 3, 5, 10, 100, 1000};

  private static final Args.Spec SPEC = new Args.Spec("eval",
      "--dataset DIR [options] | --sts FILE [options]", """
      Scores retrieval on a BEIR data set (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv) with
      trec_eval's measures, or sentence similarity on an STS benchmark file (Spearman and Pearson
      of the cosine). The last line of standard output is one JSON object, e.g.
        {"ndcg@10": 0.6451, "recall@100": 0.925, ..., "model": "all-MiniLM-L6-v2", "mode": "dense"}
      The corpus's vectors are cached (QUARRY_CACHE_DIR, default ~/.cache/quarry), so a second
      run of the same model on the same corpus does not embed it again. Dense search (modes dense
      and hybrid) scans every document exactly, or with --ann hnsw searches an HNSW graph built
      over the corpus's vectors at the start of the run (not cached), e.g.
        quarry eval --dataset scifact --ann hnsw --m 16 --ef-construction 100 --ef 200
      """)
      .option("dataset", "DIR", "a BEIR-format data set folder")
      .option("split", "NAME", "the qrels split to score (default test)")
      .option("sts", "FILE", "an STS benchmark file (tab-separated, as STS-B is released)")
      .option("model", "NAME|DIR|FILE.onnx", "the model (default " + BuiltinModels.DEFAULT + ")")
      .option("mode", "MODE", "dense (default), bm25, hybrid (RRF of bm25 and dense) or two-stage")
      .option("k", "N", "hits retrieved per query (default " + DEFAULT_K + ")")
      .option("max-length", "N", "truncate texts to N tokens (default: the model's)")
      .option("dim", "N", "score the first N dimensions, renormalised (Matryoshka; default all)")
      .option("per-query", "FILE", "write each query's scores to FILE, as trec_eval -q does")
      .option("candidates", "N", "two-stage: BM25 hits reranked by the model (default "
          + DEFAULT_CANDIDATES + ")")
      .option("ann", "exact|hnsw", "dense and hybrid: exact search over every document (default)\n"
          + "or approximate search through an HNSW index")
      .option("m", "N", "hnsw: neighbours per node (default " + HNSW_DEFAULTS.m() + ")")
      .option("ef-construction", "N", "hnsw: beam width while building (default "
          + HNSW_DEFAULTS.efConstruction() + ")")
      .option("ef", "N", "hnsw: beam width of a search (default " + HNSW_DEFAULTS.efSearch()
          + "), raised to --k:\nwith --k " + DEFAULT_K + ", the default, only larger values matter")
      .option("encoding", "float|int8|binary", "hnsw: vectors walked as floats (default), int8 or\n"
          + "sign bits, the shortlist rescored with floats")
      .flag("keep-self-hits", "score documents whose id is the query's id (BEIR drops them)")
      .flag("no-cache", "embed the corpus even if its vectors are cached, and cache nothing")
      .option("threads", "N", "encoder and HNSW-building threads (default: all processors)");

  @Override
  public Args.Spec spec() {
    return SPEC;
  }

  @Override
  public String summary() {
    return "score a model on a BEIR retrieval data set or an STS file";
  }

  @Override
  public int run(Args args, CommandIo io) throws Exception {
    args.exclusive("dataset", "sts");
    if (!args.positional().isEmpty()) {
      throw args.error("unexpected argument " + args.positional().getFirst());
    }
    if (args.has("sts")) {
      for (String o : List.of("split", "mode", "k", "per-query", "keep-self-hits", "no-cache",
          "candidates", "ann", "m", "ef-construction", "ef", "encoding")) {
        if (args.has(o)) throw args.error("--" + o + " applies to --dataset, not to --sts");
      }
      return sts(args, io);
    }
    if (!args.has("dataset")) throw args.error("give --dataset DIR or --sts FILE");
    return retrieval(args, io);
  }

  private static EmbedOptions embedOptions(Args args) throws Args.UsageException {
    EmbedOptions options = EmbedOptions.defaults();
    if (args.has("threads")) options = options.withThreads(args.getInt("threads", 1, 0));
    if (args.has("max-length")) options = options.withMaxLength(args.getInt("max-length", 1, 0));
    if (args.has("dim")) options = options.withDimension(args.getInt("dim", 1, 0));
    return options;
  }

  private int sts(Args args, CommandIo io) throws Exception {
    Path file = Path.of(args.get("sts", null));
    List<StsBenchmark.Pair> pairs = StsBenchmark.read(file);
    String model = args.get("model", BuiltinModels.DEFAULT);
    long start = System.nanoTime();
    try (Embedder embedder = Embedder.open(model, embedOptions(args))) {
      io.err().println("eval: " + pairs.size() + " pairs of " + file + " with " + embedder.modelName());
      StsBenchmark.Result r = StsBenchmark.evaluate(embedder, pairs);
      StringBuilder b = new StringBuilder("{");
      number(b, "spearman", r.spearman());
      number(b.append(", "), "pearson", r.pearson());
      b.append(", \"pairs\": ").append(r.pairs()).append(", \"file\": ");
      Json.appendString(b, file.toString()).append(", \"model\": ");
      Json.appendString(b, embedder.modelName());
      b.append(", \"max_length\": ").append(embedder.tokenizer().maxLength());
      b.append(", \"similarity\": \"cosine\"");
      number(b.append(", "), "seconds", (System.nanoTime() - start) / 1e9);
      io.printLine(b.append('}').toString());
    }
    return 0;
  }

  private int retrieval(Args args, CommandIo io) throws Exception {
    String mode = args.get("mode", "dense");
    if (!MODES.contains(mode)) {
      throw args.error("--mode must be one of " + String.join(", ", MODES) + ", got \"" + mode + "\"");
    }
    int k = args.getInt("k", 1, DEFAULT_K);
    VectorIndexConfig hnsw = hnswConfig(args, mode);
    String split = args.get("split", "test");
    boolean ignoreSelfHits = !args.has("keep-self-hits");
    Path dir = Path.of(args.get("dataset", null));
    // Checked before the run, not after minutes of embedding.
    if (args.has("per-query")) checkParent(args.get("per-query", null));
    long start = System.nanoTime();
    io.err().println("eval: reading " + dir + " (split " + split + ")");
    BeirDataset data = BeirDataset.load(dir, split);
    for (String warning : data.warnings()) io.err().println("eval: warning: " + warning);
    io.err().println("eval: " + data.docIds().size() + " documents, " + data.queries().size()
        + " queries, " + data.qrels().judgmentCount() + " judgments");

    // Every cut-off, even beyond --k (scored on the hits there are, as trec_eval would).
    List<RankingMetric> metrics = RankingMetric.standard(CUT_OFFS);
    RetrievalEvaluator evaluator = new RetrievalEvaluator(data.qrels(), metrics, ignoreSelfHits);

    boolean usesModel = !mode.equals("bm25");
    int candidates = args.getInt("candidates", 1, DEFAULT_CANDIDATES);
    int depth = mode.equals("two-stage") ? Math.min(k, candidates) : k;
    String model = usesModel ? args.get("model", BuiltinModels.DEFAULT) : null;
    String queryPrompt = null, documentPrompt = null;
    int maxLength = 0;
    int dimension = 0;
    RetrievalReport report;
    List<Retriever> opened = new ArrayList<>();
    Embedder embedder = null;
    try {
      Retriever bm25 = null, dense = null;
      if (!mode.equals("dense")) {
        io.err().println("eval: indexing the corpus for BM25 (k1 0.9, b 0.4)");
        bm25 = Bm25Retriever.build(data.docIds(), data.docTexts(), Bm25.defaults());
        opened.add(bm25);
      }
      if (usesModel) {
        embedder = Embedder.open(model, embedOptions(args));
        queryPrompt = embedder.model().sentence().queryPrompt();
        documentPrompt = embedder.model().sentence().documentPrompt();
        maxLength = embedder.tokenizer().maxLength();
        dimension = embedder.dimension();
        model = embedder.modelName();
        io.err().println("eval: embedding with " + model + ", max length " + maxLength);
        dense = hnsw == null ? dense(embedder, data, args, io)
            : hnsw(dense(embedder, data, args, io), hnsw, args, io);
        opened.add(dense);
      }
      Retriever retriever = switch (mode) {
        case "dense" -> dense;
        case "bm25" -> bm25;
        case "hybrid" -> FusionRetriever.reciprocalRank(List.of(bm25, dense), k);
        case "two-stage" -> new TwoStageRetriever(bm25, candidates, embedder::embedQueries,
            ((DenseRetriever) dense)::vectors);
        default -> throw new IllegalStateException(mode);
      };
      Progress searching = new Progress(io.err(), "eval: searching", data.queries().size(),
          io.stderrTerminal(), System::nanoTime);
      report = evaluator.evaluate(retriever, data.queries(), depth, searching::update);
      searching.finish(data.queries().size());
    } finally {
      // Not the fusions: they would close their parts, which are closed here, once each.
      for (Retriever r : opened) r.close();
      if (embedder != null) embedder.close();
    }
    if (args.has("per-query")) writePerQuery(report, args.get("per-query", null));

    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, Double> e : report.averages().entrySet()) {
      number(b, e.getKey(), e.getValue()).append(", ");
    }
    b.append("\"dataset\": ");
    Json.appendString(b, dir.toString()).append(", \"split\": ");
    Json.appendString(b, split).append(", \"mode\": ");
    Json.appendString(b, mode).append(", \"model\": ");
    if (model == null) {
      b.append("null, \"max_length\": null, \"dim\": null, \"prompts\": null");
    } else {
      Json.appendString(b, model).append(", \"max_length\": ").append(maxLength);
      b.append(", \"dim\": ").append(dimension);
      b.append(", \"prompts\": {\"query\": ");
      Json.appendString(b, queryPrompt).append(", \"document\": ");
      Json.appendString(b, documentPrompt).append('}');
    }
    if (!mode.equals("dense")) b.append(", \"bm25\": {\"k1\": 0.9, \"b\": 0.4}");
    if (mode.equals("hybrid")) b.append(", \"fusion\": \"rrf\", \"rrf_k\": ").append(Fusion.RRF_K);
    if (mode.equals("two-stage")) b.append(", \"candidates\": ").append(candidates);
    b.append(", \"ann\": ");
    if (!mode.equals("dense") && !mode.equals("hybrid")) {
      b.append("null");
    } else if (hnsw == null) {
      b.append("\"exact\"");
    } else {
      b.append("{\"type\": \"hnsw\", \"m\": ").append(hnsw.m());
      b.append(", \"ef_construction\": ").append(hnsw.efConstruction());
      b.append(", \"ef\": ").append(hnsw.efSearch()).append(", \"encoding\": ");
      Json.appendString(b, encodingName(hnsw.encoding())).append('}');
    }
    b.append(", \"k\": ").append(depth);
    b.append(", \"ignore_self_hits\": ").append(ignoreSelfHits);
    b.append(", \"queries\": ").append(report.perQuery().size());
    b.append(", \"documents\": ").append(data.docIds().size());
    number(b.append(", "), "seconds", (System.nanoTime() - start) / 1e9);
    io.printLine(b.append('}').toString());
    return 0;
  }

  /** Exact dense search over the corpus, its vectors from the cache when it has them. */
  private static DenseRetriever dense(Embedder embedder, BeirDataset data, Args args, CommandIo io)
      throws IOException {
    int total = data.docIds().size();
    Progress embedding = new Progress(io.err(), "eval: embedding the corpus", total,
        io.stderrTerminal(), System::nanoTime);
    DenseRetriever.Options options = DenseRetriever.Options.defaults()
        .withProgress(embedding::update).withLog(io.err()::println);
    if (args.has("no-cache")) options = options.withCacheDirectory(null);
    DenseRetriever dense = DenseRetriever.build(embedder, data.docIds(), data.docTexts(), options);
    if (!dense.loadedFromCache()) embedding.finish(total);
    return dense;
  }

  /**
   * The HNSW settings of {@code --ann hnsw} (dimension 1, set once the model is open), or null for
   * exact search. Checked before any data is read.
   */
  private static VectorIndexConfig hnswConfig(Args args, String mode) throws Args.UsageException {
    String ann = args.get("ann", "exact");
    if (!ANN.contains(ann)) {
      throw args.error("--ann must be one of " + String.join(", ", ANN) + ", got \"" + ann + "\"");
    }
    if (args.has("ann") && !mode.equals("dense") && !mode.equals("hybrid")) {
      throw args.error("--ann applies to the dense search of --mode dense and hybrid, not to " + mode
          + (mode.equals("two-stage") ? " (it reranks BM25's candidates with exact scores)" : ""));
    }
    if (ann.equals("exact")) {
      for (String o : HNSW_OPTIONS) {
        if (args.has(o)) throw args.error("--" + o + " applies to --ann hnsw");
      }
      return null;
    }
    int m = args.getInt("m", 2, HNSW_DEFAULTS.m());
    int efConstruction = args.getInt("ef-construction", 1, HNSW_DEFAULTS.efConstruction());
    int ef = args.getInt("ef", 1, HNSW_DEFAULTS.efSearch());
    String encoding = args.get("encoding", encodingName(HNSW_DEFAULTS.encoding()));
    VectorEncoding parsed = switch (encoding) {
      case "float" -> VectorEncoding.FLOAT32;
      case "int8" -> VectorEncoding.INT8;
      case "binary" -> VectorEncoding.BINARY;
      default -> throw args.error("--encoding must be one of float, int8, binary, got \"" + encoding + "\"");
    };
    try {
      return HNSW_DEFAULTS.withM(m).withEfConstruction(efConstruction).withEfSearch(ef).withEncoding(parsed);
    } catch (IllegalArgumentException e) {
      throw args.error("--ann hnsw: " + e.getMessage());
    }
  }

  private static String encodingName(VectorEncoding encoding) {
    return encoding == VectorEncoding.FLOAT32 ? "float" : encoding.name().toLowerCase(Locale.ROOT);
  }

  /** An HNSW index over the exact retriever's vectors, built on every encoder thread. */
  private static HnswRetriever hnsw(DenseRetriever exact, VectorIndexConfig settings, Args args,
      CommandIo io) throws Args.UsageException {
    VectorIndexConfig config = new VectorIndexConfig(exact.dimension(), settings.similarity(),
        settings.encoding(), settings.m(), settings.efConstruction(), settings.efSearch(),
        settings.seed(), settings.oversample());
    int threads = args.getInt("threads", 1, Runtime.getRuntime().availableProcessors());
    io.err().println("eval: building an HNSW index (m " + config.m() + ", ef-construction "
        + config.efConstruction() + ", " + encodingName(config.encoding()) + ") on " + threads
        + " threads");
    Progress building = new Progress(io.err(), "eval: indexing the vectors", exact.size(),
        io.stderrTerminal(), System::nanoTime);
    HnswRetriever hnsw = HnswRetriever.build(exact, config, threads, building::update);
    building.finish(exact.size());
    return hnsw;
  }

  private static void checkParent(String file) throws IOException {
    Path parent = Path.of(file).toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new IOException(file + ": the directory " + parent + " does not exist");
    }
  }

  private static void writePerQuery(RetrievalReport report, String file) throws IOException {
    try (Writer out = Files.newBufferedWriter(Path.of(file), StandardCharsets.UTF_8)) {
      report.writePerQuery(out);
    }
  }

  private static StringBuilder number(StringBuilder b, String name, double value) {
    Json.appendString(b, name).append(": ");
    if (!Double.isFinite(value)) return b.append("null");
    return b.append(String.format(Locale.ROOT, "%.6f", value).replaceAll("0+$", "").replaceAll("\\.$", ".0"));
  }

}
