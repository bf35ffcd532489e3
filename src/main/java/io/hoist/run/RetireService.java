package io.hoist.run;

import io.hoist.error.UsageException;
import io.hoist.inspect.Inspector;
import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.model.PhaseId;
import io.hoist.model.Role;
import io.hoist.model.Timeouts;
import io.hoist.phase.NodeLog;
import io.hoist.phase.NodeOutcome;
import io.hoist.phase.PhaseContext;
import io.hoist.phase.PhaseRunner;
import io.hoist.phase.RecordedRun;
import io.hoist.phase.RetirePhase;
import io.hoist.phase.Sleeper;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Planner;
import io.hoist.release.Version;
import io.hoist.transport.Transport;
import io.hoist.transport.TransportFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code hoist retire NODE...}: drains nodes on their own, one at a time in the order given, with
 * the retire command of each node's roles, tried until it reports drained within the drain limit
 * (the stop time limit, or the command line's). First every node must have a role that retires and
 * answer its version command; then nothing is drained when one does not. A node that does not drain
 * in time is left as it is (partly drained, for a person: it may be rejoined with the role's rejoin
 * command) and the nodes after it are not drained.
 */
public final class RetireService {

  /** How one node's drain ended. */
  public enum Status {
    DRAINED,
    FAILED,
    NOT_STARTED
  }

  /**
   * One node's drain.
   *
   * @param roles the node's roles that retire
   * @param rejoin the rejoin commands that would put it back (display form), empty if none
   */
  public record Drain(
      String node,
      List<String> roles,
      Status status,
      Duration duration,
      String message,
      List<String> rejoin) {

    public Drain {
      Objects.requireNonNull(node, "node");
      roles = List.copyOf(roles);
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(message, "message");
      rejoin = List.copyOf(rejoin);
    }
  }

  private final Cluster cluster;
  private final TransportFactory transports;
  private final Map<String, String> secretValues;
  private final Sleeper sleeper;
  private final Clock clock;

  public RetireService(
      Cluster cluster,
      TransportFactory transports,
      Map<String, String> secretValues,
      Sleeper sleeper,
      Clock clock) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.transports = Objects.requireNonNull(transports, "transports");
    this.secretValues = Map.copyOf(secretValues);
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Drains the nodes, in order.
   *
   * @param drainLimit how long each node may take, or empty for the cluster's stop limit
   * @param logDir where each node's log {@code NODE.log} goes (must exist)
   * @param onEach called as each node's drain ends
   * @throws UsageException when a node has no role that retires (nothing drained)
   * @throws io.hoist.error.ValidationException when a node's version cannot be read (nothing
   *     drained)
   */
  public List<Drain> retire(
      List<Node> nodes, Optional<Duration> drainLimit, Path logDir, Consumer<Drain> onEach) {
    List<String> without = new ArrayList<>();
    for (Node node : nodes) {
      if (retiringRoles(node).isEmpty()) {
        without.add(node.name());
      }
    }
    if (!without.isEmpty()) {
      List<String> retiring =
          cluster.roles().stream().filter(r -> r.retire() != null).map(Role::name).toList();
      throw new UsageException(
          "no role of "
              + String.join(", ", without)
              + " has a retire command, nothing was drained"
              + (retiring.isEmpty()
                  ? " (no role of cluster " + cluster.name() + " defines one)"
                  : " (roles that retire: " + String.join(", ", retiring) + ")")
              + "; give a role of each a retire command in the cluster file (roles: ROLE:"
              + " { retire: COMMAND }), or name only nodes that have one");
    }
    Map<String, Version> versions =
        new ClusterInspection(
                cluster,
                new Inspector(cluster, transports, secretValues),
                FanOut.DEFAULT_MAX_PARALLEL)
            .versions(nodes);
    Timeouts base = cluster.timeouts();
    Timeouts timeouts =
        new Timeouts(
            base.command(), drainLimit.orElse(base.stop()), base.switchRelease(), base.start());
    Planner planner = new Planner(cluster);
    List<Drain> drains = new ArrayList<>();
    boolean failed = false;
    for (Node node : nodes) {
      List<String> roles = retiringRoles(node);
      NodeSteps steps = planner.retireSteps(node, versions.get(node.name()), secretValues);
      List<String> rejoin =
          steps.rollbackStep(PhaseId.REJOIN).stream()
              .flatMap(s -> s.commands().stream())
              .map(c -> c.display())
              .toList();
      if (failed) {
        Drain skipped =
            new Drain(
                node.name(),
                roles,
                Status.NOT_STARTED,
                Duration.ZERO,
                "not drained: an earlier node failed",
                rejoin);
        drains.add(skipped);
        onEach.accept(skipped);
        continue;
      }
      Drain drain = drain(node, steps, roles, rejoin, timeouts, logDir);
      drains.add(drain);
      onEach.accept(drain);
      failed = drain.status() == Status.FAILED;
    }
    return drains;
  }

  private Drain drain(
      Node node,
      NodeSteps steps,
      List<String> roles,
      List<String> rejoin,
      Timeouts timeouts,
      Path logDir) {
    RecordedRun record = new RecordedRun();
    try (Transport transport = transports.open(node);
        NodeLog log = NodeLog.open(logDir.resolve(node.name() + ".log"), clock)) {
      PhaseContext context =
          new PhaseContext(
              node,
              transport,
              steps,
              cluster.commandsFor(node, cluster.roleOrder()),
              timeouts,
              sleeper,
              log);
      NodeOutcome outcome =
          new PhaseRunner(record, clock, false).run(context, List.of(new RetirePhase()));
      Duration took = outcome.durations().getOrDefault(PhaseId.RETIRE, Duration.ZERO);
      return outcome.isSuccess()
          ? new Drain(node.name(), roles, Status.DRAINED, took, "", rejoin)
          : new Drain(node.name(), roles, Status.FAILED, took, outcome.message(), rejoin);
    }
  }

  private List<String> retiringRoles(Node node) {
    return node.roles().stream()
        .filter(r -> cluster.role(r).map(role -> role.retire() != null).orElse(false))
        .toList();
  }
}
