package io.hoist.plan;

import static io.hoist.testing.Clusters.KATO_ORDER;
import static io.hoist.testing.Clusters.cluster;
import static io.hoist.testing.Clusters.node;
import static io.hoist.testing.Clusters.parallel;
import static io.hoist.testing.Clusters.serial;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.UsageException;
import io.hoist.model.Cluster;
import io.hoist.release.Version;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OrderingTest {

  /** A kato-like cluster, nodes deliberately in an order unlike the role order. */
  private static final Cluster KATO =
      cluster("kato")
          .roleOrder(KATO_ORDER)
          .roles(parallel("dea", 2), parallel("router", 3))
          .nodes(
              node("core", "primary", "controller", "base"),
              node("router-1", "router"),
              node("dea-1", "dea"),
              node("misc", "logger"),
              node("dea-2", "dea"),
              node("bare"),
              node("ctl-2", "controller"),
              node("base-1", "base", "primary"),
              node("dea-3", "dea"),
              node("router-2", "router"))
          .build();

  static PlanRequest request(
      Cluster cluster, List<String> roleOrder, int maxParallel, List<String> nodes) {
    Map<String, Version> current = new HashMap<>();
    cluster.nodes().forEach(n -> current.put(n.name(), Version.parse("1.0.0")));
    return new PlanRequest(
        nodes,
        current,
        List.of(Version.parse("1.0.0"), Version.parse("1.1.0")),
        Optional.empty(),
        roleOrder,
        false,
        maxParallel,
        Map.of());
  }

  /** Batches of the first hop as "a,b | c | ...". */
  static String batches(Plan plan) {
    return plan.hops().get(0).batches().stream()
        .map(b -> b.nodes().stream().map(NodeSteps::node).collect(Collectors.joining(",")))
        .collect(Collectors.joining(" | "));
  }

  static String roles(Plan plan) {
    return plan.hops().get(0).batches().stream()
        .map(b -> String.valueOf(b.role()))
        .collect(Collectors.joining(" | "));
  }

  @Test
  void katoDefaultOrderDeaControllerRouterBasePrimaryThenTheRest() {
    Plan plan = new Planner(KATO).plan(request(KATO, List.of(), 0, List.of()));

    assertEquals(
        "dea-1,dea-2 | dea-3 | core | ctl-2 | router-1,router-2 | base-1 | misc | bare",
        batches(plan));
    assertEquals("dea | dea | controller | controller | router | base | null | null", roles(plan));
    assertEquals(KATO_ORDER, plan.roleOrder());
  }

  @Test
  void planNodesAreListedInUpgradeOrder() {
    Plan plan = new Planner(KATO).plan(request(KATO, List.of(), 0, List.of()));

    assertEquals(
        List.of(
            "dea-1",
            "dea-2",
            "dea-3",
            "core",
            "ctl-2",
            "router-1",
            "router-2",
            "base-1",
            "misc",
            "bare"),
        plan.nodes().stream().map(NodePath::node).toList());
  }

  @ParameterizedTest(name = "--role-order {0}")
  @CsvSource(
      delimiter = ';',
      textBlock =
          """
          primary,router ; core | base-1 | router-1,router-2 | dea-1 | misc | dea-2 | bare | ctl-2 | dea-3
          router,dea     ; router-1,router-2 | dea-1,dea-2 | dea-3 | core | misc | bare | ctl-2 | base-1
          logger,base    ; misc | core | base-1 | router-1 | dea-1 | dea-2 | bare | ctl-2 | dea-3 | router-2
          """)
  void roleOrderOverrideReordersAndLeavesOthersLast(String order, String expected) {
    List<String> roleOrder = Arrays.asList(order.split(","));
    Plan plan = new Planner(KATO).plan(request(KATO, roleOrder, 0, List.of()));

    assertEquals(expected.strip(), batches(plan));
    assertEquals(roleOrder, plan.roleOrder());
  }

  @Test
  void multiRoleNodeIsPlacedByItsEarliestRole() {
    Plan plan =
        new Planner(KATO).plan(request(KATO, List.of(), 0, List.of("base-1", "core", "dea-1")));

    assertEquals("dea-1 | core | base-1", batches(plan));
    assertEquals("dea | controller | base", roles(plan));
  }

  @ParameterizedTest(name = "--max-parallel {0}")
  @CsvSource(
      delimiter = ';',
      textBlock =
          """
          0 ; dea-1,dea-2 | dea-3 | core | ctl-2 | router-1,router-2 | base-1 | misc | bare
          1 ; dea-1 | dea-2 | dea-3 | core | ctl-2 | router-1 | router-2 | base-1 | misc | bare
          5 ; dea-1,dea-2 | dea-3 | core | ctl-2 | router-1,router-2 | base-1 | misc | bare
          """)
  void maxParallelCapsTheRoles(int maxParallel, String expected) {
    Plan plan = new Planner(KATO).plan(request(KATO, List.of(), maxParallel, List.of()));

    assertEquals(expected.strip(), batches(plan));
  }

  @Test
  void batchesAreNumberedWithinTheHop() {
    Plan plan = new Planner(KATO).plan(request(KATO, List.of(), 0, List.of()));

    assertEquals(
        List.of(1, 2, 3, 4, 5, 6, 7, 8),
        plan.hops().get(0).batches().stream().map(Batch::number).toList());
  }

  @Test
  void serialRoleGoesOneNodePerBatchWithItsLeaderProbe() {
    Cluster c =
        cluster("quorum")
            .roleOrder(List.of("storage"))
            .roles(serial("storage", "acme-ctl is-leader --node ${node}"))
            .nodes(node("s1", "storage"), node("s2", "storage"), node("s3", "storage"))
            .build();

    Plan plan = new Planner(c).plan(request(c, List.of(), 0, List.of()));

    assertEquals("s1 | s2 | s3", batches(plan));
    List<Batch> batches = plan.hops().get(0).batches();
    assertTrue(batches.stream().allMatch(Batch::serial));
    assertEquals(
        List.of(
            "acme-ctl is-leader --node s1",
            "acme-ctl is-leader --node s2",
            "acme-ctl is-leader --node s3"),
        batches.stream().map(Batch::leaderProbe).toList());
  }

  @Test
  void serialRoleWithoutLeaderHasNoProbe() {
    Cluster c =
        cluster("quorum")
            .roleOrder(List.of("storage"))
            .roles(serial("storage", null))
            .nodes(node("s1", "storage"), node("s2", "storage"))
            .build();

    Plan plan = new Planner(c).plan(request(c, List.of(), 0, List.of()));

    assertEquals("s1 | s2", batches(plan));
    assertNull(plan.hops().get(0).batches().get(0).leaderProbe());
  }

  @Test
  void aNodeOfASerialRoleIsAloneEvenWhenAnotherRolePlacesIt() {
    // kato's core node: primary (a quorum) and controller; controller comes first in the order.
    Cluster c =
        cluster("mixed")
            .roleOrder(List.of("controller", "primary"))
            .roles(parallel("controller", 4), serial("primary", "is-leader ${node}"))
            .nodes(
                node("c1", "controller", "primary"),
                node("c2", "controller"),
                node("c3", "primary", "controller"),
                node("c4", "controller"),
                node("c6", "controller"),
                node("c5", "controller", "primary"))
            .build();

    Plan plan = new Planner(c).plan(request(c, List.of(), 0, List.of()));

    assertEquals("c1 | c2 | c3 | c4,c6 | c5", batches(plan));
    assertEquals("controller | controller | controller | controller | controller", roles(plan));
    List<Batch> batches = plan.hops().get(0).batches();
    assertEquals(
        Arrays.asList("primary", null, "primary", null, "primary"),
        batches.stream().map(Batch::serialRole).toList());
    assertEquals("is-leader c3", batches.get(2).leaderProbe());
    assertNull(batches.get(3).leaderProbe());
  }

  @Test
  void aSerialRoleLeftOutOfTheOrderStillKeepsItsNodesApart() {
    Cluster c =
        cluster("quorum")
            .roleOrder(List.of("storage", "web"))
            .roles(serial("storage", "is-leader"), parallel("web", 3))
            .nodes(node("s1", "storage"), node("s2", "storage"), node("w1", "web"))
            .build();

    Plan plan = new Planner(c).plan(request(c, List.of("web"), 0, List.of()));

    assertEquals("w1 | s1 | s2", batches(plan));
    assertTrue(plan.hops().get(0).batches().get(1).serial());
    assertEquals("is-leader", plan.hops().get(0).batches().get(2).leaderProbe());
  }

  @Test
  void unknownRoleInOrderSuggestsTheClosest() {
    UsageException e =
        assertThrows(
            UsageException.class,
            () -> new Planner(KATO).plan(request(KATO, List.of("dae", "router"), 0, List.of())));

    assertTrue(
        e.getMessage().startsWith("unknown role 'dae' in the role order (did you mean 'dea'?)"),
        e.getMessage());
  }

  @Test
  void unknownRoleFarFromAnyHasNoSuggestion() {
    UsageException e =
        assertThrows(
            UsageException.class,
            () -> new Planner(KATO).plan(request(KATO, List.of("zookeeper"), 0, List.of())));

    assertTrue(e.getMessage().startsWith("unknown role 'zookeeper' in the role order (roles: "));
  }

  @Test
  void repeatedRoleInOrderIsRefused() {
    UsageException e =
        assertThrows(
            UsageException.class,
            () ->
                new Planner(KATO)
                    .plan(request(KATO, List.of("dea", "router", "dea"), 0, List.of())));

    assertEquals("role 'dea' is listed twice in the role order", e.getMessage());
  }

  @Test
  void unknownNodeSuggestsTheClosest() {
    UsageException e =
        assertThrows(
            UsageException.class,
            () -> new Planner(KATO).plan(request(KATO, List.of(), 0, List.of("dea-1", "dea4"))));

    assertTrue(
        e.getMessage().startsWith("unknown node 'dea4' (did you mean 'dea-1'?)"), e.getMessage());
  }
}
