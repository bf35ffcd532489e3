package io.hoist.transport;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The last lines of one output stream: at most {@link ExecResult#TAIL_LINES} lines and {@link
 * ExecResult#TAIL_CHARS} characters, older lines dropped first (one line is always kept). Not
 * thread-safe.
 */
public final class LineTail {

  private final Deque<String> lines = new ArrayDeque<>();
  private int chars;

  /** Keeps {@code line}, dropping the oldest lines beyond the limits. */
  public void add(String line) {
    lines.addLast(line);
    chars += line.length();
    while (lines.size() > ExecResult.TAIL_LINES
        || (chars > ExecResult.TAIL_CHARS && lines.size() > 1)) {
      chars -= lines.removeFirst().length();
    }
  }

  /** The kept lines joined by newlines. */
  @Override
  public String toString() {
    return String.join("\n", lines);
  }
}
