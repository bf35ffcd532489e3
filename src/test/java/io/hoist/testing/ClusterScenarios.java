package io.hoist.testing;

import io.hoist.model.BatchSize;
import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.MaxStep;
import io.hoist.model.Node;
import io.hoist.model.Role;
import io.hoist.model.UpgradePath;
import io.hoist.plan.PlanRequest;
import io.hoist.release.Version;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Random clusters and upgrade requests for property tests (jqwik): roles (some serial, some with a
 * leader command), a role order that lists some of them, nodes with none to three roles, each on
 * one of seven releases, upgrade paths and a {@code max_step} that make several hops, a selection
 * of nodes, a {@code --role-order}, a {@code --max-parallel} and {@code --force}. Every scenario
 * can be planned: every release between the oldest and the newest is in the repository.
 */
public final class ClusterScenarios {

  /** The repository's releases, oldest first; every node runs one of them. */
  public static final List<Version> RELEASES =
      List.of("1.0.0", "1.1.0", "1.2.0", "2.0.0", "2.1.0", "3.0.0", "3.1.0").stream()
          .map(Version::parse)
          .toList();

  /** Upgrade paths a scenario may have (any subset): each forces a stop on the way. */
  private static final List<UpgradePath> PATHS =
      List.of(
          new UpgradePath("1.2", ">=1.1.0"),
          new UpgradePath("2.0", ">=1.2.0"),
          new UpgradePath("3", ">=2.1.0"));

  /** The leader command of a serial role that has one. */
  public static final String LEADER = "is-leader ${node}";

  private ClusterScenarios() {}

  /** One role: serial ones have max_parallel 1 and, mostly, a leader command. */
  record RoleSpec(boolean serial, int maxParallel, boolean leader) {}

  /** One node: indexes of its roles, of its release, and whether it is selected. */
  record NodeSpec(List<Integer> roles, int release, boolean selected) {}

  /** The request's choices. */
  record RequestSpec(List<Integer> roleOrder, int maxParallel, boolean force, boolean selectSome) {}

  /**
   * A cluster and an upgrade request for it.
   *
   * @param cluster the cluster; nodes named {@code n000}, {@code n001}... in file order, roles
   *     {@code r0} to {@code r5}
   * @param request the upgrade request: every selected node's running version, every release
   *     available, no {@code --to} (the newest reachable)
   */
  public record Scenario(Cluster cluster, PlanRequest request) {

    /** The same scenario with the nodes in another file order. */
    public Scenario withNodes(List<Node> nodes) {
      Cluster c = cluster;
      return new Scenario(
          new Cluster(
              c.name(),
              c.release(),
              c.commands(),
              c.roleOrder(),
              c.roles(),
              c.checks(),
              c.backup(),
              c.hooks(),
              c.timeouts(),
              c.secrets(),
              nodes),
          request);
    }

    /** The role order in force: the request's, else the file's. */
    public List<String> roleOrder() {
      return request.roleOrder().isEmpty() ? cluster.roleOrder() : request.roleOrder();
    }

    /** The selected nodes, in file order. */
    public List<Node> selected() {
      return cluster.nodes().stream()
          .filter(n -> request.nodes().isEmpty() || request.nodes().contains(n.name()))
          .toList();
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder();
      s.append("role_order ").append(cluster.roleOrder());
      s.append(", --role-order ").append(request.roleOrder());
      s.append(", --max-parallel ").append(request.maxParallel());
      s.append(request.force() ? ", --force" : "");
      s.append(", max_step ").append(cluster.release().maxStep());
      s.append(", paths ").append(cluster.release().upgradePaths());
      s.append(", nodes ").append(request.nodes().isEmpty() ? "all" : request.nodes());
      s.append("\n  roles:");
      for (Role r : cluster.roles()) {
        s.append(' ').append(r.name());
        s.append(r.serial() ? "(serial" + (r.leader() != null ? ", leader)" : ")") : "");
        s.append(r.serial() ? "" : "(max " + r.maxParallel() + ")");
        s.append(r.batches().isEmpty() ? "" : "batches " + r.batches());
        s.append(r.byZone() ? "(by zone)" : "");
      }
      s.append("\n  nodes:");
      for (Node n : cluster.nodes()) {
        s.append(' ').append(n.name()).append(n.roles());
        s.append(n.zone() == null ? "" : "/" + n.zone()).append('@');
        s.append(request.current().get(n.name()));
      }
      return s.toString();
    }
  }

