package io.hoist.plan;

import java.util.List;

/**
 * Nodes upgraded at the same time.
 *
 * @param number 1-based within its hop
 * @param role the role that placed these nodes (their earliest role in the order), or {@code null}
 *     for nodes with no role in the order (they go last)
 * @param serialRole the serial (quorum) role of this batch's single node, whatever role placed it,
 *     or {@code null}. A node with a serial role is always alone in its batch. When the run reaches
 *     the first batch of a serial role, it asks every member of that role for the leader ({@code
 *     leaderProbe}) and moves the leader's batch after the role's other members.
 * @param leaderProbe the serial role's leader command rendered for this node, or {@code null}
 * @param nodes the nodes' steps
 * @param zone the zone every node of the batch is in, when its role is upgraded by zone ({@code
 *     by_zone: true}); {@code null} otherwise
 */
public record Batch(
    int number,
    String role,
    String serialRole,
    String leaderProbe,
    List<NodeSteps> nodes,
    String zone) {

  /** A batch of a role not upgraded by zone. */
  public Batch(
      int number, String role, String serialRole, String leaderProbe, List<NodeSteps> nodes) {
    this(number, role, serialRole, leaderProbe, nodes, null);
  }

  public Batch {
    nodes = List.copyOf(nodes);
    if (serialRole != null && nodes.size() != 1) {
      throw new IllegalArgumentException(
          "a batch of serial role " + serialRole + " must hold one node, not " + nodes.size());
    }
  }

  /** Whether this batch is one node of a serial role (one node down at a time). */
  public boolean serial() {
    return serialRole != null;
  }
}
