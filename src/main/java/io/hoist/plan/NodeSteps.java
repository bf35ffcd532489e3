package io.hoist.plan;

import java.util.List;
import java.util.Objects;

/**
 * One node's upgrade within a hop.
 *
 * @param node the node's name
 * @param host its host (or "local")
 * @param from the version before this hop
 * @param to the version after it
 * @param steps the phases in order, each with its commands
 */
public record NodeSteps(String node, String host, String from, String to, List<Step> steps) {

  public NodeSteps {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    steps = List.copyOf(steps);
  }
}
