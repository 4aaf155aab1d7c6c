package dev.quarry.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command's parsed command line: GNU-style long options ({@code --name VALUE},
 * {@code --name=VALUE}, flags without a value), {@code -h} for help, and positional arguments,
 * with {@code --} ending the options so that a text may start with a dash.
 */
final class Args {

  /** The options a command accepts, in the order its help lists them. */
  static final class Spec {
    private final String command;
    private final String usage;
    private final String description;
    private final Map<String, Option> options = new LinkedHashMap<>();

    /**
     * @param command     the command's name, as in {@code quarry embed}
     * @param usage       the synopsis after {@code quarry <command>}
     * @param description what the command does, a few lines of help
     */
    Spec(String command, String usage, String description) {
      this.command = command;
      this.usage = usage;
      this.description = description;
    }

    /** An option that takes a value, shown in help as {@code --name METAVAR}. */
    Spec option(String name, String metavar, String help) {
      options.put(name, new Option(name, metavar, help));
      return this;
    }

    /** An option without a value. */
    Spec flag(String name, String help) {
      options.put(name, new Option(name, null, help));
      return this;
    }

    String command() {
      return command;
    }

    UsageException error(String message) {
      return new UsageException(command, message);
    }

    /** The text {@code --help} prints. */
    String help() {
      StringBuilder b = new StringBuilder();
      b.append("usage: quarry ").append(command).append(' ').append(usage).append("\n\n");
      b.append(description.strip()).append("\n\noptions:\n");
      List<String> heads = new ArrayList<>();
      int width = "-h, --help".length();
      for (Option o : options.values()) {
        String head = "--" + o.name + (o.metavar == null ? "" : " " + o.metavar);
        heads.add(head);
        width = Math.max(width, head.length());
      }
      int i = 0;
      for (Option o : options.values()) {
        appendRow(b, heads.get(i++), width, o.help);
      }
      appendRow(b, "-h, --help", width, "show this help and exit");
      return b.toString();
    }

    private static void appendRow(StringBuilder b, String head, int width, String help) {
      b.append("  ").append(head).append(" ".repeat(width - head.length() + 2));
      b.append(help.replace("\n", "\n" + " ".repeat(width + 4))).append('\n');
    }
  }

  private record Option(String name, String metavar, String help) {}

  /** A mistake on the command line: exit code 2 and a pointer to the command's help. */
  static final class UsageException extends Exception {
    private final String command;

    UsageException(String command, String message) {
      super(message);
      this.command = command;
    }

    /** {@code quarry embed: <message> (try quarry embed --help)} */
    String line() {
      String who = command == null ? "quarry" : "quarry " + command;
      return who + ": " + getMessage() + " (try " + who + " --help)";
    }
  }

  private final Spec spec;
  private final Map<String, String> values;
  private final List<String> positional;
  private final boolean help;

  private Args(Spec spec, Map<String, String> values, List<String> positional, boolean help) {
    this.spec = spec;
    this.values = values;
    this.positional = positional;
    this.help = help;
  }

  /** Parses {@code argv}, the arguments after the command's name. */
  static Args parse(Spec spec, List<String> argv) throws UsageException {
    Map<String, String> values = new HashMap<>();
    List<String> positional = new ArrayList<>();
    boolean help = false;
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (arg.equals("--")) {
        positional.addAll(argv.subList(i + 1, argv.size()));
        break;
      }
      if (arg.equals("-h") || arg.equals("--help")) {
        help = true;
        continue;
      }
      if (!arg.startsWith("-") || arg.equals("-")) {
        positional.add(arg);
        continue;
      }
      if (!arg.startsWith("--")) {
        throw spec.error("unknown option " + arg + "; put -- before texts that start with -");
      }
      int eq = arg.indexOf('=');
      String name = arg.substring(2, eq < 0 ? arg.length() : eq);
      Option option = spec.options.get(name);
      if (option == null) throw spec.error("unknown option --" + name);
      if (values.containsKey(name)) throw spec.error("option --" + name + " given more than once");
      String value;
      if (option.metavar == null) {
        if (eq >= 0) throw spec.error("option --" + name + " takes no value");
        value = "";
      } else if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < argv.size()) {
        value = argv.get(++i);
      } else {
        throw spec.error("option --" + name + " needs a value (" + option.metavar + ")");
      }
      values.put(name, value);
    }
    return new Args(spec, values, List.copyOf(positional), help);
  }

  /** The command's name, as in {@code quarry embed}. */
  String command() {
    return spec.command;
  }

  /** Whether {@code -h} or {@code --help} was given. */
  boolean help() {
    return help;
  }

  /** Whether the option or flag was given. */
  boolean has(String name) {
    requireKnown(name);
    return values.containsKey(name);
  }

  /** The option's value, or {@code fallback} when it was not given. */
  String get(String name, String fallback) {
    requireKnown(name);
    return values.getOrDefault(name, fallback);
  }

  /** The option's value as an integer of at least {@code min}, or {@code fallback}. */
  int getInt(String name, int min, int fallback) throws UsageException {
    String text = get(name, null);
    if (text == null) return fallback;
    int value;
    try {
      value = Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw spec.error("--" + name + " expects a whole number, got \"" + text + "\"");
    }
    if (value < min) {
      throw spec.error("--" + name + " must be at least " + min + ", got " + value);
    }
    return value;
  }

  /** The option's value as a finite number of at least {@code min}, or {@code fallback}. */
  double getDouble(String name, double min, double fallback) throws UsageException {
    String text = get(name, null);
    if (text == null) return fallback;
    double value;
    try {
      value = Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      throw spec.error("--" + name + " expects a number, got \"" + text + "\"");
    }
    if (!Double.isFinite(value) || value < min) {
      throw spec.error("--" + name + " must be a number of at least " + min + ", got " + text);
    }
    return value;
  }

  /** The arguments that are not options, in order. */
  List<String> positional() {
    return positional;
  }

  /** Fails when both options were given: they say contradictory things. */
  void exclusive(String a, String b) throws UsageException {
    if (has(a) && has(b)) throw spec.error("--" + a + " and --" + b + " cannot be used together");
  }

  /** A usage error of this command. */
  UsageException error(String message) {
    return spec.error(message);
  }

  private void requireKnown(String name) {
    // A typo in a command's own code must fail loudly, not read as "option not given".
    if (!spec.options.containsKey(name)) {
      throw new IllegalArgumentException("quarry " + spec.command + " has no option --" + name);
    }
  }
}
