package dev.quarry.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;

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
    boolean stderrTerminal) {}
