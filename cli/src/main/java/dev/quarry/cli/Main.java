package dev.quarry.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code quarry} command: picks the subcommand, and turns every failure into an exit code
 * and one line on standard error (2 for a usage mistake, 1 for anything else).
 */
public final class Main {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

  static {
    for (Command c : List.of(new EmbedCommand(), new TokenizeCommand(), new ModelsCommand(),
        new EvalCommand(), new IndexCommand(), new SearchCommand(), new TrainCommand())) {
      COMMANDS.put(c.spec().command(), c);
    }
  }

  private Main() {}

  /**
   * Runs {@code quarry} and exits. The launcher passes {@code -Dquarry.stdin.terminal=true} and
   * {@code -Dquarry.stderr.terminal=true} when those are terminals, which Java cannot tell.
   */
  public static void main(String[] argv) {
    // Standard output unwrapped: System.out would swallow a write error such as a closed pipe.
    CommandIo io = new CommandIo(System.in, new FileOutputStream(FileDescriptor.out), System.err,
        Boolean.getBoolean("quarry.stdin.terminal"), Boolean.getBoolean("quarry.stderr.terminal"));
    int code = run(argv, io, "1".equals(System.getenv("QUARRY_DEBUG")));
    io.err().flush();
    // The encoder's worker threads must not keep the JVM alive once the work is written.
    System.exit(code);
  }

  /** Runs one command line and returns its exit code; never throws. */
  static int run(String[] argv, CommandIo io, boolean debug) {
    if (argv.length == 0) {
      io.err().print(overview());
      return USAGE;
    }
    String first = argv[0];
    if (first.equals("--help") || first.equals("-h")) return print(io, overview());
    if (first.equals("--version")) return print(io, "quarry " + version() + "\n");
    if (first.equals("help")) return help(Arrays.asList(argv).subList(1, argv.length), io);
    Command command = COMMANDS.get(first);
    if (command == null) {
      String what = first.startsWith("-") ? "unknown option " : "unknown command ";
      io.err().println("quarry: " + what + first + " (try quarry --help)");
      return USAGE;
    }
    String who = "quarry " + first;
    try {
      Args args = Args.parse(command.spec(), Arrays.asList(argv).subList(1, argv.length));
      if (args.help()) return print(io, command.spec().help());
      return command.run(args, io);
    } catch (Args.UsageException e) {
      io.err().println(e.line());
      return USAGE;
    } catch (Exception | OutOfMemoryError | StackOverflowError | LinkageError e) {
      io.err().println(who + ": " + describe(e, debug));
      if (debug) e.printStackTrace(io.err());
      return FAILED;
    }
  }

  private static int help(List<String> rest, CommandIo io) {
    if (rest.isEmpty()) return print(io, overview());
    Command command = COMMANDS.get(rest.getFirst());
    if (command == null) {
      io.err().println("quarry: unknown command " + rest.getFirst() + " (try quarry --help)");
      return USAGE;
    }
    return print(io, command.spec().help());
  }

  private static int print(CommandIo io, String text) {
    try {
      io.out().write(text.getBytes(StandardCharsets.UTF_8));
      io.out().flush();
      return OK;
    } catch (IOException e) {
      io.err().println("quarry: cannot write to standard output: " + e.getMessage());
      return FAILED;
    }
  }

  static String overview() {
    StringBuilder b = new StringBuilder();
    b.append("usage: quarry <command> [options]\n\n");
    b.append("Embeds texts with BERT-family models, in pure Java.\n\ncommands:\n");
    for (Command c : COMMANDS.values()) {
      String name = c.spec().command();
      b.append("  ").append(name).append(" ".repeat(10 - name.length())).append(c.summary())
          .append('\n');
    }
    b.append("""

        options:
          -h, --help  show this help
          --version   show the version

        Run quarry <command> --help for a command's options.

        environment:
          QUARRY_JAVA_OPTS  JVM options for the launcher (e.g. -Xmx8g)
          QUARRY_CACHE_DIR  where models are unpacked (default ~/.cache/quarry)
          QUARRY_DEBUG=1    print the stack trace of an error
        """);
    return b.toString();
  }

  static String version() {
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        // An unfiltered resource (classes compiled outside Maven) still holds the placeholder.
        if (v != null && !v.startsWith("${")) return v;
      }
    } catch (IOException e) {
      // Fall through: the version is informative only.
    }
    return "(unknown version)";
  }

  /** One line that names what went wrong, for a person reading a terminal. */
  static String describe(Throwable e, boolean debug) {
    if (e instanceof UncheckedIOException u && u.getCause() != null) {
      return describe(u.getCause(), debug);
    }
    if (e instanceof NoSuchFileException x) return x.getFile() + ": no such file";
    if (e instanceof AccessDeniedException x) return x.getFile() + ": permission denied";
    if (e instanceof OutOfMemoryError) {
      return "out of memory; give Java more, e.g. QUARRY_JAVA_OPTS=-Xmx8g, or lower --batch-size";
    }
    if (e instanceof StackOverflowError) return "stack overflow (QUARRY_DEBUG=1 shows where)";
    if (e instanceof LinkageError) {
      return "the installation is broken (" + e + "); rebuild it with mvn -B -DskipTests install";
    }
    String message = e.getMessage();
    String line = message == null || message.isBlank()
        ? e.getClass().getSimpleName()
        : String.join(" ", message.strip().split("\\s*\\R\\s*"));
    boolean expected = e instanceof IOException || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException || e instanceof UnsupportedOperationException;
    // Anything else is a bug in Quarry: point at the stack trace that a report needs.
    if (!expected && !debug) {
      line += " (" + e.getClass().getName() + "; QUARRY_DEBUG=1 shows where)";
    }
    return line;
  }
}
