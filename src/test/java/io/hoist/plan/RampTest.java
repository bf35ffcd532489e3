package io.hoist.plan;

import static io.hoist.testing.Clusters.cluster;
import static io.hoist.testing.Clusters.inZone;
import static io.hoist.testing.Clusters.node;
import static io.hoist.testing.Clusters.ramped;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.hoist.model.BatchSize;
import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.Node;
import io.hoist.model.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ramps ({@code batches: [1, 5, "20%"]}) and failure domains ({@code zone}, {@code by_zone}). */
class RampTest {

  private static final BatchSize ONE = BatchSize.of(1);
  private static final BatchSize FIVE = BatchSize.of(5);
  private static final BatchSize TWENTY_PERCENT = BatchSize.percent(20);

  private static Node[] web(int count) {
    Node[] nodes = new Node[count];
    for (int i = 0; i < count; i++) {
      nodes[i] = node("web-" + (i + 1), "web");
    }
    return nodes;
  }

  private static Plan plan(Cluster cluster, int cap) {
    return new Planner(cluster).plan(OrderingTest.request(cluster, List.of(), cap, List.of()));
  }

  private static List<Integer> sizes(Plan plan) {
    return plan.hops().get(0).batches().stream().map(b -> b.nodes().size()).toList();
  }

  /** Each batch's zones as "a,a | b": the zones of its nodes. */
  private static String zones(Plan plan) {
    return plan.hops().get(0).batches().stream()
        .map(b -> b.nodes().stream().map(NodeSteps::zone).collect(Collectors.joining(",")))
        .collect(Collectors.joining(" | "));
  }

  @Test
  void aRampOfOneFiveAndTwentyPercentOnTwelveNodesGivesOneFiveTwoTwoTwo() {
    Cluster cluster =
        cluster("c")
            .roleOrder(List.of("web"))
            .roles(ramped("web", false, ONE, FIVE, TWENTY_PERCENT))
            .nodes(web(12))
            .build();

    Plan plan = plan(cluster, 0);

    // 20% of 12 is 2.4, rounded down as Ansible's serial does: 2; the last entry repeats.
    assertEquals(List.of(1, 5, 2, 2, 2), sizes(plan));
    assertEquals("web-1", plan.hops().get(0).batches().get(0).nodes().get(0).node());
    assertEquals(
        "web-1 | web-2,web-3,web-4,web-5,web-6 | web-7,web-8 | web-9,web-10 | web-11,web-12",
        OrderingTest.batches(plan));
  }

  @Test
  void aPercentageThatRoundsToNothingStillTakesOneNode() {
    Cluster cluster =
        cluster("c")
            .roleOrder(List.of("web"))
            .roles(ramped("web", false, BatchSize.percent(10)))
            .nodes(web(4))
            .build();

    // 10% of 4 is 0.4: at least one node.
    assertEquals(List.of(1, 1, 1, 1), sizes(plan(cluster, 0)));
  }

  @Test
  void theLastEntryRepeatsUntilTheRoleIsDone() {
    Cluster cluster =
        cluster("c")
            .roleOrder(List.of("web"))
            .roles(ramped("web", false, ONE, BatchSize.of(3)))
            .nodes(web(9))
            .build();

    assertEquals(List.of(1, 3, 3, 2), sizes(plan(cluster, 0)));
  }

  @Test
  void maxParallelOnTheCommandLineCapsEveryBatchOfTheRamp() {
    Cluster cluster =
        cluster("c")
            .roleOrder(List.of("web"))
            .roles(ramped("web", false, ONE, FIVE, TWENTY_PERCENT))
            .nodes(web(12))
            .build();

    assertEquals(List.of(1, 3, 2, 2, 2, 2), sizes(plan(cluster, 3)));
  }

  @ParameterizedTest
  @CsvSource({
    "100, 7, 7",
    "50, 7, 3",
    "1, 7, 1",
    "33, 100, 33",
    "99, 1, 1",
  })
  void aPercentageIsOfTheRoleNodesRoundedDownAndAtLeastOne(int percent, int nodes, int size) {
    assertEquals(size, BatchSize.percent(percent).size(nodes));
  }

  @Test
  void eachRoleRampsOnItsOwnNodesInTheHop() {
    List<Node> nodes = new ArrayList<>(List.of(web(10)));
    for (int i = 1; i <= 4; i++) {
      nodes.add(node("db-" + i, "db"));
    }
    Cluster cluster =
        cluster("c")
            .roleOrder(List.of("web", "db"))
            .roles(ramped("web", false, ONE, BatchSize.percent(50)), ramped("db", false, ONE, FIVE))
            .nodes(nodes.toArray(Node[]::new))
            .build();

    // web: 1, then 50% of 10 = 5 (4 left); db starts its own ramp: 1, then the 3 left.
    assertEquals(List.of(1, 5, 4, 1, 3), sizes(plan(cluster, 0)));
  }

  @Test
  void aSerialRoleKeepsOneNodePerBatchWhateverItsRampSays() {
    Role quorum =
        new Role(
            "db", true, 1, Duration.ZERO, null, null, null, Commands.none(), List.of(FIVE), false);
    Cluster cluster =
        cluster("c")
            .roleOrder(List.of("db"))
            .roles(quorum)
            .nodes(node("db-1", "db"), node("db-2", "db"), node("db-3", "db"))
            .build();

    Plan plan = plan(cluster, 0);

    assertEquals(List.of(1, 1, 1), sizes(plan));
    assertEquals("db", plan.hops().get(0).batches().get(0).serialRole());
  }

