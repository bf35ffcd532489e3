package io.hoist.command;

/**
 * Sizes and tenths for people, without a {@code Formatter}: inspect writes them once per node and
 * check, in a fan-out's threads, where a {@code Formatter} per message was a measurable part of the
 * client's work (bench/README.md, tenth round).
 */
public final class Quantities {

  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

  private Quantities() {}

  /**
   * A size in powers of 1024 with one decimal: {@code 512 B}, {@code 1.5 KiB}, {@code 50.0 MiB},
   * {@code 12.5 GiB}; TiB is the largest unit. Not negative.
   */
  public static String bytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("a size is not negative: " + bytes);
    }
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : tenths(value) + " " + UNITS[unit];
  }

  /**
   * {@code value} (not negative) with one decimal, rounded half up: 1.45 prints 1.5, 1.44 prints
   * 1.4.
   */
  public static String tenths(double value) {
    long tenths = Math.round(value * 10);
    return tenths / 10 + "." + tenths % 10;
  }
}
