package dev.quarry.cli;

import dev.quarry.model.BuiltinModel;
import dev.quarry.model.BuiltinModels;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/** {@code quarry models}: the built-in models, whether their jars are downloaded, and where. */
final class ModelsCommand implements Command {

  private static final Args.Spec SPEC = new Args.Spec("models", "", """
      Lists the built-in models: their pooling, their maximum length in tokens, whether their
      jar is in the local Maven repository, and where it is (or will be). A missing model is
      fetched with the machine's Maven the first time a command uses it.
      """);

  @Override
  public Args.Spec spec() {
    return SPEC;
  }

  @Override
  public String summary() {
    return "list the built-in models and whether they are downloaded";
  }

  @Override
  public int run(Args args, CommandIo io) throws Exception {
    if (!args.positional().isEmpty()) throw args.error("takes no arguments");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "POOLING", "MAX", "DOWNLOADED", "JAR"});
    for (BuiltinModel m : BuiltinModels.all()) {
      String name = m.name() + (m.name().equals(BuiltinModels.DEFAULT) ? " (default)" : "");
      rows.add(new String[] {name, m.pooling().id(), Integer.toString(m.maxLength()),
          BuiltinModels.isDownloaded(m) ? "yes" : "no", BuiltinModels.localJar(m).toString()});
    }
    try (Writer out = Output.open(null, io.out())) {
      out.write(table(rows));
    }
    return 0;
  }

  /** Left-aligned columns two spaces apart; the last column is not padded. */
  static String table(List<String[]> rows) {
    int columns = rows.getFirst().length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns - 1; c++) widths[c] = Math.max(widths[c], row[c].length());
    }
    StringBuilder b = new StringBuilder();
    for (String[] row : rows) {
      for (int c = 0; c < columns - 1; c++) {
        b.append(row[c]).append(" ".repeat(widths[c] - row[c].length() + 2));
      }
      b.append(row[columns - 1]).append('\n');
    }
    return b.toString();
  }
}
