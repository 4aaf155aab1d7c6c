package dev.quarry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads the texts a command works on: one per line of plain text, or the {@code "text"} field of
 * each line of a JSON Lines file ({@code .jsonl}, {@code .ndjson}), always as strict UTF-8.
 */
final class TextInput {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TextInput() {}

  /**
   * The texts a command works on, and whether they came from a file (worth a progress bar).
   *
   * @param list     the texts in input order
   * @param fromFile whether they were read from {@code --input FILE}
   */
  record Texts(List<String> list, boolean fromFile) {}

  /**
   * The texts of a command line: its positional arguments, else the file of {@code --input}
   * ({@code -} for standard input), else standard input, one text per line.
   */
  static Texts fromCommandLine(Args args, CommandIo io) throws Args.UsageException, IOException {
    String input = args.get("input", null);
    if (!args.positional().isEmpty()) {
      if (input != null) throw args.error("give texts as arguments or with --input, not both");
      return new Texts(args.positional(), false);
    }
    boolean fromFile = input != null && !input.equals("-");
    if (!fromFile && io.stdinTerminal()) {
      io.err().println("quarry " + args.command() + ": reading texts from standard input, one per"
          + " line; end with Ctrl-D");
    }
    Texts texts = fromFile ? new Texts(read(Path.of(input)), true) : new Texts(lines(io.in(), "standard input"), false);
    if (texts.list().isEmpty()) {
      // Not an error (an empty pipe gives an empty result), but worth saying: often a wrong path or a missing pipe.
      io.err().println("quarry " + args.command() + ": " + (fromFile ? input : "standard input")
          + " holds no texts; nothing to do");
    }
    return texts;
  }

  /** Whether {@code file} is read as JSON Lines rather than as one text per line. */
  static boolean isJsonLines(Path file) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    name = name.toLowerCase(Locale.ROOT);
    return name.endsWith(".jsonl") || name.endsWith(".ndjson");
  }

  /** The texts of a file: JSON Lines by its extension, else one text per line. */
  static List<String> read(Path file) throws IOException {
    // Pipes count as files: --input <(command) is a fine way to feed texts.
    if (!Files.exists(file)) throw new IOException(file + ": no such file");
    if (Files.isDirectory(file)) throw new IOException(file + ": is a directory, not a file");
    try (InputStream in = Files.newInputStream(file)) {
      return isJsonLines(file) ? jsonLines(in, file.toString()) : lines(in, file.toString());
    }
  }

  /**
   * One text per line, empty lines included, so that a text's index is its line number minus one.
   * The line ends are {@code \n} or {@code \r\n}; a final line end adds no empty text.
   *
   * @param name how errors name the input
   */
  static List<String> lines(InputStream in, String name) throws IOException {
    List<String> texts = new ArrayList<>();
    LineReader reader = new LineReader(in, name);
    for (String line; (line = reader.next()) != null; ) {
      texts.add(texts.isEmpty() ? stripByteOrderMark(line) : line);
    }
    return texts;
  }

  /**
   * The {@code "text"} field of each line, one JSON object a line; blank lines are skipped, and a
   * line that is not an object with a string {@code "text"} fails, naming its line number.
   */
  static List<String> jsonLines(InputStream in, String name) throws IOException {
    List<String> texts = new ArrayList<>();
    LineReader reader = new LineReader(in, name);
    int lineNumber = 0;
    for (String line; (line = reader.next()) != null; ) {
      lineNumber++;
      if (lineNumber == 1) line = stripByteOrderMark(line);
      if (line.isBlank()) continue;
      texts.add(textField(line, name, lineNumber));
    }
    return texts;
  }

  private static String textField(String line, String name, int lineNumber) throws IOException {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IOException(
          name + ":" + lineNumber + ": not valid JSON (" + e.getOriginalMessage() + ")");
    }
    if (node == null || !node.isObject()) {
      throw new IOException(
          name + ":" + lineNumber + ": expected a JSON object with a \"text\" field");
    }
    JsonNode text = node.get("text");
    if (text == null) {
      throw new IOException(name + ":" + lineNumber + ": no \"text\" field");
    }
    if (!text.isTextual()) {
      throw new IOException(name + ":" + lineNumber + ": \"text\" is " + text.getNodeType()
          .name().toLowerCase(Locale.ROOT) + ", not a string");
    }
    return text.textValue();
  }

  private static String stripByteOrderMark(String line) {
    return !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
  }

  /**
   * Splits bytes into lines before decoding each one, so that malformed UTF-8 is reported at its
   * own line (a Reader decodes ahead of the line it returns) and is an error, not a silent U+FFFD.
   */
  private static final class LineReader {
    private final InputStream in;
    private final String name;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] line = new byte[1024];
    private int lineNumber;

    LineReader(InputStream in, String name) {
      this.in = in;
      this.name = name;
    }

    /** The next line without its {@code \n} or {@code \r\n}, or null at the end. */
    String next() throws IOException {
      int length = 0;
      boolean any = false;
      while (true) {
        if (position == limit) {
          limit = in.read(buffer);
          position = 0;
          if (limit <= 0) {
            limit = 0;
            if (!any) return null;
            break;
          }
        }
        any = true;
        byte b = buffer[position++];
        if (b == '\n') break;
        if (length == line.length) line = Arrays.copyOf(line, length * 2);
        line[length++] = b;
      }
      lineNumber++;
      if (length > 0 && line[length - 1] == '\r') length--;
      try {
        return decoder.decode(ByteBuffer.wrap(line, 0, length)).toString();
      } catch (CharacterCodingException e) {
        throw new IOException(name + ":" + lineNumber + ": not valid UTF-8 (convert it to UTF-8,"
            + " e.g. with iconv)");
      }
    }
  }
}