  /** Scenarios of 1 to {@code maxNodes} nodes and 0 to 6 roles, a third of them serial. */
  public static Arbitrary<Scenario> scenarios(int maxNodes) {
    return scenarios(maxNodes, 33);
  }

  /**
   * Scenarios of 1 to {@code maxNodes} nodes and 0 to 6 roles, each serial with a chance of {@code
   * serialPercent} in 100; three serial roles in four have a leader command.
   */
  public static Arbitrary<Scenario> scenarios(int maxNodes, int serialPercent) {
    return Arbitraries.integers()
        .between(0, 6)
        .flatMap(
            roleCount ->
                Combinators.combine(
                        roleSpec(serialPercent).list().ofSize(roleCount),
                        subsetInOrder(roleCount),
                        nodeSpec(roleCount).list().ofMinSize(1).ofMaxSize(maxNodes),
                        requestSpec(roleCount),
                        Arbitraries.of(MaxStep.class),
                        Arbitraries.integers().between(0, (1 << PATHS.size()) - 1))
                    .as(ClusterScenarios::scenario));
  }

  /**
   * {@link #scenarios(int)} with ramps and failure domains: each role gets a ramp of 1 to 4 entries
   * (counts 1 to 6, percentages 1% to 100%) or none, half of them {@code by_zone}; each node a zone
   * of {@code z0} to {@code z3} (always, so that a by-zone role is valid).
   */
  public static Arbitrary<Scenario> rampScenarios(int maxNodes) {
    Arbitrary<BatchSize> size =
        Arbitraries.oneOf(
            Arbitraries.integers().between(1, 6).map(BatchSize::of),
            Arbitraries.integers().between(1, 100).map(BatchSize::percent));
    return scenarios(maxNodes)
        .flatMap(
            s ->
                Combinators.combine(
                        size.list().ofMaxSize(4).list().ofSize(s.cluster().roles().size()),
                        Arbitraries.of(true, false).list().ofSize(s.cluster().roles().size()),
                        Arbitraries.integers()
                            .between(0, 3)
                            .list()
                            .ofSize(s.cluster().nodes().size()))
                    .as((ramps, byZone, zones) -> withRamps(s, ramps, byZone, zones)));
  }

