package io.hoist.plan;

import java.util.List;
import java.util.Objects;

/**
 * What an upgrade will do, in order.
 *
 * @param cluster the cluster's name
 * @param target the version every selected node ends on
 * @param roleOrder the role order in force
 * @param nodes every selected node with its current version and the hops it will take, in upgrade
 *     order
 * @param hops the hops, lowest version first; empty when every node is at the target
 * @param rollback whether it takes the nodes back ({@code hoist rollback}): then the hops go to
 *     older releases and {@code target} may read "each node's previous release"
 */
public record Plan(
    String cluster,
    String target,
    List<String> roleOrder,
    List<NodePath> nodes,
    List<Hop> hops,
    boolean rollback) {

  /** An upgrade's plan. */
  public Plan(
      String cluster, String target, List<String> roleOrder, List<NodePath> nodes, List<Hop> hops) {
    this(cluster, target, roleOrder, nodes, hops, false);
  }

  public Plan {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(target, "target");
    roleOrder = List.copyOf(roleOrder);
    nodes = List.copyOf(nodes);
    hops = List.copyOf(hops);
  }

  /** Whether there is nothing to do. */
  public boolean isEmpty() {
    return hops.isEmpty();
  }
}
