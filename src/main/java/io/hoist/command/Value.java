package io.hoist.command;

import java.util.Objects;

/**
 * A value substituted into a template.
 *
 * @param text the raw value; it is shell-quoted on substitution
 * @param secret whether to show {@code ***} instead of it
 */
public record Value(String text, boolean secret) {

  public Value {
    Objects.requireNonNull(text, "text");
  }

  /** A value that may be shown. */
  public static Value plain(String text) {
    return new Value(text, false);
  }

  /** A value that must never be shown. */
  public static Value secret(String text) {
    return new Value(text, true);
  }
}
