package io.hoist.model;

import java.util.Objects;

/**
 * Where the product lives on a node: {@code HOME/releases/VERSION} holds each staged release and
 * {@code HOME/current} is a symbolic link to the running one.
 *
 * @param home absolute path of the install home
 * @param minFreeBytes free space the release home must have for inspect to pass
 */
public record Layout(String home, long minFreeBytes) {

  public Layout {
    Objects.requireNonNull(home, "home");
  }

  /** {@code HOME/releases}. */
  public String releasesDir() {
    return home + "/releases";
  }

  /** {@code HOME/releases/VERSION}. */
  public String releaseDir(String version) {
    return releasesDir() + "/" + version;
  }

  /** {@code HOME/current}. */
  public String currentLink() {
    return home + "/current";
  }
}
