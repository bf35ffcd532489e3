package io.hoist.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Clock;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Range;
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
    CommandLine commandLine = commandLine(env, args);
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
    return commandLine(env, null);
  }

  /**
   * The command line for {@code args}: with only the subcommand they name when they name one (after
   * hoist's own options), else with all ({@code args} null, help, a misspelt command). Parsing
   * {@code args} with it gives what the full command line gives (LazyCommandLineTest).
   */
  static CommandLine commandLine(Environment env, String[] args) {
    HoistCommand hoist = new HoistCommand();
    CommandLine commandLine = new CommandLine(hoist, new CommandFactory(env));
    Class<?> only = args == null ? null : requestedSubcommand(commandLine.getCommandSpec(), args);
    for (Class<?> sub : HoistCommand.SUBCOMMANDS) {
      if (only == null || only == sub) {
        commandLine.addSubcommand(sub);
      }
    }
    ErrorHandler errors = new ErrorHandler(hoist.global);
    commandLine.setExecutionExceptionHandler(errors);
    commandLine.setParameterExceptionHandler(errors);
    commandLine.setExecutionStrategy(new ConfigureLogging(hoist.global, errors, env));
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setAbbreviatedOptionsAllowed(false);
    setSections(commandLine);
    return commandLine;
  }

  /**
   * The subcommand {@code args} name: the first argument that is not one of hoist's options or an
   * option's value. Null (build them all) when anything is unclear: an unknown option, an option
   * whose value may or may not follow, a command's name as an option's value, {@code --}, or a
   * first word that is no command's name.
   */
  static Class<?> requestedSubcommand(CommandSpec root, String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        return null;
      }
      if (arg.startsWith("-") && arg.length() > 1) {
        int equals = arg.indexOf('=');
        OptionSpec option = root.findOption(equals < 0 ? arg : arg.substring(0, equals));
        if (option == null) {
          return null;
        }
        Range arity = option.arity();
        if (arity.min() != arity.max()) {
          return null;
        }
        for (int v = 0; v < arity.max() && equals < 0; v++) {
          // picocli takes no command's name as an option's value: let it say so
          if (++i < args.length && named(args[i]) != null) {
            return null;
          }
        }
        continue;
      }
      return named(arg);
    }
    return null;
  }

  private static Class<?> named(String word) {
    for (Class<?> sub : HoistCommand.SUBCOMMANDS) {
      Command command = sub.getAnnotation(Command.class);
      if (command.name().equals(word) || List.of(command.aliases()).contains(word)) {
        return sub;
      }
    }
    return null;
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
