package io.hoist.release;

import java.util.Objects;
import java.util.regex.Pattern;
import org.semver4j.Semver;

/**
 * A release version: a semantic version, where {@code 3.5} is read as {@code 3.5.0} but keeps its
 * written form (release directories and bundle names use {@link #text()}). Ordered by semantic
 * version precedence; two versions are equal when their texts are equal.
 */
public final class Version implements Comparable<Version> {

  /** What a version may look like: digits, letters, '.', '-', '+'. Never anything a shell reads. */
  private static final Pattern SHAPE =
      Pattern.compile("[0-9]+(\\.[0-9]+){0,2}(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

  /**
   * The longest version text: a version names a directory on every node ({@code
   * HOME/releases/VERSION}) and appears in every message about it.
   */
  public static final int MAX_LENGTH = 128;

  private final String text;
  private final Semver semver;

  private Version(String text, Semver semver) {
    this.text = text;
    this.semver = semver;
  }

  /**
   * Parses {@code MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]}.
   *
   * @throws IllegalArgumentException with a message saying what a version looks like
   */
  public static Version parse(String text) {
    Objects.requireNonNull(text, "text");
    String trimmed = text.strip();
    if (trimmed.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "'"
              + trimmed.substring(0, 40)
              + "...' ("
              + trimmed.length()
              + " characters) is not a version: a version has at most "
              + MAX_LENGTH);
    }
    if (!SHAPE.matcher(trimmed).matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a version (expected MAJOR.MINOR.PATCH such as 3.5.3)");
    }
    String core = trimmed;
    String suffix = "";
    int cut = indexOfAny(trimmed, '-', '+');
    if (cut >= 0) {
      core = trimmed.substring(0, cut);
      suffix = trimmed.substring(cut);
    }
    int dots = core.length() - core.replace(".", "").length();
    String full = core + ".0".repeat(2 - dots) + suffix;
    Semver semver = Semver.parse(full);
    if (semver == null) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a version (expected MAJOR.MINOR.PATCH such as 3.5.3)");
    }
    return new Version(trimmed, semver);
  }

  /** Whether {@link #parse} accepts the text. */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static int indexOfAny(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    if (i < 0) {
      return j;
    }
    return j < 0 ? i : Math.min(i, j);
  }

  /** The version as written. */
  public String text() {
    return text;
  }

  public int major() {
    return semver.getMajor();
  }

  public int minor() {
    return semver.getMinor();
  }

  public int patch() {
    return semver.getPatch();
  }

  /** Whether this is a pre-release (3.6.0-rc1). */
  public boolean isPreRelease() {
    return !semver.getPreRelease().isEmpty();
  }

  /** The semver4j form, for range checks in this package. */
  Semver semver() {
    return semver;
  }

  public boolean isNewerThan(Version other) {
    return compareTo(other) > 0;
  }

  public boolean isOlderThan(Version other) {
    return compareTo(other) < 0;
  }

  @Override
  public int compareTo(Version other) {
    int bySemver = semver.compareTo(other.semver);
    return bySemver != 0 ? bySemver : text.compareTo(other.text);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Version other && text.equals(other.text);
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
