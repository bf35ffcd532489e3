/**
 * Releases: versions and ranges (semantic versions through semver4j), upgrade rules and the hops
 * between two versions ({@link io.hoist.release.PathFinder}: fewest hops, highest stops, a precise
 * message naming the missing step when there is no path), and the release repository ({@link
 * io.hoist.release.ReleaseRepository}; {@code file:} directories today). Depends on {@code model}
 * and {@code error}.
 *
 * <p>Release bundles: {@link Bundles} verifies and packs them, {@link Manifest} describes them.
 */
package io.hoist.release;
