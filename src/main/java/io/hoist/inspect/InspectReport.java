package io.hoist.inspect;

import java.util.List;

/**
 * The result of {@code hoist inspect}: one report per node, in the order asked for.
 *
 * @param cluster the cluster's name
 * @param nodes per node
 */
public record InspectReport(String cluster, List<NodeReport> nodes) {

  public InspectReport {
    nodes = List.copyOf(nodes);
  }

  /** Whether every check on every node passed. */
  public boolean isOk() {
    return nodes.stream().allMatch(NodeReport::isOk);
  }

  /** How many nodes passed every check. */
  public long passedNodes() {
    return nodes.stream().filter(NodeReport::isOk).count();
  }
}
