package dev.quarry.cli;

/** One {@code quarry} subcommand: its options, its line in the overview, and what it does. */
interface Command {

  /** The options and help of the command. */
  Args.Spec spec();

  /** One line for {@code quarry --help}. */
  String summary();

  /**
   * Runs the command on parsed arguments ({@code --help} has been handled already).
   *
   * @return the exit code
   * @throws Args.UsageException when the arguments contradict each other (exit code 2)
   * @throws Exception           any other failure, reported on one line (exit code 1)
   */
  int run(Args args, CommandIo io) throws Exception;
}
