package io.hoist.error;

import java.util.Objects;

/**
 * One problem found in a cluster file, at a position. Lines and columns count from 1; a problem
 * about the file as a whole (missing, unreadable) has line and column 0.
 *
 * @param file the file as the user named it
 * @param line 1-based line, or 0
 * @param column 1-based column, or 0
 * @param message what is wrong and, when possible, what would be right
 */
public record Problem(String file, int line, int column, String message) {

  public Problem {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
  }

  /** {@code FILE:LINE:COLUMN: message}, or {@code FILE: message} without a position. */
  @Override
  public String toString() {
    return line > 0 ? file + ":" + line + ":" + column + ": " + message : file + ": " + message;
  }
}
