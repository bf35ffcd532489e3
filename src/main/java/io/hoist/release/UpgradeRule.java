package io.hoist.release;

import io.hoist.model.UpgradePath;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A parsed {@link UpgradePath}: "to reach a version matched by {@link #matches}, a node must
 * already be on a version in {@link #from()}".
 *
 * <p>{@code to} is read as a version line when it is {@code MAJOR.MINOR} ({@code "3.6"}: every
 * 3.6.x, pre-releases included) or {@code MAJOR} ({@code "4"}: every 4.x.y); as an exact version
 * when it is a full {@code MAJOR.MINOR.PATCH[-PRE][+BUILD]}; otherwise as a {@link VersionRange}.
 */
public final class UpgradeRule {

  private static final Pattern LINE = Pattern.compile("([0-9]+)(?:\\.([0-9]+))?");
  private static final Pattern EXACT =
      Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

  private final String to;
  private final Integer lineMajor;
  private final Integer lineMinor;
  private final Version exact;
  private final VersionRange toRange;
  private final VersionRange from;

  private UpgradeRule(
      String to,
      Integer lineMajor,
      Integer lineMinor,
      Version exact,
      VersionRange toRange,
      VersionRange from) {
    this.to = to;
    this.lineMajor = lineMajor;
    this.lineMinor = lineMinor;
    this.exact = exact;
    this.toRange = toRange;
    this.from = from;
  }

  /**
   * Parses a rule of the cluster file.
   *
   * @throws IllegalArgumentException naming the field and showing valid forms, when {@code to} or
   *     {@code from} cannot be read
   */
  public static UpgradeRule of(UpgradePath path) {
    Objects.requireNonNull(path, "path");
    if (path.to() == null || path.from() == null) {
      throw new IllegalArgumentException("an upgrade path needs both 'to' and 'from'");
    }
    String to = path.to().strip();
    VersionRange from;
    try {
      from = VersionRange.parse(path.from());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("upgrade path 'from': " + e.getMessage(), e);
    }
    var line = LINE.matcher(to);
    if (line.matches()) {
      Integer minor = line.group(2) == null ? null : Integer.valueOf(line.group(2));
      return new UpgradeRule(to, Integer.valueOf(line.group(1)), minor, null, null, from);
    }
    if (EXACT.matcher(to).matches()) {
      return new UpgradeRule(to, null, null, Version.parse(to), null, from);
    }
    try {
      return new UpgradeRule(to, null, null, null, VersionRange.parse(to), from);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "upgrade path 'to': '"
              + path.to()
              + "' is neither a version line (\"3.6\"), a version (\"3.6.1\") nor a range"
              + " (\">=3.6.0 <4.0.0\")",
          e);
    }
  }

  /** Whether a hop into {@code version} is governed by this rule. */
  public boolean matches(Version version) {
    if (lineMajor != null) {
      return version.major() == lineMajor && (lineMinor == null || version.minor() == lineMinor);
    }
    if (exact != null) {
      return exact.semver().isEquivalentTo(version.semver());
    }
    return toRange.contains(version);
  }

  /** Whether a node on {@code version} may hop into a version this rule governs. */
  public boolean allowsFrom(Version version) {
    return from.contains(version);
  }

  /** The versions a node must be on before a hop into a version this rule governs. */
  public VersionRange from() {
    return from;
  }

  /** The governed versions in words: {@code 3.6.x}, {@code 4.x}, {@code 3.6.1}, or the range. */
  public String describeTo() {
    if (lineMajor != null) {
      return lineMinor == null ? lineMajor + ".x" : lineMajor + "." + lineMinor + ".x";
    }
    return to;
  }

  @Override
  public String toString() {
    return "to " + describeTo() + " from " + from;
  }
}
