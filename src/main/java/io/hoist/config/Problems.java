package io.hoist.config;

import io.hoist.error.ConfigException;
import io.hoist.error.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the problems of one cluster file, so that all of them are reported at once. */
final class Problems {

  /** More than this many problems hide the rest: they are echoes of a few mistakes. */
  static final int MAX_REPORTED = 100;

  private final String file;
  private final List<Problem> problems = new ArrayList<>();

  Problems(String file) {
    this.file = file;
  }

  String file() {
    return file;
  }

  /**
   * Longer messages are shortened in the middle (their end says what to do): they quote a huge
   * value of the file, which would flood the terminal.
   */
  static final int MAX_MESSAGE_LENGTH = 1000;

  void add(Mark mark, String message) {
    problems.add(new Problem(file, mark.line(), mark.column(), shorten(message)));
  }

  static String shorten(String message) {
    if (message.length() <= MAX_MESSAGE_LENGTH) {
      return message;
    }
    int head = 600;
    int tail = 300;
    if (Character.isHighSurrogate(message.charAt(head - 1))) {
      head--;
    }
    if (Character.isLowSurrogate(message.charAt(message.length() - tail))) {
      tail--;
    }
    return message.substring(0, head)
        + "[... "
        + (message.length() - head - tail)
        + " characters left out ...]"
        + message.substring(message.length() - tail);
  }

  /** A problem with the file as a whole (missing, unreadable). */
  void addForFile(String message) {
    add(Mark.NONE, message);
  }

  boolean isEmpty() {
    return problems.isEmpty();
  }

  /** Throws the problems found so far, in file order, if there are any. */
  void throwIfAny() {
    if (problems.isEmpty()) {
      return;
    }
    List<Problem> sorted = new ArrayList<>(problems);
    sorted.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
    if (sorted.size() > MAX_REPORTED) {
      int hidden = sorted.size() - MAX_REPORTED;
      sorted = new ArrayList<>(sorted.subList(0, MAX_REPORTED));
      sorted.add(
          new Problem(file, 0, 0, "and " + hidden + " more problems; fix the ones above first"));
    }
    throw new ConfigException(sorted);
  }
}
