package io.hoist.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.model.Role;
import io.hoist.release.PathFinder;
import io.hoist.release.Version;
import io.hoist.testing.ClusterScenarios;
import io.hoist.testing.ClusterScenarios.Scenario;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The planner's rules, checked on random clusters (jqwik; {@link ClusterScenarios}): 1 to 200
 * nodes, 0 to 6 roles, several hops. The expected order is computed here independently: a node's
 * rank is the position of its earliest role in the role order in force (none listed: after all);
 * within a hop nodes go by rank, ties in file order.
 */
class PlanPropertiesTest {

  @Provide
  Arbitrary<Scenario> scenarios() {
    return ClusterScenarios.scenarios(200);
  }

  @Property
  void everySelectedNodeIsInEachHopOfItsPathExactlyOnce(@ForAll("scenarios") Scenario s) {
    Plan plan = plan(s);
    int size = s.selected().size();
    Statistics.label("selected nodes")
        .collect(size <= 10 ? "1-10" : size <= 50 ? "11-50" : "51-200");
    Statistics.label("hops").collect(plan.hops().size());
    Version target = Version.parse(plan.target());
    PathFinder finder =
        new PathFinder(
            ClusterScenarios.RELEASES,
            s.cluster().release().upgradePaths(),
            s.cluster().release().maxStep());
    Set<String> selected = names(s.selected());
    assertEquals(selected, Set.copyOf(plan.nodes().stream().map(NodePath::node).toList()));
    assertEquals(selected.size(), plan.nodes().size(), "a node listed twice");

    List<String> hopVersions = plan.hops().stream().map(Hop::version).toList();
    for (int i = 1; i < hopVersions.size(); i++) {
      assertTrue(
          Version.parse(hopVersions.get(i)).isNewerThan(Version.parse(hopVersions.get(i - 1))),
          "hops in ascending versions: " + hopVersions);
    }
    for (NodePath path : plan.nodes()) {
      Version current = s.request().current().get(path.node());
      List<String> expected =
          current.equals(target)
              ? (s.request().force() ? List.of(target.text()) : List.of())
              : finder.hops(current, target).stream().map(Version::text).toList();
      assertEquals(expected, path.versions(), path.node() + " from " + current);

      String from = current.text();
      for (Hop hop : plan.hops()) {
        List<NodeSteps> mine =
            hop.batches().stream()
                .flatMap(b -> b.nodes().stream())
                .filter(n -> n.node().equals(path.node()))
                .toList();
        if (!path.versions().contains(hop.version())) {
          assertEquals(List.of(), mine, path.node() + " in hop " + hop.version());
          continue;
        }
        assertEquals(1, mine.size(), path.node() + " in hop " + hop.version());
        assertEquals(from, mine.get(0).from(), path.node() + " hop " + hop.version());
        assertEquals(hop.version(), mine.get(0).to());
        from = hop.version();
      }
    }
  }

  @Property
  void eachHopFollowsTheRoleOrderWithTiesInFileOrder(@ForAll("scenarios") Scenario s) {
    Plan plan = plan(s);
    List<String> order = s.roleOrder();
    Map<String, Integer> rank = ranks(s);
    Map<String, Integer> fileIndex = fileIndex(s.cluster());
    for (Hop hop : plan.hops()) {
      List<String> actual = nodesOf(hop);
      List<String> expected = new ArrayList<>(actual);
      expected.sort(Comparator.<String>comparingInt(rank::get).thenComparingInt(fileIndex::get));
      assertEquals(expected, actual, "hop " + hop.version());
      for (Batch batch : hop.batches()) {
        for (NodeSteps n : batch.nodes()) {
          int r = rank.get(n.node());
          String placing = r == order.size() ? null : order.get(r);
          assertEquals(placing, batch.role(), "the role that placed " + n.node());
        }
      }
    }
  }

