package io.hoist.release;

import io.hoist.error.UsageException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A bundle file name with {@code ${version}} in it ({@code acme-${version}.tar.gz}). */
final class BundlePattern {

  private static final String VERSION_VARIABLE = "${version}";

  private final String bundle;
  private final Pattern pattern;

  private BundlePattern(String bundle, Pattern pattern) {
    this.bundle = bundle;
    this.pattern = pattern;
  }

  /**
   * @throws UsageException when the pattern does not contain {@code ${version}} exactly once
   */
  static BundlePattern of(String bundle) {
    Objects.requireNonNull(bundle, "bundle");
    int at = bundle.indexOf(VERSION_VARIABLE);
    if (at < 0 || bundle.indexOf(VERSION_VARIABLE, at + 1) >= 0) {
      throw new UsageException(
          "release bundle '" + bundle + "' must contain ${version} exactly once");
    }
    String before = bundle.substring(0, at);
    String after = bundle.substring(at + VERSION_VARIABLE.length());
    return new BundlePattern(
        bundle, Pattern.compile(Pattern.quote(before) + "(.+)" + Pattern.quote(after)));
  }

  /** The file name of a release's bundle. */
  String name(Version version) {
    return bundle.replace(VERSION_VARIABLE, version.text());
  }

  /** The version a file name carries, when it matches the pattern with a valid version. */
  Optional<Version> version(String fileName) {
    Matcher m = pattern.matcher(fileName);
    if (!m.matches() || !Version.isValid(m.group(1))) {
      return Optional.empty();
    }
    return Optional.of(Version.parse(m.group(1)));
  }

  /** The pattern as the cluster file writes it. */
  String text() {
    return bundle;
  }

  @Override
  public String toString() {
    return bundle;
  }
}
