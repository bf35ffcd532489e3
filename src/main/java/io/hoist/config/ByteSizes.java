package io.hoist.config;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as written in the cluster file: a plain number of bytes, or a number with a unit.
 * {@code KiB}, {@code MiB}, {@code GiB}, {@code TiB} and the short {@code K}, {@code M}, {@code G},
 * {@code T} (as {@code df -h} prints them) are powers of 1024; {@code KB}, {@code MB}, {@code GB},
 * {@code TB} are powers of 1000. Units are case-insensitive.
 */
public final class ByteSizes {

  private static final Pattern SIZE =
      Pattern.compile("([0-9]{1,19})\\s*([kmgt]i?b?|b)?", Pattern.CASE_INSENSITIVE);

  private ByteSizes() {}

  /**
   * Parses a size into bytes.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static long parse(String text) {
    Objects.requireNonNull(text, "text");
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      throw invalid(text);
    }
    try {
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
      if (unit.length() == 2 && unit.charAt(1) == 'i') {
        throw invalid(text);
      }
      boolean decimal = unit.length() == 2 && unit.endsWith("b");
      int exponent = "bkmgt".indexOf(unit.charAt(0));
      long factor = 1;
      for (int i = 0; i < exponent; i++) {
        factor = Math.multiplyExact(factor, decimal ? 1000 : 1024);
      }
      return Math.multiplyExact(amount, factor);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large a size", e);
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "'" + text + "' is not a size (examples: 1GiB, 512MiB, 100MB, 1G, or a number of bytes)");
  }
}