  @Property
  void nodesWithNoRoleInTheOrderGoLastOneAtATime(@ForAll("scenarios") Scenario s) {
    Plan plan = plan(s);
    int unlisted = s.roleOrder().size();
    Map<String, Integer> rank = ranks(s);
    for (Hop hop : plan.hops()) {
      boolean inTail = false;
      for (Batch batch : hop.batches()) {
        boolean unplaced = rank.get(batch.nodes().get(0).node()) == unlisted;
        assertTrue(unplaced || !inTail, "a placed node after an unplaced one: " + nodesOf(hop));
        inTail |= unplaced;
        if (unplaced) {
          assertEquals(1, batch.nodes().size(), "unplaced nodes go one per batch");
          assertNull(batch.role());
        }
      }
    }
  }

  @Property
  void noBatchHoldsTwoNodesOfASerialRoleAndEachSerialNodeIsAlone(@ForAll("scenarios") Scenario s) {
    Plan plan = plan(s);
    Cluster cluster = s.cluster();
    Statistics.label("has serial batches")
        .collect(plan.hops().stream().flatMap(h -> h.batches().stream()).anyMatch(Batch::serial));
    for (Hop hop : plan.hops()) {
      for (Batch batch : hop.batches()) {
        Map<String, Integer> perSerialRole = new HashMap<>();
        for (NodeSteps n : batch.nodes()) {
          Node node = cluster.node(n.node()).orElseThrow();
          for (String r : node.roles()) {
            if (cluster.role(r).map(Role::serial).orElse(false)) {
              perSerialRole.merge(r, 1, Integer::sum);
            }
          }
        }
        perSerialRole.forEach(
            (role, count) ->
                assertEquals(1, count, "serial role " + role + " in batch " + names(batch)));
        if (!perSerialRole.isEmpty()) {
          assertEquals(1, batch.nodes().size(), "a serial node shares its batch: " + names(batch));
          String serialRole = batch.serialRole();
          assertNotNull(serialRole, names(batch).toString());
          assertTrue(perSerialRole.containsKey(serialRole), serialRole);
          Role role = cluster.role(serialRole).orElseThrow();
          assertEquals(
              role.leader() == null ? null : "is-leader " + batch.nodes().get(0).node(),
              batch.leaderProbe());
        } else {
          assertNull(batch.serialRole());
          assertNull(batch.leaderProbe());
        }
      }
    }
  }

  @Property
  void batchesStayWithinMaxParallel(@ForAll("scenarios") Scenario s) {
    Plan plan = plan(s);
    int cap = s.request().maxParallel();
    for (Hop hop : plan.hops()) {
      for (Batch batch : hop.batches()) {
        int size = batch.nodes().size();
        assertTrue(size >= 1, "an empty batch");
        assertTrue(cap == 0 || size <= cap, "--max-parallel " + cap + ": " + names(batch));
        int roleCap =
            batch.role() == null
                ? 1
                : Math.max(1, s.cluster().role(batch.role()).orElseThrow().maxParallel());
        assertTrue(size <= roleCap, batch.role() + " max " + roleCap + ": " + names(batch));
      }
      assertEquals(
          numbers(hop.batches().size()),
          hop.batches().stream().map(Batch::number).toList(),
          "batches numbered from 1");
    }
    assertEquals(numbers(plan.hops().size()), plan.hops().stream().map(Hop::number).toList());
  }

  @Property
  void theSameInputGivesTheSamePlan(@ForAll("scenarios") Scenario s) {
    Plan first = plan(s);
    assertEquals(first, new Planner(s.cluster()).plan(s.request()));
    // An equal cluster and request, built anew (other list and map instances).
    Scenario copy = s.withNodes(new ArrayList<>(s.cluster().nodes()));
    Map<String, Version> reordered = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(s.request().current().keySet());
    Collections.reverse(names);
    names.forEach(n -> reordered.put(n, s.request().current().get(n)));
    PlanRequest r = s.request();
    List<Version> available = new ArrayList<>(r.available());
    Collections.reverse(available);
    PlanRequest again =
        new PlanRequest(
            r.nodes(),
            reordered,
            available,
            r.target(),
            r.roleOrder(),
            r.force(),
            r.maxParallel(),
            r.secretValues());
    assertEquals(first, new Planner(copy.cluster()).plan(again));
  }

