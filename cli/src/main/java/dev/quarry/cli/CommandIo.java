package dev.quarry.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The streams a command reads and writes, passed in so that tests run commands in-process.
 *
 * @param in             standard input: texts when no other source is given
 * @param out            standard output: data only (JSON Lines, listings, help)
 * @param err            standard error: progress, messages, errors
 * @param stdinTerminal  whether standard input is a terminal (a person typing)
 * @param stderrTerminal whether standard error is a terminal (progress redraws in place)
 */
record CommandIo(InputStream in, OutputStream out, PrintStream err, boolean stdinTerminal,
    boolean stderrTerminal) {

  /** Writes one line of UTF-8 to standard output and flushes it (a command's result line). */
  void printLine(String line) throws IOException {
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
