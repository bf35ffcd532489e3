package io.hoist.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * How a command ended.
 *
 * @param exitCode the exit status; -1 when it timed out or the status is unknown
 * @param stdoutTail the last lines of standard output (at most {@link #TAIL_LINES})
 * @param stderrTail the last lines of standard error (at most {@link #TAIL_LINES})
 * @param duration wall time from start to end (or to the timeout)
 * @param timedOut whether the timeout ended it
 */
public record ExecResult(
    int exitCode, String stdoutTail, String stderrTail, Duration duration, boolean timedOut) {

  /** How many lines of each stream the tails keep. */
  public static final int TAIL_LINES = 20;

  public ExecResult {
    Objects.requireNonNull(stdoutTail, "stdoutTail");
    Objects.requireNonNull(stderrTail, "stderrTail");
    Objects.requireNonNull(duration, "duration");
  }

  /** Exited 0 within the timeout. */
  public boolean isSuccess() {
    return !timedOut && exitCode == 0;
  }

  /** The last non-blank line of stdout, else of stderr, else "". */
  public String lastLine() {
    String line = lastNonBlank(stdoutTail);
    return line.isEmpty() ? lastNonBlank(stderrTail) : line;
  }

  private static String lastNonBlank(String text) {
    String[] lines = text.split("\n", -1);
    for (int i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].isBlank()) {
        return lines[i].strip();
      }
    }
    return "";
  }
}
