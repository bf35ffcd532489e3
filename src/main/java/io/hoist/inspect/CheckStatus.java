package io.hoist.inspect;

import java.util.Locale;

/** The outcome of one check on one node. */
public enum CheckStatus {
  /** The check passed. */
  PASS,
  /** The check ran and failed. */
  FAIL,
  /** The check could not run because an earlier one failed (node unreachable). */
  SKIP;

  /** {@code pass}, {@code fail}, {@code skip}: the JSON and table form. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
