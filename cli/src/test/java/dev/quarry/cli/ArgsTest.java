package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.embed.EmbedOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgsTest {

  private static final Args.Spec EMBED = new EmbedCommand().spec();

  private static Args parse(String... argv) throws Args.UsageException {
    return Args.parse(EMBED, List.of(argv));
  }

  private static String error(String... argv) {
    Args.UsageException e = assertThrows(Args.UsageException.class, () -> {
      Args args = parse(argv);
      EmbedCommand.options(args);
      args.getInt("batch-size", 1, EmbedCommand.DEFAULT_BATCH_SIZE);
    });
    return e.line();
  }

  @Test
  void optionsValuesAndTextsInAnyOrder() throws Exception {
    Args args =
        parse("--model", "e5-small-v2", "first text", "--dim=128", "--no-normalize", "second");
    assertEquals("e5-small-v2", args.get("model", null));
    assertEquals(128, args.getInt("dim", 1, 0));
    assertTrue(args.has("no-normalize"));
    assertFalse(args.has("prompt"));
    assertEquals(List.of("first text", "second"), args.positional());
    assertFalse(args.help());
  }

  @Test
  void doubleDashEndsOptions() throws Exception {
    Args args = parse("--threads", "2", "--", "--not-an-option", "-x", "-");
    assertEquals(List.of("--not-an-option", "-x", "-"), args.positional());
    assertEquals("-", parse("-").positional().getFirst(), "a lone dash is a text");
  }

  @Test
  void valueMayStartWithADash() throws Exception {
    assertEquals("--weird prompt", parse("--prompt", "--weird prompt").get("prompt", null));
    assertEquals("", parse("--prompt=").get("prompt", null));
  }

  @Test
  void unknownOption() {
    assertEquals("quarry embed: unknown option --foo (try quarry embed --help)", error("--foo"));
    assertEquals("quarry embed: unknown option --foo (try quarry embed --help)", error("--foo=1"));
    assertTrue(error("-m", "x").startsWith("quarry embed: unknown option -m; put -- before"));
  }

  @Test
  void missingValue() {
    assertEquals("quarry embed: option --model needs a value (NAME|DIR|FILE.onnx)"
        + " (try quarry embed --help)", error("--model"));
    assertEquals("quarry embed: option --dim needs a value (N) (try quarry embed --help)",
        error("hello", "--dim"));
  }

  @Test
  void numbersAreChecked() {
    assertEquals("quarry embed: --dim expects a whole number, got \"abc\""
        + " (try quarry embed --help)", error("--dim", "abc"));
    assertTrue(error("--dim", "1.5").contains("expects a whole number"));
    assertTrue(error("--dim", "99999999999").contains("expects a whole number"));
    assertTrue(error("--dim", "0").contains("--dim must be at least 1, got 0"));
    assertTrue(error("--batch-size", "-3").contains("--batch-size must be at least 1"));
    assertTrue(error("--threads", "-1").contains("--threads must be at least 0"));
  }

  @Test
  void promptAndPromptNameConflict() {
    assertEquals("quarry embed: --prompt and --prompt-name cannot be used together"
        + " (try quarry embed --help)", error("--prompt", "q: ", "--prompt-name", "query"));
  }

  @Test
  void repeatedOptionAndFlagWithValueAreErrors() {
    assertTrue(error("--dim", "8", "--dim", "16").contains("--dim given more than once"));
    assertTrue(error("--no-normalize=yes").contains("--no-normalize takes no value"));
  }

  @Test
  void helpAnywhere() throws Exception {
    assertTrue(parse("text", "--help").help());
    assertTrue(parse("-h").help());
    String help = EMBED.help();
    assertTrue(help.startsWith("usage: quarry embed [options] [TEXT ...]"), help);
    for (String option : List.of("--model", "--input", "--output", "--dim", "--prompt ",
        "--prompt-name", "--max-length", "--batch-size", "--no-normalize", "--threads", "--help")) {
      assertTrue(help.contains(option), option);
    }
  }

  @Test
  void embedOptionsFollowTheCommandLine() throws Exception {
    EmbedOptions o = EmbedCommand.options(parse("--threads", "3", "--max-length", "128", "--dim",
        "64", "--no-normalize", "--prompt-name", "query"));
    assertEquals(new EmbedOptions(3, 128, null, false, 64, null, "query"), o);
    assertEquals(EmbedOptions.defaults(), EmbedCommand.options(parse("text")));
    assertEquals("query: ", EmbedCommand.options(parse("--prompt", "query: ")).prompt());
    assertNull(EmbedCommand.options(parse()).normalize());
  }
}
