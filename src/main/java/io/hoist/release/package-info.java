/**
 * Releases: versions and ranges (semantic versions through semver4j), upgrade paths and the hops
 * between two versions, the release repository. Depends on {@code model} and {@code error}.
 */
package io.hoist.release;
