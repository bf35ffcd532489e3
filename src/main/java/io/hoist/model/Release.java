package io.hoist.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where releases come from and which versions may follow which.
 *
 * @param repository {@code file:/dir}, {@code http://...} or {@code https://...}; holds bundles and
 *     their {@code .sha256} files
 * @param bundle the bundle file name with {@code ${version}} in it, e.g. {@code
 *     acme-${version}.tar.gz}
 * @param upgradePaths rules of the form "to reach {@code to}, a node must already be on {@code
 *     from}"
 * @param maxStep how far one hop may go
 * @param cache the core node's download cache directory (absolute), or {@code null} for the default
 *     ({@code $XDG_CACHE_HOME/hoist}, {@code ~/.cache/hoist}, {@code /var/cache/hoist} as root)
 * @param keep how many staged releases to keep per node, at least 1
 */
public record Release(
    String repository,
    String bundle,
    List<UpgradePath> upgradePaths,
    MaxStep maxStep,
    Path cache,
    int keep) {

  /** How many staged releases a node keeps when the cluster file does not say. */
  public static final int DEFAULT_KEEP = 3;

  public Release {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(bundle, "bundle");
    upgradePaths = List.copyOf(upgradePaths);
    Objects.requireNonNull(maxStep, "maxStep");
    if (cache != null && !cache.isAbsolute()) {
      throw new IllegalArgumentException("cache must be an absolute path, not " + cache);
    }
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1, not " + keep);
    }
  }
}
