package io.hoist.run;

import io.hoist.command.ShellCommand;
import io.hoist.journal.Downtimes;
import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.HealthCheck;
import io.hoist.model.Node;
import io.hoist.model.PhaseId;
import io.hoist.model.Role;
import io.hoist.model.Timeouts;
import io.hoist.plan.Batch;
import io.hoist.plan.Hop;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Plan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What an honest dry run adds to the plan: its impact (which services stop on which node, how long
 * a node and each role are expected to be down) and what it could not verify.
 *
 * <p>A node's expected downtime comes from the journal when earlier completed upgrades of the
 * cluster measured nodes of the same role (the median, from a node's stop starting to its
 * post-validation ending), else from the cluster's time limits as an upper bound (stop + switch +
 * start + health retries &times; interval). A role's total is its batches &times; that time.
 *
 * @param nodes every node the plan upgrades, in plan order (a node in several hops once per hop)
 * @param roles the expected downtime of each placing role, in plan order
 * @param unverified what the dry run could not verify, only what applies to this cluster and plan
 */
public record DryRunReport(
    List<NodeImpact> nodes, List<RoleDowntime> roles, List<Unverified> unverified) {

  /** The name a node placed by no listed role is reported under. */
  public static final String NO_ROLE = "(no listed role)";

  public DryRunReport {
    nodes = List.copyOf(nodes);
    roles = List.copyOf(roles);
    unverified = List.copyOf(unverified);
  }

  /**
   * What stops on one node.
   *
   * @param node its name
   * @param hop the release of the hop
   * @param role the role that places it, or {@link #NO_ROLE}
   * @param zone its zone, or {@code null}
   * @param stops its stop commands (the product goes down), empty when hoist stops nothing
   * @param retire its retire (drain) commands, empty when none
   * @param rejoin its rejoin commands, empty when none
   */
  public record NodeImpact(
      String node,
      String hop,
      String role,
      String zone,
      List<String> stops,
      List<String> retire,
      List<String> rejoin) {
    public NodeImpact {
      Objects.requireNonNull(node, "node");
      stops = List.copyOf(stops);
      retire = List.copyOf(retire);
      rejoin = List.copyOf(rejoin);
    }
  }

  /** Where an expected duration comes from. */
  public enum Source {
    /** The median of earlier runs' measured downtimes (journal). */
    MEASURED,
    /** The cluster's time limits: an upper bound. */
    TIMEOUTS
  }

  /**
   * One role's expected downtime.
   *
   * @param role the placing role, or {@link #NO_ROLE}
   * @param nodes its node upgrades in the plan (a node in two hops counts twice)
   * @param batches its batches in the plan
   * @param perNode one node's expected downtime
   * @param total the role's: batches &times; {@code perNode}
   * @param source where {@code perNode} comes from
   * @param runs with {@link Source#MEASURED}: how many earlier runs measured it; else 0
   * @param samples with {@link Source#MEASURED}: how many node upgrades; else 0
   * @param basis how it was computed, in words
   */
  public record RoleDowntime(
      String role,
      int nodes,
      int batches,
      Duration perNode,
      Duration total,
      Source source,
      int runs,
      int samples,
      String basis) {
    public RoleDowntime {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(perNode, "perNode");
      Objects.requireNonNull(total, "total");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(basis, "basis");
    }
  }

  /**
   * Something the dry run could not verify.
   *
   * @param kind a stable kebab-case id ({@code health-after-switch}, {@code leader-at-run-time},
   *     ...)
   * @param message what and why, in words
   */
  public record Unverified(String kind, String message) {
    public Unverified {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(message, "message");
    }
  }

  /** The report of {@code plan}, with the measurements of earlier runs under {@code stateDir}. */
  public static DryRunReport of(Cluster cluster, Plan plan, Path stateDir) {
    return of(cluster, plan, Downtimes.of(stateDir, cluster.name()));
  }

  /** The report of {@code plan}, with these measurements of earlier runs. */
  public static DryRunReport of(Cluster cluster, Plan plan, List<Downtimes.Sample> earlier) {
    Map<String, Node> byName = new HashMap<>();
    cluster.nodes().forEach(n -> byName.put(n.name(), n));
    List<NodeImpact> nodes = new ArrayList<>();
    // Per role, in plan order: its batches, its node upgrades, its nodes.
    Map<String, int[]> counts = new LinkedHashMap<>();
    Map<String, Set<String>> members = new LinkedHashMap<>();
    Map<String, Duration> bounds = new LinkedHashMap<>();
    Map<String, String> boundBasis = new LinkedHashMap<>();
    for (Hop hop : plan.hops()) {
      for (Batch batch : hop.batches()) {
        String role = batch.role() == null ? NO_ROLE : batch.role();
        int[] c = counts.computeIfAbsent(role, r -> new int[2]);
        c[0]++;
        for (NodeSteps steps : batch.nodes()) {
          c[1]++;
          members.computeIfAbsent(role, r -> new LinkedHashSet<>()).add(steps.node());
          nodes.add(
              new NodeImpact(
                  steps.node(),
                  hop.version(),
                  role,
                  steps.zone(),
                  commands(steps, PhaseId.STOP),
                  commands(steps, PhaseId.RETIRE),
                  commands(steps, PhaseId.REJOIN)));
          Node node = byName.get(steps.node());
          if (node != null) {
            Bound bound = bound(cluster, plan, node, steps);
            if (!bounds.containsKey(role) || bound.time().compareTo(bounds.get(role)) > 0) {
              bounds.put(role, bound.time());
              boundBasis.put(role, bound.basis());
            }
          }
        }
      }
    }
    Map<String, List<Downtimes.Sample>> samplesByRole = new HashMap<>();
    for (Downtimes.Sample sample : earlier) {
      members.forEach(
          (role, names) -> {
            if (names.contains(sample.node())) {
              samplesByRole.computeIfAbsent(role, r -> new ArrayList<>()).add(sample);
            }
          });
    }
    List<RoleDowntime> roles = new ArrayList<>();
    counts.forEach(
        (role, c) -> {
          List<Downtimes.Sample> samples = samplesByRole.getOrDefault(role, List.of());
          if (!samples.isEmpty()) {
            // Whole milliseconds: what the JSON shows, so that total = batches x per node there.
            Duration median =
                median(samples.stream().map(Downtimes.Sample::downtime).toList())
                    .truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            int runs = (int) samples.stream().map(Downtimes.Sample::run).distinct().count();
            roles.add(
                new RoleDowntime(
                    role,
                    c[1],
                    c[0],
                    median,
                    median.multipliedBy(c[0]),
                    Source.MEASURED,
                    runs,
                    samples.size(),
                    "measured over "
                        + runs
                        + (runs == 1 ? " earlier run" : " earlier runs")
                        + " ("
                        + samples.size()
                        + (samples.size() == 1 ? " node upgrade" : " node upgrades")
                        + "): median from the stop starting to the post-validation ending"));
          } else {
            Duration perNode = bounds.getOrDefault(role, Duration.ZERO);
            roles.add(
                new RoleDowntime(
                    role,
                    c[1],
                    c[0],
                    perNode,
                    perNode.multipliedBy(c[0]),
                    Source.TIMEOUTS,
                    0,
                    0,
                    "upper bound from timeouts: " + boundBasis.getOrDefault(role, "none")));
          }
        });
    return new DryRunReport(nodes, roles, unverified(cluster, plan, byName, earlier));
  }

  private record Bound(Duration time, String basis) {}

  /** A node's downtime bound from the time limits, for the phases its steps hold. */
  private static Bound bound(Cluster cluster, Plan plan, Node node, NodeSteps steps) {
    Timeouts t = cluster.timeouts();
    Duration total = Duration.ZERO;
    List<String> terms = new ArrayList<>();
    if (steps.step(PhaseId.STOP).isPresent()) {
      total = total.plus(t.stop());
      terms.add("stop " + human(t.stop()));
    }
    if (steps.step(PhaseId.INSTALL).isPresent()) {
      total = total.plus(t.switchRelease());
      terms.add("switch " + human(t.switchRelease()));
    }
    if (steps.step(PhaseId.START).isPresent()) {
      total = total.plus(t.start());
      terms.add("start " + human(t.start()));
    }
    Commands commands = cluster.commandsFor(node, plan.roleOrder());
    HealthCheck health = commands.health();
    if (health != null && steps.step(PhaseId.POST_VALIDATE).isPresent()) {
      total = total.plus(health.interval().multipliedBy(health.retries()));
      terms.add("health " + health.retries() + " x " + human(health.interval()));
    }
    return new Bound(total, terms.isEmpty() ? "none" : String.join(" + ", terms));
  }

  private static List<String> commands(NodeSteps steps, PhaseId phase) {
    return steps
        .step(phase)
        .map(s -> s.commands().stream().map(ShellCommand::display).toList())
        .orElse(List.of());
  }

  static Duration median(List<Duration> values) {
    List<Duration> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1
        ? sorted.get(n / 2)
        : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
  }

  private static List<Unverified> unverified(
      Cluster cluster, Plan plan, Map<String, Node> byName, List<Downtimes.Sample> earlier) {
    List<Unverified> list = new ArrayList<>();
    if (plan.isEmpty()) {
      return list;
    }
    Set<String> healthRoles = new LinkedHashSet<>();
    Map<String, String> leaders = new LinkedHashMap<>();
    int migrates = 0;
    int retires = 0;
    int checks = 0;
    int backups = 0;
    for (Hop hop : plan.hops()) {
      for (Batch batch : hop.batches()) {
        if (batch.serial() && batch.leaderProbe() != null) {
          leaders.putIfAbsent(
              batch.serialRole(), cluster.role(batch.serialRole()).map(Role::leader).orElse(""));
        }
        for (NodeSteps steps : batch.nodes()) {
          Node node = byName.get(steps.node());
          if (node != null
              && steps.step(PhaseId.POST_VALIDATE).isPresent()
              && cluster.commandsFor(node, plan.roleOrder()).health() != null) {
            healthRoles.add(batch.role() == null ? NO_ROLE : batch.role());
          }
          migrates += steps.step(PhaseId.MIGRATE).isPresent() ? 1 : 0;
          retires += steps.step(PhaseId.RETIRE).isPresent() ? 1 : 0;
          checks += steps.step(PhaseId.PRE_VALIDATE).isPresent() ? 1 : 0;
          backups += steps.step(PhaseId.BACKUP).isPresent() ? 1 : 0;
        }
      }
    }
    if (!healthRoles.isEmpty()) {
      list.add(
          new Unverified(
              "health-after-switch",
              "health checks (roles "
                  + String.join(", ", healthRoles)
                  + ") mean something only after the switch: they were not run against the new"
                  + " release, and how long it takes to pass them is not known"));
    }
    leaders.forEach(
        (role, command) ->
            list.add(
                new Unverified(
                    "leader-at-run-time",
                    "the leader of serial role "
                        + role
                        + " is asked at run time ("
                        + command
                        + ") and may change before the role's turn: the leader goes last, so the"
                        + " order of its nodes shown here can change")));
    if (migrates > 0) {
      list.add(
          new Unverified(
              "migrate-not-run",
              "migrate commands ("
                  + migrates
                  + (migrates == 1 ? " node" : " nodes")
                  + ") are not run by a dry run: whether they succeed and how long they take is"
                  + " not known"));
    }
    if (retires > 0) {
      list.add(
          new Unverified(
              "retire-not-run",
              "retire (drain) commands ("
                  + retires
                  + (retires == 1 ? " node" : " nodes")
                  + ") are not run by a dry run: how long draining takes is not known and is not"
                  + " in the downtime estimate"));
    }
    List<String> hooks = new ArrayList<>();
    if (present(cluster.hooks().beforeCluster())) {
      hooks.add("before_cluster");
    }
    if (present(cluster.hooks().afterCluster())) {
      hooks.add("after_cluster");
    }
    if (!hooks.isEmpty()) {
      list.add(
          new Unverified(
              "hooks-not-run",
              "the " + String.join(" and ", hooks) + " hooks are not run by a dry run"));
    }
    Set<String> finalizing = new LinkedHashSet<>();
    for (Hop hop : plan.hops()) {
      for (Batch batch : hop.batches()) {
        for (NodeSteps steps : batch.nodes()) {
          Node node = byName.get(steps.node());
          if (node == null) {
            continue;
          }
          for (String role : node.roles()) {
            if (cluster.role(role).map(Role::finalizeCommand).isPresent()) {
              finalizing.add(role);
            }
          }
        }
      }
    }
    if (!finalizing.isEmpty()) {
      list.add(
          new Unverified(
              "finalize-not-run",
              "role "
                  + String.join(", ", finalizing)
                  + " has a finalize command (the point of no return): it is not run by a dry run,"
                  + " and the run ends 'upgraded, not finalized' until 'hoist finalize' (unless"
                  + " --finalize or when: auto)"));
    }
    if (checks > 0) {
      list.add(
          new Unverified(
              "checks-not-run",
              "pre-validation checks were not run (hoist inspect runs them now; the run runs them"
                  + " again on each node just before its upgrade)"));
    }
    if (backups > 0) {
      list.add(
          new Unverified(
              "backup-not-taken",
              "backups are not taken by a dry run: their size and the time they take are not"
                  + " known"));
    }
    list.add(
        new Unverified(
            "release-not-fetched",
            "the release bundles ("
                + String.join(", ", plan.hops().stream().map(Hop::version).toList())
                + ") were not downloaded, verified or staged: the run does that before it stops"
                + " any node"));
    list.add(
        new Unverified(
            "state-can-change",
            "free space, reachability and the versions read now can change before the run: the"
                + " run checks each node again when its turn comes"));
    if (!earlier.isEmpty()) {
      list.add(
          new Unverified(
              "measured-on-earlier-releases",
              "measured downtimes come from earlier runs to other releases: this release may"
                  + " take longer"));
    }
    return list;
  }

  private static boolean present(String command) {
    return command != null && !command.isBlank();
  }

  /** 90s, 5m, 1h30m. */
  static String human(Duration d) {
    long s = d.toSeconds();
    if (s == 0 && !d.isZero()) {
      return d.toMillis() + "ms";
    }
    StringBuilder out = new StringBuilder();
    if (s >= 3600) {
      out.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60 && (out.length() > 0 || s % 60 == 0 || s >= 120)) {
      out.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0 || out.length() == 0) {
      out.append(s).append('s');
    }
    return out.toString();
  }
}