  private static Scenario withRamps(
      Scenario s, List<List<BatchSize>> ramps, List<Boolean> byZone, List<Integer> zones) {
    Cluster c = s.cluster();
    List<Role> roles = new ArrayList<>();
    for (int i = 0; i < c.roles().size(); i++) {
      Role r = c.roles().get(i);
      roles.add(
          new Role(
              r.name(),
              r.serial(),
              r.maxParallel(),
              r.settle(),
              r.leader(),
              r.retire(),
              r.rejoin(),
              r.commands(),
              ramps.get(i),
              byZone.get(i)));
    }
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < c.nodes().size(); i++) {
      nodes.add(Clusters.inZone(c.nodes().get(i), "z" + zones.get(i)));
    }
    return new Scenario(
        new Cluster(
            c.name(),
            c.release(),
            c.commands(),
            c.roleOrder(),
            roles,
            c.checks(),
            c.backup(),
            c.hooks(),
            c.timeouts(),
            c.secrets(),
            nodes),
        s.request());
  }

  private static Arbitrary<RoleSpec> roleSpec(int serialPercent) {
    return Combinators.combine(
            Arbitraries.integers().between(0, 99).map(i -> i < serialPercent),
            Arbitraries.integers().between(1, 10),
            Arbitraries.integers().between(0, 3).map(i -> i > 0))
        .as(RoleSpec::new);
  }

  private static Arbitrary<NodeSpec> nodeSpec(int roleCount) {
    Arbitrary<List<Integer>> roles =
        roleCount == 0
            ? Arbitraries.just(List.of())
            : Arbitraries.integers()
                .between(0, roleCount - 1)
                .list()
                .uniqueElements()
                .ofMaxSize(Math.min(3, roleCount));
    return Combinators.combine(
            roles,
            Arbitraries.integers().between(0, RELEASES.size() - 1),
            Arbitraries.of(true, false))
        .as(NodeSpec::new);
  }

  private static Arbitrary<RequestSpec> requestSpec(int roleCount) {
    return Combinators.combine(
            // Mostly the file's order (empty), sometimes a --role-order.
            Arbitraries.integers()
                .between(0, 3)
                .flatMap(i -> i == 0 ? subsetInOrder(roleCount) : Arbitraries.just(List.of())),
            Arbitraries.integers().between(0, 10),
            Arbitraries.integers().between(0, 4).map(i -> i == 0),
            Arbitraries.integers().between(0, 3).map(i -> i == 0))
        .as(RequestSpec::new);
  }

  /** Some of the indexes {@code 0..count-1}, in any order. */
  private static Arbitrary<List<Integer>> subsetInOrder(int count) {
    return count == 0
        ? Arbitraries.just(List.of())
        : Arbitraries.integers().between(0, count - 1).list().uniqueElements().ofMaxSize(count);
  }

  private static Scenario scenario(
      List<RoleSpec> roleSpecs,
      List<Integer> order,
      List<NodeSpec> nodeSpecs,
      RequestSpec requestSpec,
      MaxStep maxStep,
      int pathMask) {
    List<Role> roles = new ArrayList<>();
    for (int i = 0; i < roleSpecs.size(); i++) {
      RoleSpec r = roleSpecs.get(i);
      roles.add(
          new Role(
              "r" + i,
              r.serial(),
              r.serial() ? 1 : r.maxParallel(),
              r.serial() ? Duration.ofSeconds(30) : Duration.ZERO,
              r.serial() && r.leader() ? LEADER : null,
              null,
              null,
              Commands.none()));
    }
    List<Node> nodes = new ArrayList<>();
    Map<String, Version> current = new LinkedHashMap<>();
    List<String> selected = new ArrayList<>();
    for (int i = 0; i < nodeSpecs.size(); i++) {
      NodeSpec n = nodeSpecs.get(i);
      String name = String.format(java.util.Locale.ROOT, "n%03d", i);
      nodes.add(Clusters.node(name, n.roles().stream().map(r -> "r" + r).toArray(String[]::new)));
      current.put(name, RELEASES.get(n.release()));
      if (n.selected()) {
        selected.add(name);
      }
    }
    Clusters.Builder builder =
        Clusters.cluster("random")
            .roleOrder(order.stream().map(r -> "r" + r).toList())
            .roles(roles.toArray(Role[]::new))
            .nodes(nodes.toArray(Node[]::new))
            .maxStep(maxStep);
    IntStream.range(0, PATHS.size())
        .filter(i -> (pathMask & (1 << i)) != 0)
        .forEach(i -> builder.path(PATHS.get(i).to(), PATHS.get(i).from()));
    PlanRequest request =
        new PlanRequest(
            requestSpec.selectSome() && !selected.isEmpty() ? selected : List.of(),
            current,
            RELEASES,
            Optional.empty(),
            requestSpec.roleOrder().stream().map(r -> "r" + r).toList(),
            requestSpec.force(),
            requestSpec.maxParallel(),
            Map.of());
    return new Scenario(builder.build(), request);
  }
}
