package io.hoist.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Where a command's words go. Results go to stdout (text unless -q, JSON always: it was asked for);
 * with --output json stdout holds exactly one JSON document, so text meant as a result goes to
 * stderr as a note; problems go to stderr even with -q; progress and notes go to stderr unless -q;
 * everything also goes to the --log-file.
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

  /** Whether escape sequences may be written (see {@link Text#styled}). */
  boolean isStyled(Environment env) {
    return Text.styled(env, global);
  }

  boolean isQuiet() {
    return global.verbosity() < 0;
  }

  /**
   * The text result: stdout unless -q (stderr with --output json), made safe for a terminal ({@link
   * Text#forTerminal}); always the log, as it is.
   */
  void result(List<String> lines) {
    PrintWriter to = isJson() ? err : out;
    for (String line : lines) {
      if (!isQuiet()) {
        to.println(Text.forTerminal(line));
      }
      global.log().line(line);
    }
    to.flush();
  }

  /**
   * A text result with hoist's own colours: lines of {@link Text#table}, whose cells were made safe
   * for a terminal before the colours were added, and other lines of hoist's own words. Printed as
   * they are; otherwise like {@link #result}. Made only when shown or logged: with -q and no
   * --log-file nobody reads them (a 100-node inspect table is 10 to 20 ms at the end of the run).
   */
  void styled(Supplier<List<String>> text) {
    if (isQuiet() && !global.log().isOpen()) {
      return;
    }
    PrintWriter to = isJson() ? err : out;
    for (String line : text.get()) {
      if (!isQuiet()) {
        to.println(line);
      }
      global.log().line(line);
    }
    to.flush();
  }

  /**
   * The JSON result: one document on stdout (also with -q), {@code schema_version} first, then
   * {@code fields}; the log records that it was written. A command writes it once.
   */
  void json(Map<String, ?> fields) {
    Json.print(out, Json.document(fields));
    global.resultWritten();
    global.log().line("result: JSON written to stdout");
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
