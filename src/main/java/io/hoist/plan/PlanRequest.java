package io.hoist.plan;

import io.hoist.release.Version;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to plan: the facts gathered from the nodes and the repository, and the user's choices.
 *
 * @param nodes the nodes to upgrade, by name; empty means the whole cluster
 * @param current each selected node's running version (as its version command printed it)
 * @param available the repository's releases, any order
 * @param target the version to reach ({@code --to}); empty: the newest release every selected node
 *     can reach
 * @param roleOrder the role order ({@code --role-order}); empty: the cluster file's
 * @param force also upgrade nodes already at the target (they re-install it)
 * @param maxParallel cap on nodes per batch ({@code --max-parallel}); 0: no cap beyond the roles'
 * @param secretValues values of the cluster's secrets, by secret name, from the core node's
 *     environment
 */
public record PlanRequest(
    List<String> nodes,
    Map<String, Version> current,
    List<Version> available,
    Optional<Version> target,
    List<String> roleOrder,
    boolean force,
    int maxParallel,
    Map<String, String> secretValues) {

  public PlanRequest {
    nodes = List.copyOf(nodes);
    current = Map.copyOf(current);
    available = List.copyOf(available);
    Objects.requireNonNull(target, "target");
    roleOrder = List.copyOf(roleOrder);
    if (maxParallel < 0) {
      throw new IllegalArgumentException("maxParallel must be 0 (no cap) or more: " + maxParallel);
    }
    secretValues = Map.copyOf(secretValues);
  }
}
