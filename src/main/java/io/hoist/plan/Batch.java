package io.hoist.plan;

import java.util.List;

/**
 * Nodes upgraded at the same time.
 *
 * @param number 1-based within its hop
 * @param role the role that placed these nodes (their earliest role in the order), or {@code null}
 *     for nodes with no role in the order (they go last)
 * @param serial whether the role is serial: one node at a time
 * @param leaderProbe for a serial role with a leader: the command that finds the leader, which is
 *     moved to the role's last batch when the run reaches the role; else {@code null}
 * @param nodes the nodes' steps
 */
public record Batch(
    int number, String role, boolean serial, String leaderProbe, List<NodeSteps> nodes) {

  public Batch {
    nodes = List.copyOf(nodes);
  }
}
