package io.hoist.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Clock;
import picocli.CommandLine;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.RunLast;

/** Builds the configured command line and runs it: the one factory {@code Main} and tests use. */
public final class Cli {

  private Cli() {}

  /** Runs hoist with the process's streams and environment; returns the exit code. */
  public static int run(String[] args) {
    Charset charset = Charset.defaultCharset();
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, charset), true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, charset), true);
    return run(args, Environment.system(), out, err);
  }

  /** Runs hoist with the given environment and writers; returns the exit code. */
  public static int run(String[] args, Environment env, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = commandLine(env);
    commandLine.setOut(out);
    commandLine.setErr(err);
    try {
      return commandLine.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** The configured command line (also used to generate the man pages and completions). */
  public static CommandLine commandLine(Environment env) {
    HoistCommand hoist = new HoistCommand();
    CommandLine commandLine = new CommandLine(hoist, new CommandFactory(env));
    ErrorHandler errors = new ErrorHandler(hoist.global);
    commandLine.setExecutionExceptionHandler(errors);
    commandLine.setParameterExceptionHandler(errors);
    commandLine.setExecutionStrategy(new ConfigureLogging(hoist.global, errors, env));
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setAbbreviatedOptionsAllowed(false);
    setSections(commandLine);
    return commandLine;
  }

  private static void setSections(CommandLine commandLine) {
    CommandSpec spec = commandLine.getCommandSpec();
    spec.usageMessage()
        .descriptionHeading("%n")
        .parameterListHeading("%nParameters:%n")
        .optionListHeading("%nOptions:%n")
        .commandListHeading("%nCommands:%n");
    spec.usageMessage().exitCodeListHeading("%nExit Codes:%n");
    spec.usageMessage().exitCodeList(ExitCode.helpList());
    commandLine.getSubcommands().values().forEach(Cli::setSections);
  }

  /**
   * Sets slf4j-simple's level after parsing and before running: it fixes the level when the first
   * logger is created, so no class of this package holds a static logger.
   */
  private record ConfigureLogging(GlobalOptions global, ErrorHandler errors, Environment env)
      implements IExecutionStrategy {
    @Override
    public int execute(ParseResult parseResult) {
      // Help follows the colour rule too (picocli's own detection sees neither --no-color nor the
      // environment tests give).
      parseResult
          .commandSpec()
          .commandLine()
          .setColorScheme(CommandLine.Help.defaultColorScheme(Text.ansi(env, global)));
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", global.logLevel());
      System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
      System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
      System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
      System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
      global.openLog(Clock.systemUTC());
      global.log().line("start: hoist " + String.join(" ", parseResult.originalArgs()));
      int code = ExitCode.INTERNAL.code();
      try {
        code = new RunLast().execute(parseResult);
      } catch (ExecutionException e) {
        // Handled here, not by picocli, so the log's last line has the real exit code.
        Throwable cause = e.getCause() == null ? e : e.getCause();
        Exception failure = cause instanceof Exception ex ? ex : new IllegalStateException(cause);
        code = errors.handleExecutionException(failure, e.getCommandLine(), parseResult);
      } finally {
        global.end();
        global.log().line("end: exit " + code);
        global.closeLog();
      }
      return code;
    }
  }
}
