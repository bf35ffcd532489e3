package io.hoist.cli;

import io.hoist.error.ConfigException;
import io.hoist.error.HoistException;
import io.hoist.error.InterruptedRunException;
import io.hoist.error.LockedException;
import io.hoist.error.Problem;
import io.hoist.error.TransportException;
import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns exceptions into messages and exit codes: hoist's own errors print their message (and the
 * trace with {@code -v}); anything else is a bug, reported with a "please report" line and the
 * trace saved to a file. Messages quote files, nodes and bundles: everything printed goes through
 * {@link Text#forTerminal}, each problem of a cluster file as one line.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

  private final GlobalOptions global;

  ErrorHandler(GlobalOptions global) {
    this.global = global;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    global.log().line("error: " + ex.getMessage());
    if (ex instanceof HoistException he) {
      int code = ExitCode.of(he).code();
      List<Problem> problems = List.of();
      String message;
      if (he instanceof ConfigException ce) {
        problems = ce.problems();
        problems.forEach(p -> err.println(Text.forTerminalLine(p.toString())));
        message =
            "the cluster file has "
                + problems.size()
                + (problems.size() == 1 ? " problem" : " problems")
                + "; nothing was done";
        err.println("hoist: " + message);
        message =
            problems.stream().map(Problem::toString).collect(Collectors.joining("\n"))
                + "\n"
                + message;
      } else {
        message = global.mask().mask(he.getMessage());
        err.println("hoist: " + Text.forTerminal(String.valueOf(message)));
      }
      if (global.verbosity() > 0) {
        err.print(Text.forTerminal(global.mask().mask(trace(he))));
      }
      err.flush();
      String node = he instanceof TransportException te ? te.node() : null;
      json(cmd, code, kind(he), message, node, problems);
      return code;
    }
    String message = "internal error: " + global.mask().mask(ex.toString());
    err.println("hoist: " + Text.forTerminal(message));
    String trace = global.mask().mask(trace(ex));
    Path saved = save(trace);
    if (global.verbosity() > 0 || saved == null) {
      err.print(Text.forTerminal(trace));
    }
    String report =
        "this is a bug; please report it with the command you ran"
            + (saved == null ? " and the trace above." : " and the trace saved in " + saved);
    err.println("hoist: " + report);
    err.flush();
    json(cmd, ExitCode.INTERNAL.code(), "internal", message + "; " + report, null, List.of());
    return ExitCode.INTERNAL.code();
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("hoist: " + Text.forTerminal(String.valueOf(ex.getMessage())));
    if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
      err.println(
          "Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    }
    err.flush();
    if (asksForJson(args)) {
      json(cmd, ExitCode.USAGE.code(), "usage", ex.getMessage(), null, List.of());
    }
    return ExitCode.USAGE.code();
  }

  /**
   * With --output json, the error as a JSON document on stdout, unless the command already wrote
   * its result there (stdout holds one document, whatever happens).
   */
  private void json(
      CommandLine cmd, int code, String kind, String message, String node, List<Problem> problems) {
    if (!global.isJson() || global.hasWrittenResult()) {
      return;
    }
    Json.print(cmd.getOut(), Json.document(Json.error(code, kind, message, node, problems)));
    global.resultWritten();
  }

  /** The error's kind in the JSON document: the exception's type, as a word. */
  static String kind(HoistException e) {
    if (e instanceof ConfigException) {
      return "config";
    }
    if (e instanceof UsageException) {
      return "usage";
    }
    if (e instanceof ValidationException) {
      return "validation";
    }
    if (e instanceof TransportException) {
      return "transport";
    }
    if (e instanceof LockedException) {
      return "locked";
    }
    if (e instanceof InterruptedRunException) {
      return "interrupted";
    }
    return "internal";
  }

  /**
   * Whether the command line asks for JSON: read from the words themselves, because a parse error
   * may come before picocli reached -o/--output.
   */
  static boolean asksForJson(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        return false;
      }
      boolean option = arg.equals("--output") || arg.equals("-o");
      if ((option && i + 1 < args.length && args[i + 1].equalsIgnoreCase("json"))
          || arg.equalsIgnoreCase("--output=json")
          || arg.equalsIgnoreCase("-o=json")
          || arg.equalsIgnoreCase("-ojson")) {
        return true;
      }
    }
    return false;
  }

  private static String trace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  private static Path save(String trace) {
    try {
      Path file = Files.createTempFile("hoist-error-", ".log");
      Files.writeString(file, trace);
      return file;
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }
}