  @Property
  void anotherFileOrderOnlyReordersTies(@ForAll("scenarios") Scenario s, @ForAll Random random) {
    List<Node> shuffled = new ArrayList<>(s.cluster().nodes());
    Collections.shuffle(shuffled, random);
    Scenario other = s.withNodes(shuffled);
    Plan original = plan(s);
    Plan permuted = plan(other);
    Map<String, Integer> rank = ranks(s);
    Map<String, Integer> newIndex = fileIndex(other.cluster());
    assertEquals(original.hops().size(), permuted.hops().size());
    for (int h = 0; h < original.hops().size(); h++) {
      List<String> before = nodesOf(original.hops().get(h));
      List<String> after = nodesOf(permuted.hops().get(h));
      assertEquals(Set.copyOf(before), Set.copyOf(after), "the same nodes in the hop");
      assertEquals(
          before.stream().map(rank::get).toList(),
          after.stream().map(rank::get).toList(),
          "the same ranks in the same places");
      List<String> expected = new ArrayList<>(before);
      expected.sort(Comparator.<String>comparingInt(rank::get).thenComparingInt(newIndex::get));
      assertEquals(expected, after, "ties in the new file order");
    }
  }

  @Property
  void aRollbackGoesInTheReverseOrder(@ForAll("scenarios") Scenario s, @ForAll Random random) {
    Plan upgrade = plan(s);
    Version target = Version.parse(upgrade.target());
    List<String> upgradeOrder = upgrade.nodes().stream().map(NodePath::node).toList();
    Map<String, Version> current = new HashMap<>();
    Map<String, Version> back = new HashMap<>();
    Set<String> midHop = new HashSet<>();
    for (NodePath p : upgrade.nodes()) {
      Version was = Version.parse(p.current());
      current.put(p.node(), p.versions().isEmpty() ? was : target);
      back.put(p.node(), was);
      if (random.nextInt(8) == 0) {
        midHop.add(p.node());
      }
    }
    Plan rollback =
        new Planner(s.cluster())
            .rollback(
                s.request().nodes(),
                current,
                back,
                Map.of(),
                midHop,
                s.request().roleOrder(),
                s.request().maxParallel(),
                Map.of());

    List<String> reversed = new ArrayList<>(upgradeOrder);
    Collections.reverse(reversed);
    List<String> expected = new ArrayList<>(reversed.stream().filter(midHop::contains).toList());
    reversed.stream().filter(n -> !midHop.contains(n)).forEach(expected::add);
    assertEquals(expected, rollback.nodes().stream().map(NodePath::node).toList());
    Version previous = null;
    for (Hop hop : rollback.hops()) {
      Version version = Version.parse(hop.version());
      assertTrue(previous == null || previous.isNewerThan(version), "hops newest first");
      previous = version;
      List<String> going =
          expected.stream()
              .filter(n -> back.get(n).equals(version))
              .filter(n -> !back.get(n).equals(current.get(n)) || midHop.contains(n))
              .toList();
      assertEquals(going, nodesOf(hop), "rollback hop " + hop.version());
      for (Batch batch : hop.batches()) {
        if (batch.nodes().stream().anyMatch(n -> midHop.contains(n.node()))) {
          assertNull(batch.leaderProbe(), "a node left mid-hop is not moved as a leader");
        }
      }
    }
  }

  // --- ramps and zones

  @Provide
  Arbitrary<Scenario> rampScenarios() {
    return ClusterScenarios.rampScenarios(80);
  }

  @Property
  void withRampsAndZonesEveryNodeOfAHopIsInExactlyOneBatch(@ForAll("rampScenarios") Scenario s) {
    Plan plan = plan(s);
    for (Hop hop : plan.hops()) {
      List<String> inHop = nodesOf(hop);
      Set<String> expected = new HashSet<>();
      for (NodePath path : plan.nodes()) {
        if (path.versions().contains(hop.version())) {
          expected.add(path.node());
        }
      }
      assertEquals(expected.size(), inHop.size(), "a node twice in hop " + hop.version());
      assertEquals(expected, new HashSet<>(inHop));
    }
  }

