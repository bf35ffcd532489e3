package io.hoist.plan;

import io.hoist.model.PhaseId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One node's upgrade within a hop.
 *
 * @param node the node's name
 * @param host its host (or "local")
 * @param from the version before this hop
 * @param to the version after it
 * @param steps the phases in order, each with its commands
 * @param rollback the commands that bring the node back up on {@code from} when the hop is rolled
 *     back, rendered for going back ({@code ${version}} is {@code from}, {@code ${from_version}} is
 *     {@code to}): {@link PhaseId#START} (start the previous release), {@link
 *     PhaseId#POST_VALIDATE} (its health check, or the version command expecting {@code from}) and
 *     {@link PhaseId#REJOIN}, each present when the cluster defines it
 * @param zone the node's zone (rack, availability zone), or {@code null}
 */
public record NodeSteps(
    String node,
    String host,
    String from,
    String to,
    List<Step> steps,
    List<Step> rollback,
    String zone) {

  /** Steps of a node in no zone. */
  public NodeSteps(
      String node, String host, String from, String to, List<Step> steps, List<Step> rollback) {
    this(node, host, from, to, steps, rollback, null);
  }

  public NodeSteps {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    steps = List.copyOf(steps);
    rollback = List.copyOf(rollback);
  }

  /** Steps without rollback commands (a node whose product hoist does not start or check). */
  public NodeSteps(String node, String host, String from, String to, List<Step> steps) {
    this(node, host, from, to, steps, List.of(), null);
  }

  /** The step of {@code phase}, if the node has it. */
  public Optional<Step> step(PhaseId phase) {
    return steps.stream().filter(s -> s.phase() == phase).findFirst();
  }

  /** The rollback step of {@code phase}, if the node has it. */
  public Optional<Step> rollbackStep(PhaseId phase) {
    return rollback.stream().filter(s -> s.phase() == phase).findFirst();
  }
}
