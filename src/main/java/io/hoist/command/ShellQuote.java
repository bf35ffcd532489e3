package io.hoist.command;

import java.util.regex.Pattern;

/** Quoting for POSIX shells. */
public final class ShellQuote {

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

  private ShellQuote() {}

  /**
   * The value as one shell word: unchanged when it holds only characters no shell interprets,
   * otherwise in single quotes with embedded single quotes written as {@code '\''}.
   */
  public static String quote(String value) {
    if (!value.isEmpty() && SAFE.matcher(value).matches()) {
      return value;
    }
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
