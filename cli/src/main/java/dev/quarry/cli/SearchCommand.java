package dev.quarry.cli;

import dev.quarry.embed.Embedder;
import dev.quarry.index.analysis.EnglishAnalyzer;
import dev.quarry.index.inverted.InvertedIndex;
import dev.quarry.retrieval.Bm25Retriever;
import dev.quarry.retrieval.FlatDenseRetriever;
import dev.quarry.retrieval.FusionRetriever;
import dev.quarry.retrieval.Hit;
import dev.quarry.retrieval.Retriever;
import dev.quarry.retrieval.StoredVectors;
import dev.quarry.retrieval.TwoStageRetriever;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code quarry search}: queries an index made by {@code quarry index} and writes one JSON line
 * per query: {@code {"index": i, "results": [{"id": ..., "score": ...}, ...]}}.
 */
final class SearchCommand implements Command {

  static final int FUSION_DEPTH = 100;

  private static final Args.Spec SPEC = new Args.Spec("search", "--index DIR [options] [QUERY ...]", """
      Searches an index built by quarry index and writes one JSON line per query, in order:
        {"index": 0, "results": [{"id": "doc7", "score": 12.5}, ...]}
      The queries are the arguments; else the lines of --input or standard input.
      Modes: bm25; dense (exact cosine); hybrid (reciprocal rank fusion of both, k = 60, over
      the top 100 of each); two-stage (BM25 top --candidates reranked by the dense vectors).
      The default is hybrid when the index has both parts, else the part it has.
      """)
      .option("index", "DIR", "the index directory")
      .option("mode", "MODE", "dense, bm25, hybrid or two-stage")
      .option("k", "N", "results per query (default 10)")
      .option("candidates", "N", "two-stage: BM25 hits to rerank (default 100)")
      .option("model", "NAME|DIR", "the query encoder (default: the model the index was built with)")
      .option("input", "FILE", "read the queries from FILE (one per line, or .jsonl \"text\")")
      .option("output", "FILE", "write to FILE instead of standard output")
      .option("threads", "N", "encoder threads (default: all processors)");

  @Override
  public Args.Spec spec() {
    return SPEC;
  }

  @Override
  public String summary() {
    return "search an index with BM25, dense, hybrid or two-stage retrieval";
  }

  @Override
  public int run(Args args, CommandIo io) throws Exception {
    String indexArg = args.get("index", null);
    if (indexArg == null) throw args.error("--index DIR is required");
    int k = args.getInt("k", 1, 10);
    int candidates = args.getInt("candidates", 1, 100);
    Path dir = Path.of(indexArg);
    if (!Files.isDirectory(dir)) throw new IOException(dir + ": no such index directory");
    boolean hasBm25 = Files.exists(dir.resolve(IndexCommand.BM25_DIR).resolve("MANIFEST"));
    boolean hasDense = Files.exists(dir.resolve(IndexCommand.DENSE_DIR).resolve("MANIFEST"));
    if (!hasBm25 && !hasDense) throw new IOException(dir + ": not an index (build one with quarry index)");
    String mode = args.get("mode", hasBm25 && hasDense ? "hybrid" : hasBm25 ? "bm25" : "dense");
    boolean needBm25 = !mode.equals("dense");
    boolean needDense = !mode.equals("bm25");
    if (!List.of("dense", "bm25", "hybrid", "two-stage").contains(mode)) {
      throw args.error("--mode must be dense, bm25, hybrid or two-stage, got \"" + mode + "\"");
    }
    if (needBm25 && !hasBm25) throw new IOException(dir + " has no BM25 index; --mode " + mode + " needs one (quarry index --bm25)");
    if (needDense && !hasDense) throw new IOException(dir + " has no dense vectors; --mode " + mode + " needs them (quarry index --dense)");
    if (args.has("model") && !needDense) throw args.error("--model is for dense, hybrid and two-stage modes");
    TextInput.Texts queries = TextInput.fromCommandLine(args, io);

    InvertedIndex inverted = needBm25 ? InvertedIndex.open(dir.resolve(IndexCommand.BM25_DIR)) : null;
    StoredVectors vectors = needDense ? StoredVectors.read(dir.resolve(IndexCommand.DENSE_DIR)) : null;
    Embedder embedder = null;
    try {
      if (needDense) {
        String model = args.get("model", vectors.model());
        var options = dev.quarry.embed.EmbedOptions.defaults();
        if (args.has("threads")) options = options.withThreads(args.getInt("threads", 0, 0));
        embedder = Embedder.open(model, options);
        if (embedder.dimension() != vectors.dimension()) {
          throw new IllegalArgumentException("model " + model + " makes vectors of " + embedder.dimension()
              + " dimensions, the index holds " + vectors.dimension() + " (built with " + vectors.model() + ")");
        }
      }
      Retriever bm25 = inverted == null ? null : new Bm25Retriever(inverted, new EnglishAnalyzer());
      Retriever dense = vectors == null ? null : new FlatDenseRetriever(vectors, embedder::embedQueries);
      Retriever retriever = switch (mode) {
        case "bm25" -> bm25;
        case "dense" -> dense;
        case "hybrid" -> FusionRetriever.reciprocalRank(List.of(dense, bm25), Math.max(FUSION_DEPTH, k));
        default -> new TwoStageRetriever(bm25, candidates, embedder::embedQueries, vectors::vectors);
      };
      List<List<Hit>> results = retriever.searchAll(queries.list(), k);
      try (Writer out = Output.open(args.get("output", null), io.out())) {
        write(results, out);
      }
    } finally {
      if (embedder != null) embedder.close();
      if (inverted != null) inverted.close();
    }
    return 0;
  }

  static void write(List<List<Hit>> results, Writer out) throws IOException {
    StringBuilder line = new StringBuilder(1024);
    for (int i = 0; i < results.size(); i++) {
      line.setLength(0);
      line.append("{\"index\": ").append(i).append(", \"results\": [");
      List<Hit> hits = results.get(i);
      for (int j = 0; j < hits.size(); j++) {
        Hit h = hits.get(j);
        if (!Float.isFinite(h.score())) {
          throw new IllegalStateException("query " + i + ": document " + h.id() + " scored " + h.score());
        }
        if (j > 0) line.append(", ");
        line.append("{\"id\": ");
        Json.appendString(line, h.id());
        line.append(", \"score\": ").append(h.score()).append('}');
      }
      line.append("]}\n");
      out.write(line.toString());
    }
    out.flush();
  }
}
