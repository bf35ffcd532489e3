package io.hoist.inspect;

import java.util.Locale;

/** The outcome of one check on one node. */
public enum CheckStatus {
  /** The check passed. */
  PASS,
  /** The check ran and failed. */
  FAIL,
  /**
   * The check did not run: an earlier one failed (node unreachable), or it has nothing to check
   * ({@code disk} when {@code layout.min_free} is 0).
   */
  SKIP;

  /** {@code pass}, {@code fail}, {@code skip}: the JSON and table form. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
