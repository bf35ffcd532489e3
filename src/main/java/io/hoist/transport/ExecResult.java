package io.hoist.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * How a command ended.
 *
 * @param exitCode the exit status; -1 when it timed out or the status is unknown
 * @param stdoutTail the last lines of standard output (at most {@link #TAIL_LINES} lines and {@link
 *     #TAIL_CHARS} characters)
 * @param stderrTail the last lines of standard error (at most {@link #TAIL_LINES} lines and {@link
 *     #TAIL_CHARS} characters)
 * @param duration wall time from start to end (or to the timeout)
 * @param timedOut whether the timeout ended it
 */
public record ExecResult(
    int exitCode, String stdoutTail, String stderrTail, Duration duration, boolean timedOut) {

  /** How many lines of each stream the tails keep. */
  public static final int TAIL_LINES = 20;

  /**
   * How many characters of each stream the tails keep at most: older lines are dropped first; one
   * line is never longer (the pump cuts lines at 64 KiB of UTF-8).
   */
  public static final int TAIL_CHARS = 64 * 1024;

  /** The longest {@link #lastLine()}: it goes into messages, tables and the journal. */
  public static final int LAST_LINE_CHARS = 512;

  public ExecResult {
    Objects.requireNonNull(stdoutTail, "stdoutTail");
    Objects.requireNonNull(stderrTail, "stderrTail");
    Objects.requireNonNull(duration, "duration");
  }

  /** Exited 0 within the timeout. */
  public boolean isSuccess() {
    return !timedOut && exitCode == 0;
  }

  /**
   * The last non-blank line of stdout, else of stderr, else "", stripped; a line longer than {@link
   * #LAST_LINE_CHARS} keeps its start and says how much was left out.
   */
  public String lastLine() {
    String line = lastNonBlank(stdoutTail);
    return shorten(line.isEmpty() ? lastNonBlank(stderrTail) : line);
  }

  private static String shorten(String line) {
    if (line.length() <= LAST_LINE_CHARS) {
      return line;
    }
    int keep = LAST_LINE_CHARS - 40;
    if (Character.isHighSurrogate(line.charAt(keep - 1))) {
      keep--;
    }
    return line.substring(0, keep) + "... (" + (line.length() - keep) + " more characters)";
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
