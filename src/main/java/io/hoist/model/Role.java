package io.hoist.model;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A role nodes can have.
 *
 * @param name the role's name
 * @param serial quorum role: one node down at a time, the leader last
 * @param maxParallel nodes of this role upgraded at once (1 for serial roles)
 * @param settle pause after a node of this role is healthy, before the next one goes down
 * @param leader command that exits 0 on the node that is the current leader, or {@code null}
 * @param retire drains the node before the upgrade, or {@code null}
 * @param rejoin undoes retire after the upgrade, or {@code null}
 * @param commands the role's command overrides
 * @param finalizeCommand the role's point of no return after an upgrade, or {@code null}
 * @param batches the ramp ({@code batches: [1, 5, "20%"]}): batch k of the role in a hop has the
 *     size of entry k, the last entry repeating; empty: batches of {@code maxParallel}. A serial
 *     role keeps one node per batch whatever it says.
 * @param byZone upgrade the role's nodes one zone at a time ({@link Node#zone()}), no batch
 *     spanning two zones
 */
public record Role(
    String name,
    boolean serial,
    int maxParallel,
    Duration settle,
    String leader,
    String retire,
    String rejoin,
    Commands commands,
    Finalize finalizeCommand,
    List<BatchSize> batches,
    boolean byZone) {

  public Role {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(settle, "settle");
    Objects.requireNonNull(commands, "commands");
    batches = List.copyOf(batches);
  }

  /** A role without a ramp, not by zone. */
  public Role(
      String name,
      boolean serial,
      int maxParallel,
      Duration settle,
      String leader,
      String retire,
      String rejoin,
      Commands commands) {
    this(name, serial, maxParallel, settle, leader, retire, rejoin, commands, null);
  }

  /** A role without a ramp, not by zone. */
  public Role(
      String name,
      boolean serial,
      int maxParallel,
      Duration settle,
      String leader,
      String retire,
      String rejoin,
      Commands commands,
      Finalize finalizeCommand) {
    this(
        name,
        serial,
        maxParallel,
        settle,
        leader,
        retire,
        rejoin,
        commands,
        finalizeCommand,
        List.of(),
        false);
  }

  /** A role without a finalize command. */
  public Role(
      String name,
      boolean serial,
      int maxParallel,
      Duration settle,
      String leader,
      String retire,
      String rejoin,
      Commands commands,
      List<BatchSize> batches,
      boolean byZone) {
    this(
        name, serial, maxParallel, settle, leader, retire, rejoin, commands, null, batches, byZone);
  }

  /** A role known only by name: one node at a time, no commands of its own. */
  public static Role named(String name) {
    return new Role(name, false, 1, Duration.ZERO, null, null, null, Commands.none());
  }
}
