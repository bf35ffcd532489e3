/**
 * Releases: versions and ranges (semantic versions through semver4j), upgrade rules and the hops
 * between two versions ({@link io.hoist.release.PathFinder}: fewest hops, highest stops, a precise
 * message naming the missing step when there is no path), the release repository ({@link
 * io.hoist.release.ReleaseRepository}: {@code file:} directories and http(s) servers), the core
 * node's download cache of verified bundles ({@link io.hoist.release.ReleaseCache}), and the
 * bundles themselves: {@link io.hoist.release.Bundles} verifies and packs them, {@link
 * io.hoist.release.Manifest} describes them. Depends on {@code model} and {@code error} (and
 * Jackson, commons-compress and the JDK's HTTP client).
 */
package io.hoist.release;