  @Property
  void noBatchOfAByZoneRoleSpansTwoZonesAndZonesGoOneAfterAnother(
      @ForAll("rampScenarios") Scenario s) {
    Plan plan = plan(s);
    Map<String, String> zoneOf = new HashMap<>();
    Map<String, Integer> zoneRank = new HashMap<>();
    for (Node n : s.cluster().nodes()) {
      zoneOf.put(n.name(), n.zone());
      zoneRank.putIfAbsent(n.zone(), zoneRank.size());
    }
    for (Hop hop : plan.hops()) {
      String role = null;
      int lastRank = -1;
      for (Batch batch : hop.batches()) {
        Role placing = batch.role() == null ? null : s.cluster().role(batch.role()).orElse(null);
        boolean zoned = placing != null && placing.byZone();
        for (NodeSteps n : batch.nodes()) {
          assertEquals(zoneOf.get(n.node()), n.zone(), "the node's zone in the plan");
        }
        if (!zoned) {
          assertNull(batch.zone(), "a batch of a role not by zone has no zone");
          role = null;
          continue;
        }
        assertNotNull(batch.zone());
        for (NodeSteps n : batch.nodes()) {
          assertEquals(batch.zone(), n.zone(), "batch " + names(batch) + " spans zones");
        }
        int rank = zoneRank.get(batch.zone());
        if (batch.role().equals(role)) {
          assertTrue(rank >= lastRank, "zone " + batch.zone() + " came back in " + batch.role());
        }
        role = batch.role();
        lastRank = rank;
      }
    }
  }

  @Property
  void batchSizesFollowTheRampUnlessCutShort(@ForAll("rampScenarios") Scenario s) {
    Plan plan = plan(s);
    int cap = s.request().maxParallel();
    for (Hop hop : plan.hops()) {
      List<Batch> batches = hop.batches();
      Map<String, Integer> placed = new HashMap<>();
      for (Batch b : batches) {
        placed.merge(String.valueOf(b.role()), b.nodes().size(), Integer::sum);
      }
      int ramp = 0;
      for (int i = 0; i < batches.size(); i++) {
        Batch batch = batches.get(i);
        if (i > 0 && !java.util.Objects.equals(batches.get(i - 1).role(), batch.role())) {
          ramp = 0;
        }
        Role placing = batch.role() == null ? null : s.cluster().role(batch.role()).orElseThrow();
        int expected =
            Planner.batchSize(placing, ramp, placed.get(String.valueOf(batch.role())), cap);
        int size = batch.nodes().size();
        if (batch.serial()) {
          assertEquals(1, size, "a serial batch holds one node: " + names(batch));
        } else {
          assertTrue(size <= expected, "batch " + names(batch) + " above its size " + expected);
          boolean roleEnds =
              i + 1 == batches.size()
                  || !java.util.Objects.equals(batches.get(i + 1).role(), batch.role());
          boolean cut =
              roleEnds
                  || batches.get(i + 1).serial()
                  || !java.util.Objects.equals(batches.get(i + 1).zone(), batch.zone());
          assertTrue(
              size == expected || cut,
              "batch " + names(batch) + " of " + size + " short of " + expected + " uncut");
        }
        ramp++;
      }
    }
  }

  // --- helpers

  private static Plan plan(Scenario s) {
    return new Planner(s.cluster()).plan(s.request());
  }

  /** Position of each selected node's earliest role in the order in force; none: the size. */
  private static Map<String, Integer> ranks(Scenario s) {
    List<String> order = s.roleOrder();
    return s.selected().stream()
        .collect(
            Collectors.toMap(
                Node::name,
                n ->
                    n.roles().stream()
                        .mapToInt(order::indexOf)
                        .filter(i -> i >= 0)
                        .min()
                        .orElse(order.size())));
  }

  private static Map<String, Integer> fileIndex(Cluster cluster) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < cluster.nodes().size(); i++) {
      index.put(cluster.nodes().get(i).name(), i);
    }
    return index;
  }

  private static List<String> nodesOf(Hop hop) {
    return hop.batches().stream().flatMap(b -> b.nodes().stream()).map(NodeSteps::node).toList();
  }

  private static List<String> names(Batch batch) {
    return batch.nodes().stream().map(NodeSteps::node).toList();
  }

  private static Set<String> names(List<Node> nodes) {
    return nodes.stream().map(Node::name).collect(Collectors.toSet());
  }

  private static List<Integer> numbers(int count) {
    return java.util.stream.IntStream.rangeClosed(1, count).boxed().toList();
  }
}
