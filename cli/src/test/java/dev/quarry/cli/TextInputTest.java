package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextInputTest {

  @TempDir Path dir;

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static CommandIo io(String stdin, ByteArrayOutputStream err) {
    return new CommandIo(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new ByteArrayOutputStream(), new PrintStream(err, true, StandardCharsets.UTF_8), false,
        false);
  }

  private static Args args(String... argv) throws Args.UsageException {
    return Args.parse(new EmbedCommand().spec(), List.of(argv));
  }

  @Test
  void textFileHasOneTextPerLine() throws IOException {
    Path txt = file("texts.txt", "\uFEFFfirst\r\nsecond line\n\n  spaced  \nlast without newline");
    assertEquals(List.of("first", "second line", "", "  spaced  ", "last without newline"),
        TextInput.read(txt));
    assertEquals(List.of("a", "b"), TextInput.read(file("two.txt", "a\nb\n")));
    assertEquals(List.of(), TextInput.read(file("empty.txt", "")));
  }

  @Test
  void jsonLinesGiveTheirTextField() throws IOException {
    Path jsonl = file("docs.jsonl", """
        {"id": 1, "text": "plain"}

        {"text": "with \\"quotes\\", a tab\\t and \\u00e9", "other": [1, 2]}
        {"text": ""}
        """);
    assertEquals(List.of("plain", "with \"quotes\", a tab\t and é", ""), TextInput.read(jsonl));
  }

  @Test
  void jsonLineWithoutTextNamesItsLine() throws IOException {
    Path jsonl = file("bad.jsonl", "{\"text\": \"ok\"}\n\n{\"title\": \"no text\"}\n");
    IOException e = assertThrows(IOException.class, () -> TextInput.read(jsonl));
    assertEquals(jsonl + ":3: no \"text\" field", e.getMessage());
  }

  @Test
  void otherJsonLineMistakesNameTheirLine() throws IOException {
    assertEquals(dir.resolve("n.jsonl") + ":1: \"text\" is number, not a string",
        assertThrows(IOException.class,
            () -> TextInput.read(file("n.jsonl", "{\"text\": 5}"))).getMessage());
    assertTrue(assertThrows(IOException.class,
            () -> TextInput.read(file("a.jsonl", "{\"text\": \"a\"}\n[1]\n"))).getMessage()
        .endsWith("a.jsonl:2: expected a JSON object with a \"text\" field"));
    assertTrue(assertThrows(IOException.class,
            () -> TextInput.read(file("j.jsonl", "{\"text\": \"a\"}\n{\"text\": \n"))).getMessage()
        .contains("j.jsonl:2: not valid JSON"));
  }

  @Test
  void malformedUtf8NamesItsLine() throws IOException {
    byte[] bytes = "good\nalso good\nbad \u0000here\n".getBytes(StandardCharsets.UTF_8);
    bytes[bytes.length - 6] = (byte) 0xC3; // a lead byte followed by an ASCII byte
    Path txt = Files.write(dir.resolve("latin.txt"), bytes);
    IOException e = assertThrows(IOException.class, () -> TextInput.read(txt));
    assertTrue(e.getMessage().startsWith(txt + ":3: not valid UTF-8"), e.getMessage());
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("missing.txt");
    assertEquals(missing + ": no such file",
        assertThrows(IOException.class, () -> TextInput.read(missing)).getMessage());
  }

  @Test
  void commandLineTextsWinThenInputThenStandardInput() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    TextInput.Texts fromArgs = TextInput.fromCommandLine(args("one", "two"), io("ignored\n", err));
    assertEquals(List.of("one", "two"), fromArgs.list());
    assertFalse(fromArgs.fromFile());

    Path txt = file("in.txt", "x\ny\n");
    TextInput.Texts fromFile =
        TextInput.fromCommandLine(args("--input", txt.toString()), io("", err));
    assertEquals(List.of("x", "y"), fromFile.list());
    assertTrue(fromFile.fromFile());

    TextInput.Texts fromStdin = TextInput.fromCommandLine(args(), io("héllo\r\nworld\n", err));
    assertEquals(List.of("héllo", "world"), fromStdin.list());
    assertFalse(fromStdin.fromFile());
    assertEquals(List.of("dash"),
        TextInput.fromCommandLine(args("--input", "-"), io("dash\n", err)).list());
    assertEquals("", err.toString(StandardCharsets.UTF_8), "no hint when stdin is not a terminal");
  }

  @Test
  void textsAndInputTogetherAreAUsageError() throws Exception {
    Args args = args("--input", "x.txt", "a text");
    Args.UsageException e = assertThrows(Args.UsageException.class,
        () -> TextInput.fromCommandLine(args, io("", new ByteArrayOutputStream())));
    assertEquals("quarry embed: give texts as arguments or with --input, not both"
        + " (try quarry embed --help)", e.line());
  }
}
