package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.model.BuiltinModel;
import dev.quarry.model.BuiltinModels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class MainTest {

  /** What one in-process run of {@code quarry} printed and returned. */
  record Run(int code, String out, String err) {}

  static Run quarry(String stdin, String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandIo io = new CommandIo(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        out, new PrintStream(err, true, StandardCharsets.UTF_8), false, false);
    int code = Main.run(argv, io, false);
    return new Run(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void noCommandIsAUsageError() {
    Run run = quarry("");
    assertEquals(2, run.code());
    assertEquals("", run.out());
    assertTrue(run.err().startsWith("usage: quarry <command>"), run.err());
  }

  @Test
  void helpAndVersionGoToStandardOutput() {
    Run help = quarry("", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("embed") && help.out().contains("tokenize")
        && help.out().contains("models"), help.out());
    assertEquals("", help.err());

    Run version = quarry("", "--version");
    assertEquals(0, version.code());
    assertTrue(version.out().matches("quarry \\S.*\n"), version.out());

    for (String[] argv : new String[][] {{"embed", "--help"}, {"help", "embed"}, {"embed", "-h"}}) {
      Run run = quarry("", argv);
      assertEquals(0, run.code());
      assertTrue(run.out().startsWith("usage: quarry embed "), run.out());
    }
    assertTrue(quarry("", "tokenize", "--help").out().contains("--tokenizer FILE.json"));
  }

  @Test
  void unknownCommandOrOptionExitsWithTwo() {
    Run command = quarry("", "embedd");
    assertEquals(2, command.code());
    assertEquals("quarry: unknown command embedd (try quarry --help)\n", command.err());

    Run option = quarry("", "embed", "--foo", "text");
    assertEquals(2, option.code());
    assertEquals("", option.out());
    assertEquals("quarry embed: unknown option --foo (try quarry embed --help)\n", option.err());

    assertEquals(2, quarry("", "tokenize", "--model", "x", "--tokenizer", "t.json").code());
    assertEquals(2, quarry("", "models", "extra").code());
  }

  @Test
  void modelsListsEveryBuiltinAndMarksTheDefault() {
    Run run = quarry("", "models");
    assertEquals(0, run.code(), run.err());
    String[] lines = run.out().split("\n");
    assertTrue(lines[0].startsWith("NAME"), lines[0]);
    assertEquals(BuiltinModels.all().size() + 1, lines.length);
    for (BuiltinModel m : BuiltinModels.all()) {
      assertTrue(run.out().contains(BuiltinModels.localJar(m).toString()), m.name());
    }
    assertTrue(lines[1].startsWith(BuiltinModels.DEFAULT + " (default)"), lines[1]);
    // The default model is a dependency of the CLI, so it is downloaded.
    assertTrue(lines[1].matches(".*\\byes\\b.*"), lines[1]);
  }

  @Test
  void runtimeErrorsAreOneLine() {
    assertEquals("x.txt: no such file", Main.describe(new NoSuchFileException("x.txt"), false));
    assertEquals("bad input: line 3",
        Main.describe(new IOException("bad input:\n  line 3"), false));
    assertEquals("boom (java.lang.NullPointerException; QUARRY_DEBUG=1 shows where)",
        Main.describe(new NullPointerException("boom"), false));
    assertEquals("IOException", Main.describe(new IOException(), false));
  }

  @Test
  void emptyInputIsSaidOnStandardError() {
    Run run = quarry("", "tokenize");
    assertEquals(0, run.code(), run.err());
    assertEquals("", run.out());
    assertEquals("quarry tokenize: standard input holds no texts; nothing to do\n", run.err());
  }

  @Test
  void missingInputFileExitsWithOne() {
    Run run = quarry("", "tokenize", "--input", "target/no-such-input.txt");
    assertEquals(1, run.code());
    assertEquals("quarry tokenize: target/no-such-input.txt: no such file\n", run.err());
  }
}
