package io.hoist.plan;

import java.util.List;
import java.util.Objects;

/**
 * One node's way to the target.
 *
 * @param node the node's name
 * @param current the version it runs now
 * @param versions the versions it will pass through, the target last; empty when already there (and
 *     not forced)
 * @param skipReason why the node is not upgraded (already at target), or {@code null}
 */
public record NodePath(String node, String current, List<String> versions, String skipReason) {

  public NodePath {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(current, "current");
    versions = List.copyOf(versions);
  }
}
