package io.hoist.cli;

import io.hoist.error.ConfigException;
import io.hoist.error.HoistException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns exceptions into messages and exit codes: hoist's own errors print their message (and the
 * trace with {@code -v}); anything else is a bug, reported with a "please report" line and the
 * trace saved to a file.
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
      if (he instanceof ConfigException ce) {
        ce.problems().forEach(p -> err.println(p));
        err.println(
            "hoist: the cluster file has "
                + ce.problems().size()
                + (ce.problems().size() == 1 ? " problem" : " problems")
                + "; nothing was done");
      } else {
        err.println("hoist: " + global.mask().mask(he.getMessage()));
      }
      if (global.verbosity() > 0) {
        err.print(global.mask().mask(trace(he)));
      }
      err.flush();
      return ExitCode.of(he).code();
    }
    err.println("hoist: internal error: " + global.mask().mask(ex.toString()));
    String trace = global.mask().mask(trace(ex));
    Path saved = save(trace);
    if (global.verbosity() > 0 || saved == null) {
      err.print(trace);
    }
    err.println(
        "hoist: this is a bug; please report it with the command you ran"
            + (saved == null ? " and the trace above." : " and the trace saved in " + saved));
    err.flush();
    return ExitCode.INTERNAL.code();
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("hoist: " + ex.getMessage());
    if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
      err.println(
          "Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    }
    err.flush();
    return ExitCode.USAGE.code();
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
