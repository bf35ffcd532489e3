package io.hoist.cli;

import io.hoist.command.SecretMask;
import java.util.Locale;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command takes, before or after the subcommand's name. */
final class GlobalOptions {

  /** How results are written to stdout. */
  enum Output {
    text,
    json
  }

  @Option(
      names = {"-c", "--cluster-file"},
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "The cluster file. Default: $HOIST_CLUSTER, else cluster.yaml in the working"
              + " directory, else /etc/hoist/cluster.yaml.")
  String clusterFile;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      scope = ScopeType.INHERIT,
      defaultValue = "text",
      description =
          "Result format on stdout: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}. json"
              + " writes exactly one JSON document (schema_version first), also when the command"
              + " fails; logs and progress stay on stderr.")
  Output output = Output.text;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description =
          "More detail on stderr: -v shows each command run on a node and the stack trace of an"
              + " error; -vv also each line of the commands' output.")
  boolean[] verbose = new boolean[0];

  @Option(
      names = {"-q", "--quiet"},
      scope = ScopeType.INHERIT,
      description =
          "Quiet, for cron: nothing on success; on failure only the errors, on stderr. JSON"
              + " results (--output json) are still written.")
  boolean quiet;

  @Option(
      names = "--log-file",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "Also append what this run does to FILE, one timestamped line each (for cron;"
              + " independent of -q and -v).")
  java.nio.file.Path logFile;

  private RunLog log = RunLog.NONE;

  /** Whether a result document has gone to stdout (--output json: never a second one). */
  private boolean resultWritten;

  private SecretMask mask = SecretMask.NONE;

  @Option(
      names = "--no-color",
      scope = ScopeType.INHERIT,
      description =
          "No colours and no redrawn progress, only plain lines (also when NO_COLOR is set or"
              + " stdout is not a terminal).")
  boolean noColor;

  /** The --log-file, opened by the execution strategy; a no-op log without the option. */
  private final java.util.List<Runnable> atEnd = new java.util.ArrayList<>();

  /** Runs {@code action} when the command ends (closing what it kept open: SSH sessions). */
  void atEnd(Runnable action) {
    atEnd.add(action);
  }

  /** Runs the end actions, newest first; one that fails does not stop the others. */
  void end() {
    for (int i = atEnd.size() - 1; i >= 0; i--) {
      try {
        atEnd.get(i).run();
      } catch (RuntimeException e) {
        log().line("warning: cleaning up failed: " + e.getMessage());
      }
    }
    atEnd.clear();
  }

  RunLog log() {
    return log;
  }

  /**
   * The secrets to hide from now on in the log file and in error messages (known once the cluster
   * file is read).
   */
  void mask(SecretMask secrets) {
    mask = secrets;
    if (log != RunLog.NONE) {
      log.mask(secrets);
    }
  }

  /** The secrets to hide; {@link SecretMask#NONE} before the cluster file is read. */
  SecretMask mask() {
    return mask;
  }

  void openLog(java.time.Clock clock) {
    if (logFile != null && log == RunLog.NONE) {
      log = RunLog.open(logFile, clock);
      log.mask(mask);
    }
  }

  void closeLog() {
    log.close();
    log = RunLog.NONE;
  }

  boolean isJson() {
    return output == Output.json;
  }

  /** Records that this command's result went to stdout. */
  void resultWritten() {
    resultWritten = true;
  }

  /** Whether this command's result already went to stdout (an error then adds none). */
  boolean hasWrittenResult() {
    return resultWritten;
  }

  int verbosity() {
    return quiet ? -1 : verbose.length;
  }

  /** The slf4j-simple level for this verbosity. */
  String logLevel() {
    return switch (verbosity()) {
      case -1 -> "error";
      case 0 -> "warn";
      case 1 -> "info";
      default -> "debug";
    };
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "GlobalOptions[file=%s, output=%s]", clusterFile, output);
  }
}
