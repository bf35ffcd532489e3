package io.hoist.config;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in the cluster file and on the command line: {@code 90s}, {@code 10m},
 * {@code 1h}, {@code 500ms}, {@code 2d}, combinations from the largest unit down ({@code 1m30s},
 * {@code 1h30m}), or a plain number of seconds ({@code 90}).
 */
public final class Durations {

  private static final Pattern PART = Pattern.compile("([0-9]{1,9})(ms|d|h|m|s)");
  private static final String UNITS = "d h m s ms";

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Duration parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.strip();
    if (s.matches("[0-9]{1,12}")) {
      return Duration.ofSeconds(Long.parseLong(s));
    }
    Matcher m = PART.matcher(s);
    Duration total = Duration.ZERO;
    int end = 0;
    int lastUnit = -1;
    while (end < s.length() && m.find(end) && m.start() == end) {
      int unit = UNITS.indexOf(m.group(2).equals("m") ? "m " : m.group(2));
      if (unit <= lastUnit) {
        throw invalid(text);
      }
      lastUnit = unit;
      long amount = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "d" -> Duration.ofDays(amount);
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMillis(amount);
              });
      end = m.end();
    }
    if (end == 0 || end != s.length()) {
      throw invalid(text);
    }
    return total;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "'"
            + text
            + "' is not a duration (examples: 90s, 10m, 1h, 500ms, 1m30s; a plain number is"
            + " seconds)");
  }

  /** The shortest form {@link #parse} reads back: {@code 90s} is {@code 1m30s}. */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long days = duration.toDaysPart();
    if (days > 0) {
      out.append(days).append('d');
    }
    if (duration.toHoursPart() > 0) {
      out.append(duration.toHoursPart()).append('h');
    }
    if (duration.toMinutesPart() > 0) {
      out.append(duration.toMinutesPart()).append('m');
    }
    if (duration.toSecondsPart() > 0) {
      out.append(duration.toSecondsPart()).append('s');
    }
    if (duration.toMillisPart() > 0) {
      out.append(duration.toMillisPart()).append("ms");
    }
    return out.toString();
  }
}
