package io.hoist.model;

import java.util.List;
import java.util.Objects;

/**
 * Where releases come from and which versions may follow which.
 *
 * @param repository {@code file:/dir} (or, later, {@code https://...}); holds bundles and their
 *     {@code .sha256} files
 * @param bundle the bundle file name with {@code ${version}} in it, e.g. {@code
 *     acme-${version}.tar.gz}
 * @param upgradePaths rules of the form "to reach {@code to}, a node must already be on {@code
 *     from}"
 * @param maxStep how far one hop may go
 */
public record Release(
    String repository, String bundle, List<UpgradePath> upgradePaths, MaxStep maxStep) {

  public Release {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(bundle, "bundle");
    upgradePaths = List.copyOf(upgradePaths);
    Objects.requireNonNull(maxStep, "maxStep");
  }
}
