package io.hoist.plan;

import io.hoist.error.Suggestions;
import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import io.hoist.model.BatchSize;
import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.model.PhaseId;
import io.hoist.model.Role;
import io.hoist.release.PathFinder;
import io.hoist.release.Version;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns a cluster and the versions its nodes run into a {@link Plan}: the target, each node's path,
 * the hops, the batches of each hop in role order, and each node's steps with their exact commands.
 * Pure: it never touches a node; the caller gathers running versions and releases.
 *
 * <p>Ordering inside a hop (kato's rule): a node is placed by the earliest of its roles in the role
 * order; nodes with none of their roles in the order go last; ties keep the cluster file's order.
 * Nodes placed by the same role form batches: the role's ramp ({@code batches: [1, 5, "20%"]}:
 * batch k has the size of entry k, the last repeating, a percentage of the nodes the role places in
 * the hop rounded down and at least 1), else up to its {@code max_parallel}; either capped by
 * {@link PlanRequest#maxParallel()}. A role with {@code by_zone} has its nodes ordered zone by zone
 * (zones in the order of their first node in the cluster file) and no batch spans two zones: a
 * batch is cut short at a zone's end and the ramp goes on in the next zone (the canary is the
 * role's first batch, not one per zone). A serial role's nodes go one per batch whatever its ramp
 * says; two nodes sharing a serial role are never in one batch, whatever role placed them; nodes
 * placed by no role go one per batch.
 *
 * <p>Immutable and thread-safe.
 */
public final class Planner {

  private final Cluster cluster;

  public Planner(Cluster cluster) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
  }

  /**
   * Plans an upgrade.
   *
   * @throws UsageException for an unknown or repeated role in the role order, an unknown node, or a
   *     secret a command needs that has no value
   * @throws ValidationException when no target can be found, a node runs a version newer than the
   *     target, or a node has no upgrade path (every such node is named)
   * @throws IllegalArgumentException when a selected node has no entry in {@code current}
   */
  public Plan plan(PlanRequest request) {
    Objects.requireNonNull(request, "request");
    List<String> order = roleOrder(request.roleOrder());
    List<Node> selected = select(request.nodes());
    for (Node node : selected) {
      if (!request.current().containsKey(node.name())) {
        throw new IllegalArgumentException("no running version given for node " + node.name());
      }
    }
    PathFinder finder =
        new PathFinder(
            request.available(), cluster.release().upgradePaths(), cluster.release().maxStep());
    Version target = target(request, finder, selected);

    List<Placement> placements = place(selected, order);
    Map<String, List<Version>> paths = new LinkedHashMap<>();
    List<NodePath> nodePaths = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    // A cluster runs a handful of versions: each one's path is searched once, not once per node.
    Map<Version, List<Version>> pathFrom = new HashMap<>();
    Map<Version, ValidationException> noPathFrom = new HashMap<>();
    for (Placement p : placements) {
      String name = p.node().name();
      Version current = request.current().get(name);
      List<Version> path = List.of();
      String skipReason = null;
      if (current.equals(target)) {
        if (request.force()) {
          path = List.of(target);
        } else {
          skipReason = "already at " + target;
        }
      } else if (current.isNewerThan(target)) {
        problems.add(
            "node "
                + name
                + " runs "
                + current
                + ", newer than the target "
                + target
                + "; an upgrade never downgrades (hoist rollback returns to a previous release)");
        continue;
      } else {
        if (!pathFrom.containsKey(current) && !noPathFrom.containsKey(current)) {
          try {
            pathFrom.put(current, finder.hops(current, target));
          } catch (ValidationException e) {
            noPathFrom.put(current, e);
          }
        }
        if (noPathFrom.containsKey(current)) {
          problems.add("node " + name + ": " + noPathFrom.get(current).getMessage());
          continue;
        }
        path = pathFrom.get(current);
      }
      paths.put(name, path);
      nodePaths.add(
          new NodePath(
              name, current.text(), path.stream().map(Version::text).toList(), skipReason));
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(String.join("\n", problems));
    }

    NodePipeline pipeline = new NodePipeline(cluster, order, request.secretValues());
    TreeSet<Version> hopVersions = new TreeSet<>();
    paths.values().forEach(hopVersions::addAll);
    List<Hop> hops = new ArrayList<>();
    for (Version version : hopVersions) {
      List<Placement> inHop = new ArrayList<>();
      Map<String, Version> fromVersions = new LinkedHashMap<>();
      for (Placement p : placements) {
        List<Version> path = paths.get(p.node().name());
        int at = path.indexOf(version);
        if (at >= 0) {
          inHop.add(p);
          fromVersions.put(
              p.node().name(), at == 0 ? request.current().get(p.node().name()) : path.get(at - 1));
        }
      }
      List<Batch> batches =
          batches(
              inHop,
              order,
              request.maxParallel(),
              pipeline,
              version,
              fromVersions,
              request.force(),
              zoneRanks(false));
      hops.add(new Hop(hops.size() + 1, version.text(), batches));
    }
    return new Plan(cluster.name(), target.text(), order, nodePaths, hops);
  }

  /**
   * Plans a rollback ({@code hoist rollback}): each node straight back to its target release in one
   * step (no upgrade paths: it goes back to where it was), in the reverse of the upgrade order (the
   * last role first, a serial role one node at a time with its leader last, as ever). A node's
   * steps: version check, retire, stop, restore (when {@code restores} names a backup for it),
   * switch, start, post-validation (its health), rejoin; no checks, no new backup, no migrate.
   *
   * @param current each node's running version
   * @param targets each node's release to go back to
   * @param restores each node whose data is put back: what the step says (the backup)
   * @param requestedOrder {@code --role-order}, or empty for the file's
   * @throws ValidationException when a node's target is newer than what it runs
   */
  public Plan rollback(
      List<String> nodes,
      Map<String, Version> current,
      Map<String, Version> targets,
      Map<String, String> restores,
      java.util.Set<String> midHop,
      List<String> requestedOrder,
      int maxParallel,
      Map<String, String> secretValues) {
    List<String> order = roleOrder(requestedOrder);
    List<Node> selected = select(nodes);
    List<Placement> placements = new ArrayList<>(place(selected, order));
    java.util.Collections.reverse(placements);
    // Nodes a killed run left inside a hop may be down: they go first, so that no serial role has
    // a second node down while one still is.
    List<Placement> first = new ArrayList<>();
    List<Placement> rest = new ArrayList<>();
    for (Placement p : placements) {
      (midHop.contains(p.node().name()) ? first : rest).add(p);
    }
    placements = new ArrayList<>(first);
    placements.addAll(rest);
    List<String> problems = new ArrayList<>();
    List<NodePath> nodePaths = new ArrayList<>();
    Map<String, Version> going = new LinkedHashMap<>();
    for (Placement p : placements) {
      String name = p.node().name();
      Version from = Objects.requireNonNull(current.get(name), name);
      Version to = Objects.requireNonNull(targets.get(name), name);
      if (to.isNewerThan(from)) {
        problems.add(
            "node "
                + name
                + " runs "
                + from
                + ", older than "
                + to
                + ": a rollback never upgrades");
        continue;
      }
      // A node left inside a hop is brought back up even when it reports its old release.
      boolean there = to.equals(from) && !midHop.contains(name);
      nodePaths.add(
          new NodePath(
              name,
              from.text(),
              there ? List.of() : List.of(to.text()),
              there ? "already at " + to : null));
      if (!there) {
        going.put(name, to);
      }
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(String.join("\n", problems));
    }
    NodePipeline pipeline = new NodePipeline(cluster, order, secretValues);
    TreeSet<Version> versions = new TreeSet<>(going.values());
    List<Hop> hops = new ArrayList<>();
    for (Version version : versions.descendingSet()) {
      List<Placement> inHop = new ArrayList<>();
      Map<String, Version> fromVersions = new LinkedHashMap<>();
      for (Placement p : placements) {
        if (version.equals(going.get(p.node().name()))) {
          inHop.add(p);
          fromVersions.put(p.node().name(), current.get(p.node().name()));
        }
      }
      List<Batch> batches = new ArrayList<>();
      boolean forced = inHop.stream().anyMatch(p -> midHop.contains(p.node().name()));
      for (Batch b :
          batches(
              inHop,
              order,
              maxParallel,
              pipeline,
              version,
              fromVersions,
              forced,
              zoneRanks(true))) {
        // A node left inside a hop goes first: it is not a leader to be moved last.
        boolean midHopBatch = b.nodes().stream().anyMatch(s -> midHop.contains(s.node()));
        batches.add(
            new Batch(
                b.number(),
                b.role(),
                b.serialRole(),
                midHopBatch ? null : b.leaderProbe(),
                b.nodes().stream().map(s -> rollbackSteps(s, restores.get(s.node()))).toList(),
                b.zone()));
      }
      hops.add(new Hop(hops.size() + 1, version.text(), batches));
    }
    String target = versions.size() == 1 ? versions.first().text() : "each node's previous release";
    return new Plan(cluster.name(), target, order, nodePaths, hops, true);
  }

  /** An upgrade's steps turned into a rollback's: no checks, backup or migrate; a restore. */
  private static NodeSteps rollbackSteps(NodeSteps steps, String restore) {
    List<Step> kept = new ArrayList<>();
    for (Step step : steps.steps()) {
      switch (step.phase()) {
        case PRE_VALIDATE, BACKUP, MIGRATE -> {}
        case INSTALL -> {
          if (restore != null) {
            kept.add(new Step(PhaseId.RESTORE, restore, List.of()));
          }
          kept.add(step);
        }
        default -> kept.add(step);
      }
    }
    return new NodeSteps(
        steps.node(), steps.host(), steps.from(), steps.to(), kept, steps.rollback(), steps.zone());
  }

  /** A node with the role that places it ({@code null}: none of its roles is in the order). */
  record Placement(Node node, String role, int rank) {}

  /** The role order in force, validated. */
  /**
   * A node's drain on its own ({@code hoist retire}): its retire step (one command per role that
   * retires, in role order) and, as its rollback, the rejoin step, rendered for the running
   * version; no steps when none of its roles retires.
   *
   * @throws UsageException when a command needs a secret that has no value
   */
  public NodeSteps retireSteps(Node node, Version running, Map<String, String> secretValues) {
    NodeSteps all =
        new NodePipeline(cluster, roleOrder(List.of()), secretValues)
            .steps(node, running, running, true);
    return new NodeSteps(
        all.node(),
        all.host(),
        all.from(),
        all.to(),
        all.step(PhaseId.RETIRE).stream().toList(),
        all.step(PhaseId.REJOIN).stream().toList());
  }

  /**
   * A role's finalize command rendered for one of its nodes ({@code ${version}}: the release the
   * upgrade took it to, {@code ${from_version}}: the one it ran before).
   *
   * @throws UsageException when the command needs a secret that has no value
   */
  public io.hoist.command.ShellCommand finalizeCommand(
      Node node, io.hoist.model.Role role, Version from, Version to, Map<String, String> secrets) {
    if (role.finalizeCommand() == null) {
      throw new IllegalArgumentException("role " + role.name() + " has no finalize command");
    }
    return new NodePipeline(cluster, cluster.roleOrder(), secrets)
        .command(
            role.finalizeCommand().run(), node, "finalize (role " + role.name() + ")", from, to);
  }

  private List<String> roleOrder(List<String> requested) {
    if (requested.isEmpty()) {
      return cluster.roleOrder();
    }
    Set<String> known = knownRoles();
    Set<String> seen = new HashSet<>();
    for (String role : requested) {
      if (!known.contains(role)) {
        throw new UsageException(
            "unknown role '"
                + role
                + "' in the role order"
                + Suggestions.didYouMean(role, known)
                + " (roles: "
                + String.join(", ", known)
                + ")");
      }
      if (!seen.add(role)) {
        throw new UsageException("role '" + role + "' is listed twice in the role order");
      }
    }
    return requested;
  }

  private Set<String> knownRoles() {
    Set<String> known = new LinkedHashSet<>();
    cluster.roles().forEach(r -> known.add(r.name()));
    known.addAll(cluster.roleOrder());
    cluster.nodes().forEach(n -> known.addAll(n.roles()));
    return known;
  }

  /** The selected nodes, in file order. */
  private List<Node> select(List<String> names) {
    if (names.isEmpty()) {
      return cluster.nodes();
    }
    List<String> all = cluster.nodes().stream().map(Node::name).toList();
    // Sets, not List.contains: the command line names every node of a 10,000-node cluster here.
    Set<String> known = new HashSet<>(all);
    for (String name : names) {
      if (!known.contains(name)) {
        throw new UsageException(
            "unknown node '"
                + name
                + "'"
                + Suggestions.didYouMean(name, all)
                + " (nodes: "
                + String.join(", ", all)
                + ")");
      }
    }
    Set<String> wanted = new HashSet<>(names);
    return cluster.nodes().stream().filter(n -> wanted.contains(n.name())).toList();
  }

  private static Version target(PlanRequest request, PathFinder finder, List<Node> selected) {
    if (request.target().isPresent()) {
      return request.target().get();
    }
    List<Version> froms =
        selected.stream().map(n -> request.current().get(n.name())).distinct().toList();
    return finder
        .newestReachable(froms)
        .orElseThrow(
            () ->
                new ValidationException(
                    "no release in the repository is reachable from "
                        + froms.stream()
                            .sorted()
                            .map(Version::text)
                            .collect(Collectors.joining(", "))
                        + " ("
                        + (finder.available().isEmpty()
                            ? "the repository has no releases"
                            : "releases: "
                                + finder.available().stream()
                                    .map(Version::text)
                                    .collect(Collectors.joining(", ")))
                        + ")"));
  }

  /** The nodes in upgrade order: by placing role's position, unplaced last, then file order. */
  static List<Placement> place(List<Node> nodes, List<String> order) {
    List<Placement> placements = new ArrayList<>();
    for (Node node : nodes) {
      String role = null;
      int rank = order.size();
      for (String r : node.roles()) {
        int at = order.indexOf(r);
        if (at >= 0 && at < rank) {
          rank = at;
          role = r;
        }
      }
      placements.add(new Placement(node, role, rank));
    }
    // List.sort is stable: equal ranks keep file order.
    placements.sort(Comparator.comparingInt(Placement::rank));
    return placements;
  }

  /**
   * Cuts the hop's nodes, already in upgrade order, into batches, one run of nodes placed by the
   * same role at a time. A role upgraded by zone has its nodes ordered zone by zone ({@code
   * zoneRank}) and no batch crosses a zone's end. Batch k of a role has the size of its ramp's
   * entry k (the last repeating), else its max_parallel, capped by the request's cap. A node with a
   * serial role is always alone, even when another role placed it, so a quorum never loses two
   * members at once; such a batch still counts as one of the placing role's batches.
   */
  private List<Batch> batches(
      List<Placement> inHop,
      List<String> order,
      int maxParallel,
      NodePipeline pipeline,
      Version version,
      Map<String, Version> fromVersions,
      boolean force,
      Map<String, Integer> zoneRank) {
    List<Batch> batches = new ArrayList<>();
    int i = 0;
    while (i < inHop.size()) {
      String role = inHop.get(i).role();
      int end = i;
      while (end < inHop.size() && Objects.equals(inHop.get(end).role(), role)) {
        end++;
      }
      List<Placement> group = new ArrayList<>(inHop.subList(i, end));
      i = end;
      Role placing = role == null ? null : roleOf(role);
      boolean zoned = placing != null && placing.byZone();
      if (zoned) {
        // List.sort is stable: inside a zone the nodes keep their order.
        group.sort(
            Comparator.comparingInt(
                p -> zoneRank.getOrDefault(p.node().zone(), Integer.MAX_VALUE)));
      }
      int ramp = 0;
      int j = 0;
      while (j < group.size()) {
        Placement first = group.get(j);
        String zone = zoned ? first.node().zone() : null;
        Optional<Role> serialRole = cluster.serialRole(first.node(), order);
        if (serialRole.isPresent()) {
          Role quorum = serialRole.get();
          Version from = fromVersions.get(first.node().name());
          String leaderProbe =
              quorum.leader() == null
                  ? null
                  : pipeline.leaderProbe(
                      first.node(), quorum.name(), quorum.leader(), version, from);
          batches.add(
              new Batch(
                  batches.size() + 1,
                  role,
                  quorum.name(),
                  leaderProbe,
                  List.of(pipeline.steps(first.node(), from, version, force)),
                  zone));
          j++;
          ramp++;
          continue;
        }
        int cap = batchSize(placing, ramp, group.size(), maxParallel);
        List<NodeSteps> steps = new ArrayList<>();
        while (j < group.size()
            && steps.size() < cap
            && cluster.serialRole(group.get(j).node(), order).isEmpty()
            && (!zoned || Objects.equals(group.get(j).node().zone(), zone))) {
          Placement p = group.get(j);
          steps.add(pipeline.steps(p.node(), fromVersions.get(p.node().name()), version, force));
          j++;
        }
        batches.add(new Batch(batches.size() + 1, role, null, null, steps, zone));
        ramp++;
      }
    }
    return batches;
  }

  /**
   * The size of the placing role's batch number {@code ramp} (from 0) among {@code nodes} nodes it
   * places in the hop: its ramp's entry (the last one repeating; a percentage rounded down, at
   * least 1), else its max_parallel; one for nodes placed by no role; never above {@code cap} when
   * set.
   */
  static int batchSize(Role placing, int ramp, int nodes, int cap) {
    int size;
    if (placing == null) {
      size = 1;
    } else if (!placing.batches().isEmpty()) {
      List<BatchSize> sizes = placing.batches();
      size = sizes.get(Math.min(ramp, sizes.size() - 1)).size(nodes);
    } else {
      size = Math.max(1, placing.maxParallel());
    }
    return cap > 0 ? Math.min(size, cap) : size;
  }

  /**
   * Each zone's rank: the position of its first node in the cluster file, or the reverse for a
   * rollback (the last zone goes back first).
   */
  private Map<String, Integer> zoneRanks(boolean reverse) {
    Map<String, Integer> ranks = new HashMap<>();
    for (Node node : cluster.nodes()) {
      if (node.zone() != null && !ranks.containsKey(node.zone())) {
        ranks.put(node.zone(), reverse ? -ranks.size() : ranks.size());
      }
    }
    return ranks;
  }

  private Role roleOf(String name) {
    return cluster.role(name).orElseGet(() -> Role.named(name));
  }
}
