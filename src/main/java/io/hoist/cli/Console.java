package io.hoist.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Where a command's words go. Results go to stdout (text unless -q, JSON always: it was asked for);
 * problems go to stderr even with -q; progress and notes go to stderr unless -q; everything also
 * goes to the --log-file.
 */
final class Console {

  private final PrintWriter out;
  private final PrintWriter err;
  private final GlobalOptions global;

  Console(PrintWriter out, PrintWriter err, GlobalOptions global) {
    this.out = out;
    this.err = err;
    this.global = global;
  }

  /** The console of a running command: its command line's writers and the global options. */
  static Console of(CommandSpec spec, GlobalOptions global) {
    return new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), global);
  }

  boolean isJson() {
    return global.isJson();
  }

  boolean isQuiet() {
    return global.verbosity() < 0;
  }

  /**
   * The text result: stdout unless -q, made safe for a terminal ({@link Text#forTerminal}); always
   * the log, as it is.
   */
  void result(List<String> lines) {
    for (String line : lines) {
      if (!isQuiet()) {
        out.println(Text.forTerminal(line));
      }
      global.log().line(line);
    }
    out.flush();
  }

  /**
   * A text result with hoist's own colours: lines of {@link Text#table}, whose cells were made safe
   * for a terminal before the colours were added, and other lines of hoist's own words. Printed as
   * they are; otherwise like {@link #result}.
   */
  void styled(List<String> lines) {
    for (String line : lines) {
      if (!isQuiet()) {
        out.println(line);
      }
      global.log().line(line);
    }
    out.flush();
  }

  /** A JSON result: stdout (also with -q); the log records that it was written. */
  void json(Object value) {
    Json.print(out, value);
  }

  /**
   * A document the command exists to print (the cluster-file schema): stdout exactly as given, with
   * either --output and also with -q, like a JSON result.
   */
  void document(String text) {
    out.print(text);
    out.flush();
  }

  /** Problems the admin must see: stderr, also with -q; the log. */
  void problem(String line) {
    err.println("hoist: " + Text.forTerminal(line));
    err.flush();
    global.log().line("error: " + line);
  }

  /** Progress and notes: stderr unless -q; the log. */
  void note(String line) {
    if (!isQuiet()) {
      err.println(Text.forTerminal(line));
      err.flush();
    }
    global.log().line(line);
  }

  PrintWriter err() {
    return err;
  }
}
