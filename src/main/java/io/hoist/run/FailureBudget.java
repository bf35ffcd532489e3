package io.hoist.run;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many failed nodes a run may skip past ({@code --max-failures N} or {@code N%}): a count, or a
 * percentage of the nodes the run upgrades, rounded down (as Ansible's {@code
 * max_fail_percentage}). 0 is allowed: the first failure stops the run, as without a budget, but
 * the run says what the budget was.
 *
 * @param value the number as written
 * @param percent whether it is a percentage
 */
public record FailureBudget(int value, boolean percent) {

  private static final Pattern FORM = Pattern.compile("([0-9]{1,9})(%?)");

  public FailureBudget {
    if (value < 0 || (percent && value > 100)) {
      throw new IllegalArgumentException(
          "a failure budget is a count (0 or more) or a percentage from 0% to 100%, got "
              + value
              + (percent ? "%" : ""));
    }
  }

  /**
   * Parses {@code N} or {@code N%}.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static FailureBudget parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a number of nodes (2) or a percentage of them (10%), got '" + text + "'");
    }
    return new FailureBudget(Integer.parseInt(m.group(1)), !m.group(2).isEmpty());
  }

  /** How many failed nodes may be skipped in a run that upgrades {@code nodes} nodes. */
  public int allowed(int nodes) {
    return percent ? (int) ((long) nodes * value / 100) : value;
  }

  /** As written: {@code 2} or {@code 10%}. */
  @Override
  public String toString() {
    return value + (percent ? "%" : "");
  }
}
