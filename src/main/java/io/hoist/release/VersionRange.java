package io.hoist.release;

import java.util.Objects;
import java.util.regex.Pattern;
import org.semver4j.RangesList;
import org.semver4j.RangesListFactory;

/**
 * A set of versions in npm range syntax: {@code >=3.5.3}, {@code >=3.6.0 <4.0.0}, {@code 3.6}
 * (every 3.6.x), {@code 3.6.x}, {@code ~3.6}, {@code ^3}, {@code 1.2.3 - 2.0.0}, alternatives with
 * {@code ||}.
 */
public final class VersionRange {

  private static final String PART = "(?:[0-9]+|[xX*])";
  private static final String VERSION =
      PART + "(?:\\." + PART + "){0,2}(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?";
  private static final Pattern COMPARATOR =
      Pattern.compile("(?:>=|<=|>|<|=|~|\\^)?\\s*" + VERSION + "|\\*");
  private static final Pattern HYPHEN = Pattern.compile(VERSION + "\\s+-\\s+" + VERSION);

  private final String text;
  private final RangesList ranges;

  private VersionRange(String text, RangesList ranges) {
    this.text = text;
    this.ranges = ranges;
  }

  /**
   * Parses a range.
   *
   * @throws IllegalArgumentException with a message showing valid forms
   */
  public static VersionRange parse(String text) {
    Objects.requireNonNull(text, "text");
    String trimmed = text.strip();
    if (trimmed.isEmpty() || !isWellFormed(trimmed)) {
      throw invalid(text);
    }
    RangesList ranges = RangesListFactory.create(trimmed);
    if (ranges.get().isEmpty()) {
      throw invalid(text);
    }
    return new VersionRange(trimmed, ranges);
  }

  private static boolean isWellFormed(String text) {
    for (String alternative : text.split("\\|\\|", -1)) {
      String alt = alternative.strip();
      if (alt.isEmpty()) {
        return false;
      }
      if (HYPHEN.matcher(alt).matches()) {
        continue;
      }
      String spaced = alt.replaceAll("(>=|<=|>|<|=|~|\\^)\\s+", "$1");
      for (String comparator : spaced.split("\\s+")) {
        if (!COMPARATOR.matcher(comparator).matches()) {
          return false;
        }
      }
    }
    return true;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "'"
            + text
            + "' is not a version range (examples: \">=3.5.3\", \">=3.6.0 <4.0.0\", \"3.6\","
            + " \"~3.6\")");
  }

  /** Whether the version is in the range. */
  public boolean contains(Version version) {
    return ranges.isSatisfiedBy(version.semver());
  }

  /** The range as written. */
  public String text() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionRange other && text.equals(other.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