  @Test
  void aNodeWithASerialRoleIsAloneInsideARampAndCountsAsOneOfItsBatches() {
    Role quorum = new Role("zk", true, 1, Duration.ZERO, null, null, null, Commands.none());
    Cluster cluster =
        cluster("c")
            .roleOrder(List.of("web", "zk"))
            .roles(ramped("web", false, ONE, BatchSize.of(3)), quorum)
            .nodes(
                node("web-1", "web", "zk"),
                node("web-2", "web"),
                node("web-3", "web", "zk"),
                node("web-4", "web"),
                node("web-5", "web"))
            .build();

    assertEquals("web-1 | web-2 | web-3 | web-4,web-5", OrderingTest.batches(plan(cluster, 0)));
  }

  private static Cluster zoned(Role web, String... zoneOfEach) {
    Node[] nodes = new Node[zoneOfEach.length];
    for (int i = 0; i < zoneOfEach.length; i++) {
      nodes[i] = inZone(node("web-" + (i + 1), "web"), zoneOfEach[i]);
    }
    return cluster("c").roleOrder(List.of("web")).roles(web).nodes(nodes).build();
  }

  @Test
  void byZoneNeverMixesZonesInABatchAndTakesZonesInFileOrder() {
    // Nodes interleaved across zones in the file; zones ordered by their first node: b, a, c.
    Cluster cluster =
        zoned(ramped("web", true, BatchSize.of(2)), "b", "a", "b", "c", "a", "b", "c", "a", "c");

    Plan plan = plan(cluster, 0);

    assertEquals("b,b | b | a,a | a | c,c | c", zones(plan));
    assertEquals(
        "web-1,web-3 | web-6 | web-2,web-5 | web-8 | web-4,web-7 | web-9",
        OrderingTest.batches(plan));
    assertEquals(
        List.of("b", "b", "a", "a", "c", "c"),
        plan.hops().get(0).batches().stream().map(Batch::zone).toList());
  }

  @Test
  void theRampCarriesOverAcrossZonesAndIsCutAtEachZoneEnd() {
    Cluster cluster =
        zoned(
            ramped("web", true, ONE, BatchSize.of(3)), "a", "a", "a", "a", "b", "b", "b", "b", "b");

    // The canary is the role's first batch only: zone b starts at the ramp's 3, not at 1.
    assertEquals(List.of(1, 3, 3, 2), sizes(plan(cluster, 0)));
    assertEquals("a | a,a,a | b,b,b | b,b", zones(plan(cluster, 0)));
  }

  @Test
  void byZoneWithoutARampUsesMaxParallelPerZone() {
    Role web =
        new Role(
            "web", false, 4, Duration.ZERO, null, null, null, Commands.none(), List.of(), true);
    Cluster cluster = zoned(web, "a", "a", "a", "b", "b");

    assertEquals("a,a,a | b,b", zones(plan(cluster, 0)));
  }

  @Test
  void aSerialRoleByZoneGoesZoneByZoneOneNodeAtATime() {
    Role db =
        new Role("db", true, 1, Duration.ZERO, null, null, null, Commands.none(), List.of(), true);
    Cluster cluster =
        cluster("c")
            .roleOrder(List.of("db"))
            .roles(db)
            .nodes(
                inZone(node("db-1", "db"), "a"),
                inZone(node("db-2", "db"), "b"),
                inZone(node("db-3", "db"), "a"))
            .build();

    Plan plan = plan(cluster, 0);

    assertEquals("db-1 | db-3 | db-2", OrderingTest.batches(plan));
    assertEquals("a | a | b", zones(plan));
  }

  @Test
  void withoutByZoneTheBatchHasNoZoneButItsNodesStillShowTheirs() {
    Cluster cluster = zoned(ramped("web", false, BatchSize.of(3)), "a", "b", "a");

    Plan plan = plan(cluster, 0);

    assertNull(plan.hops().get(0).batches().get(0).zone());
    assertEquals("a,b,a", zones(plan));
  }

  @Test
  void aRollbackByZoneTakesTheLastZoneBackFirst() {
    Cluster cluster = zoned(ramped("web", true, BatchSize.of(2)), "a", "a", "b", "b");
    java.util.Map<String, io.hoist.release.Version> now = new java.util.HashMap<>();
    java.util.Map<String, io.hoist.release.Version> back = new java.util.HashMap<>();
    cluster
        .nodes()
        .forEach(
            n -> {
              now.put(n.name(), io.hoist.release.Version.parse("1.1.0"));
              back.put(n.name(), io.hoist.release.Version.parse("1.0.0"));
            });

    Plan plan =
        new Planner(cluster)
            .rollback(
                cluster.nodes().stream().map(Node::name).toList(),
                now,
                back,
                java.util.Map.of(),
                java.util.Set.of(),
                List.of(),
                0,
                java.util.Map.of());

    assertEquals("b,b | a,a", zones(plan));
  }
}
