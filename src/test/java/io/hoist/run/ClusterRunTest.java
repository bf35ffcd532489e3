package io.hoist.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.NodeMarker;
import io.hoist.command.ShellCommand;
import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.Hooks;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.PhaseId;
import io.hoist.model.Role;
import io.hoist.model.SshSettings;
import io.hoist.model.TransportKind;
import io.hoist.phase.NodeOutcome;
import io.hoist.phase.Outcome;
import io.hoist.phase.Phase;
import io.hoist.phase.PhaseContext;
import io.hoist.phase.PhaseFailure;
import io.hoist.phase.PhaseRunner;
import io.hoist.phase.RecordedRun;
import io.hoist.phase.RunRecord;
import io.hoist.plan.Plan;
import io.hoist.plan.PlanRequest;
import io.hoist.plan.Planner;
import io.hoist.release.Version;
import io.hoist.run.RunResult.State;
import io.hoist.testing.Clusters;
import io.hoist.testing.ForwardingTransport;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import io.hoist.transport.local.LocalTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestration with fake phases (each appends "node:phase" to an order file) and real local
 * transports for leader probes and hooks.
 */
class ClusterRunTest {

  private static final Duration SETTLE = Duration.ofSeconds(5);

  @TempDir Path dir;

  private Path order;
  private Path logs;
  private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
  private final Map<String, Integer> maxRunning = new ConcurrentHashMap<>();
  private final Set<String> failOn = ConcurrentHashMap.newKeySet();
  private final Set<String> undoFailsOn = ConcurrentHashMap.newKeySet();
  private final Set<String> interruptOn = ConcurrentHashMap.newKeySet();
  private final Set<String> alreadyThere = ConcurrentHashMap.newKeySet();

  /** Nodes whose end the record cannot write ({@link #runMarked}). */
  private final Set<String> failToRecordEndOf = ConcurrentHashMap.newKeySet();

  private volatile Thread runThread;
  private LocalTransport core;

  @BeforeEach
  void setUp() throws IOException {
    order = dir.resolve("order");
    Files.writeString(order, "");
    logs = Files.createDirectories(dir.resolve("logs"));
    core = new LocalTransport(node("core"), dir);
  }

  @AfterEach
  void tearDown() {
    core.close();
    Thread.interrupted();
  }

  @Test
  void planOrderIsFollowedAndTheLeaderGoesLastAfterItsProbe() throws IOException {
    Cluster cluster = cluster(hooks());
    Files.writeString(home("p1").resolve("leader"), "");

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"));

    assertEquals(0, result.exitCode(), result.toString());
    List<String> lines = lines();
    // web nodes (2 at a time: w1 and w2 together, in either order) first, then primaries with p1
    // (the leader) last.
    List<String> seen = firstSeen(lines);
    assertEquals(Set.of("w1", "w2"), Set.copyOf(seen.subList(0, 2)), seen.toString());
    // The three members are probed at once (in any order), before any of them is touched.
    assertEquals("w3", seen.get(2), seen.toString());
    assertEquals(
        Set.of("probe:p1", "probe:p2", "probe:p3"),
        Set.copyOf(seen.subList(3, 6)),
        seen.toString());
    assertEquals(List.of("p2", "p3", "p1"), seen.subList(6, seen.size()));
    assertEquals(List.of(SETTLE, SETTLE), sleeps);
    assertEquals(1, maxRunning.get("primary"));
    assertEquals(2, maxRunning.get("web"));
    assertEquals(List.of(), result.warnings());
    assertTrue(result.nodes().stream().allMatch(n -> n.state() == State.UPGRADED));
    assertEquals(
        List.of("before_cluster", "after_cluster"),
        result.hooks().stream().map(h -> h.hook()).toList());
    assertEquals("before\nafter\n", Files.readString(dir.resolve("hooks")));
  }

  @Test
  void twoSerialRolesPlacedByOneRoleEachPutTheirLeaderLast() throws IOException {
    // Found by LeaderOrderPropertiesTest: once quorum a's leader x moved last, y (quorum b's first
    // member) took its place and ran unprobed, so b's leader y went first.
    String probe = "echo probe:${node} >> " + order + "; test -f leader";
    Cluster c =
        Clusters.cluster("two-quorums")
            .roleOrder(List.of("web"))
            .roles(
                Clusters.parallel("web", 4),
                new Role("a", true, 1, SETTLE, probe, null, null, Commands.none()),
                new Role("b", true, 1, SETTLE, probe, null, null, Commands.none()))
            .nodes(
                node("x", "web", "a"),
                node("y", "web", "b"),
                node("z", "web", "a"),
                node("w", "web", "b"))
            .build();
    Files.writeString(home("x").resolve("leader"), "");
    Files.writeString(home("y").resolve("leader"), "");

    RunResult result = run(c, plan(c, "2.0", "1.0"));

    assertEquals(0, result.exitCode(), result.toString());
    assertEquals(List.of("z", "x", "w", "y"), firstSeen(nodeLines()));
    assertEquals(List.of(), result.warnings());
  }

  @Test
  void noLeaderKeepsPlanOrderWithAWarning() {
    Cluster cluster = cluster(hooks());

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"));

    assertEquals(0, result.exitCode());
    assertEquals(List.of("p1", "p2", "p3"), firstSeen(nodeLines()).subList(3, 6));
    assertEquals(1, result.warnings().size(), result.warnings().toString());
  }

  @Test
  void aRolledBackFailureStopsTheRunAndLaterNodesAreNotStarted() throws IOException {
    Cluster cluster = cluster(hooks());
    failOn.add("w3");

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"));

    assertEquals(State.FAILED_ROLLED_BACK, result.node("w3").orElseThrow().state());
    for (String p : List.of("p1", "p2", "p3")) {
      assertEquals(State.NOT_STARTED, result.node(p).orElseThrow().state());
    }
    assertFalse(lines().stream().anyMatch(l -> l.startsWith("p") || l.startsWith("probe")));
    assertEquals(5, result.exitCode(), "nodes were left out");
    assertEquals("before\nafter\n", Files.readString(dir.resolve("hooks")));
  }

  @Test
  void aNodeItsVersionCheckFindsAtTheTargetIsNotTouched() throws IOException {
    // Upgraded by someone else between the plan and its batch: the run's phases are wrapped
    // (Stoppable), and the wrapper once dropped "done for the node", so the node went on through
    // every phase.
    Cluster cluster = cluster(hooks());
    alreadyThere.add("w2");

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"));

    assertEquals(State.ALREADY_AT_TARGET, result.node("w2").orElseThrow().state());
    assertEquals(List.of(), lines().stream().filter(l -> l.startsWith("w2:")).toList());
    assertEquals(State.UPGRADED, result.node("w3").orElseThrow().state());
  }

  @Test
  void aRolledBackFailureOnTheLastNodeExitsFour() throws IOException {
    Cluster cluster = cluster(hooks());
    Files.writeString(home("p1").resolve("leader"), "");
    failOn.add("p1");

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"));

    assertEquals(State.FAILED_ROLLED_BACK, result.node("p1").orElseThrow().state());
    assertEquals(4, result.exitCode());
  }

  @Test
  void aFailedUndoNeedsAttention() {
    Cluster cluster = cluster(hooks());
    failOn.add("w1");
    undoFailsOn.add("w1");

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"));

    assertEquals(State.FAILED_NEEDS_ATTENTION, result.node("w1").orElseThrow().state());
    assertEquals(5, result.exitCode());
  }

  @Test
  void aFailedBeforeClusterTouchesNothingAndAfterClusterStillRuns() throws IOException {
    Cluster cluster =
        cluster(new Hooks("echo before >> " + dir.resolve("hooks") + "; exit 3", afterHook()));

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"));

    assertEquals(List.of(), lines());
    assertTrue(result.beforeClusterFailed());
    assertEquals(3, result.exitCode());
    assertTrue(result.nodes().stream().allMatch(n -> n.state() == State.NOT_STARTED));
    assertEquals("before\nafter\n", Files.readString(dir.resolve("hooks")));
    assertTrue(result.hook("after_cluster").orElseThrow().success());
  }

  @Test
  void interruptionFinishesTheCurrentPhaseThenRunsAfterCluster() throws IOException {
    Cluster cluster = cluster(hooks());
    interruptOn.add("w1");

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"));

    assertTrue(Thread.interrupted(), "the interrupt flag is set again");
    assertTrue(result.interrupted());
    assertEquals(130, result.exitCode());
    // w1 finishes install, then stops before start (w2 stops before its next phase); w3 never
    // starts.
    List<String> lines = lines();
    assertTrue(lines.contains("w1:install"), lines.toString());
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("w3") || l.startsWith("p")));
    assertFalse(lines.stream().anyMatch(l -> l.endsWith(":start")), lines.toString());
    // The failure policy is rollback: the touched node is rolled back.
    assertEquals(State.REVERTED, result.node("w1").orElseThrow().state());
    assertEquals(State.NOT_STARTED, result.node("w3").orElseThrow().state());
    assertEquals("before\nafter\n", Files.readString(dir.resolve("hooks")));
  }

  @Test
  void withOnFailureStopAnInterruptedNodeIsLeftWhereItIsForAResume() {
    Cluster cluster = cluster(hooks());
    interruptOn.add("w1");

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"), false);

    assertTrue(Thread.interrupted(), "the interrupt flag is set again");
    assertEquals(130, result.exitCode());
    assertEquals(State.INTERRUPTED, result.node("w1").orElseThrow().state());
  }

  @Test
  void aTwoHopPlanFinishesTheFirstHopEverywhereFirst() {
    Cluster cluster = cluster(hooks());

    RunResult result = run(cluster, plan(cluster, "3.0", "1.0"));

    assertEquals(0, result.exitCode(), result.toString());
    List<String> lines = nodeLines();
    int lastOfHop1 = lines.lastIndexOf("p3:install@2.0");
    int firstOfHop2 = lines.indexOf("w1:install@3.0");
    assertTrue(lastOfHop1 >= 0 && lastOfHop1 < firstOfHop2, lines.toString());
    assertEquals(12, lines.stream().filter(l -> l.contains(":install@")).count());
    assertEquals("3.0", result.node("p2").orElseThrow().reached());
  }

  // --- failure budgets

  @Test
  void aBudgetOfOneSkipsTheFirstFailureAndTheSecondStopsTheRun() throws IOException {
    Cluster cluster = cluster(hooks());
    failOn.add("w1");
    failOn.add("w3");

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"), budget(1));

    assertEquals(State.SKIPPED, result.node("w1").orElseThrow().state());
    assertEquals(State.UPGRADED, result.node("w2").orElseThrow().state());
    assertEquals(State.FAILED_ROLLED_BACK, result.node("w3").orElseThrow().state());
    for (String p : List.of("p1", "p2", "p3")) {
      assertEquals(State.NOT_STARTED, result.node(p).orElseThrow().state());
    }
    assertEquals(Optional.of(new RunResult.Budget(1, 2)), result.budget());
    assertEquals(List.of("w1"), result.skipped().stream().map(n -> n.node()).toList());
    assertEquals(5, result.exitCode());
    assertEquals("before\nafter\n", Files.readString(dir.resolve("hooks")));
  }

  @Test
  void aBudgetOfTwoGoesPastBothFailuresAndExitsFive() {
    Cluster cluster = cluster(hooks());
    failOn.add("w1");
    failOn.add("w3");

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"), budget(2));

    assertEquals(State.SKIPPED, result.node("w1").orElseThrow().state());
    assertEquals(State.SKIPPED, result.node("w3").orElseThrow().state());
    for (String n : List.of("w2", "p1", "p2", "p3")) {
      assertEquals(State.UPGRADED, result.node(n).orElseThrow().state(), n);
    }
    assertEquals(Optional.of(new RunResult.Budget(2, 2)), result.budget());
    assertEquals(5, result.exitCode(), "skipped nodes are never a clean run");
    // The failed node's phases were undone: it was rolled back before being skipped.
    assertTrue(result.node("w1").orElseThrow().outcome().orElseThrow().failedPhase().isPresent());
  }

  @Test
  void aBudgetOfZeroStopsAtTheFirstFailure() {
    Cluster cluster = cluster(hooks());
    failOn.add("w1");

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"), budget(0));

    assertEquals(State.FAILED_ROLLED_BACK, result.node("w1").orElseThrow().state());
    assertEquals(State.NOT_STARTED, result.node("w3").orElseThrow().state());
    assertEquals(Optional.of(new RunResult.Budget(0, 1)), result.budget());
  }

  @Test
  void aFailureInASerialRoleStopsTheRunWhateverTheBudget() {
    Cluster cluster = cluster(hooks());
    failOn.add("p2");

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"), budget(5));

    assertEquals(State.UPGRADED, result.node("p1").orElseThrow().state());
    assertEquals(State.FAILED_ROLLED_BACK, result.node("p2").orElseThrow().state());
    assertEquals(State.NOT_STARTED, result.node("p3").orElseThrow().state());
    assertEquals(List.of(), result.skipped());
    assertFalse(nodeLines().stream().anyMatch(l -> l.startsWith("p3:")), nodeLines().toString());
    assertEquals(5, result.exitCode());
  }

  @Test
  void aNodeWhoseRollbackFailedIsNeverSkippedPast() {
    Cluster cluster = cluster(hooks());
    failOn.add("w1");
    undoFailsOn.add("w1");

    RunResult result = run(cluster, plan(cluster, "2.0", "1.0"), budget(5));

    assertEquals(State.FAILED_NEEDS_ATTENTION, result.node("w1").orElseThrow().state());
    assertEquals(State.NOT_STARTED, result.node("w3").orElseThrow().state());
    assertEquals(List.of(), result.skipped());
  }

  @Test
  void aSkippedNodeIsNotTakenToLaterHops() {
    Cluster cluster = cluster(hooks());
    failOn.add("w1");

    RunResult result = run(cluster, plan(cluster, "3.0", "1.0"), budget(1));

    assertEquals(State.SKIPPED, result.node("w1").orElseThrow().state());
    assertEquals("1.0", result.node("w1").orElseThrow().reached());
    List<String> lines = nodeLines();
    assertFalse(
        lines.stream().anyMatch(l -> l.startsWith("w1:") && l.endsWith("@3.0")), "" + lines);
    assertTrue(lines.contains("w2:install@3.0"), lines.toString());
    assertEquals("3.0", result.node("p3").orElseThrow().reached());
    assertEquals(5, result.exitCode());
  }

  @Test
  void nodesSkippedByAnEarlierRunAreNotStartedAndCountAgainstTheBudget() {
    Cluster cluster = cluster(hooks());
    failOn.add("w3");
    NodeOutcome earlier =
        new NodeOutcome(
            "w2",
            NodeOutcome.Status.FAILED_ROLLED_BACK,
            Optional.of(PhaseId.START),
            "skipped by run R1: node w2 failed",
            Map.of(),
            Optional.empty());

    RunResult result =
        run(
            cluster,
            plan(cluster, "2.0", "1.0"),
            new ClusterRun.Limits(Optional.of(1), Map.of("w2", earlier), null));

    assertFalse(nodeLines().stream().anyMatch(l -> l.startsWith("w2:")), nodeLines().toString());
    assertEquals(State.SKIPPED, result.node("w2").orElseThrow().state());
    // 1 carried + w3 = 2 > 1: w3 stops the run.
    assertEquals(State.FAILED_ROLLED_BACK, result.node("w3").orElseThrow().state());
    assertEquals(State.NOT_STARTED, result.node("p1").orElseThrow().state());
    assertEquals(Optional.of(new RunResult.Budget(1, 2)), result.budget());
  }

  @Test
  void percentagesAreOfTheNodesRoundedDown() {
    assertEquals(0, FailureBudget.parse("10%").allowed(9));
    assertEquals(1, FailureBudget.parse("10%").allowed(10));
    assertEquals(1, FailureBudget.parse("10%").allowed(19));
    assertEquals(3, FailureBudget.parse("50%").allowed(7));
    assertEquals(6, FailureBudget.parse("100%").allowed(6));
    assertEquals(0, FailureBudget.parse("0").allowed(6));
    assertEquals(4, FailureBudget.parse(" 4 ").allowed(2));
    for (String bad : List.of("", "-1", "1.5", "101%", "x", "10 %", "%")) {
      org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> FailureBudget.parse(bad), bad);
    }
  }

  // --- maintenance windows

  @Test
  void noNodeStartsOnceTheWindowClosedAndTheBatchInFlightFinishes() throws IOException {
    Cluster cluster = cluster(hooks());
    Instant start = Instant.parse("2026-11-22T04:00:00Z");
    clock.set(start);
    // While w2 (first batch: w1, w2) starts, the window closes.
    atStart.put("w2", () -> clock.set(start.plus(Duration.ofMinutes(31))));

    RunResult result =
        run(
            cluster,
            plan(cluster, "2.0", "1.0"),
            new ClusterRun.Limits(Optional.empty(), Map.of(), start.plus(Duration.ofMinutes(30))));

    assertFalse(Thread.interrupted(), "a closed window is not an interrupt of the thread");
    assertEquals(State.UPGRADED, result.node("w1").orElseThrow().state());
    assertEquals(State.UPGRADED, result.node("w2").orElseThrow().state());
    for (String n : List.of("w3", "p1", "p2", "p3")) {
      assertEquals(State.NOT_STARTED, result.node(n).orElseThrow().state(), n);
    }
    assertTrue(result.interrupted());
    assertEquals(Optional.of(start.plus(Duration.ofMinutes(30))), result.windowClosed());
    assertEquals(130, result.exitCode());
    assertEquals("before\nafter\n", Files.readString(dir.resolve("hooks")));
  }

  @Test
  void aSettleWaitThatWouldEndAfterTheWindowIsNotWaited() {
    Cluster cluster = cluster(hooks());
    Instant start = Instant.parse("2026-11-22T04:00:00Z");
    clock.set(start);

    // SETTLE is 5 s: after p1 the window (3 s away on a clock that stands still) cannot hold it.
    RunResult result =
        run(
            cluster,
            plan(cluster, "2.0", "1.0"),
            new ClusterRun.Limits(Optional.empty(), Map.of(), start.plusSeconds(3)));

    assertEquals(List.of(), sleeps);
    assertEquals(State.UPGRADED, result.node("p1").orElseThrow().state());
    assertEquals(State.NOT_STARTED, result.node("p2").orElseThrow().state());
    assertEquals(130, result.exitCode());
  }

  @Test
  void aWindowThatHoldsChangesNothing() {
    Cluster cluster = cluster(hooks());
    Instant start = Instant.parse("2026-11-22T04:00:00Z");
    clock.set(start);

    RunResult result =
        run(
            cluster,
            plan(cluster, "2.0", "1.0"),
            new ClusterRun.Limits(Optional.empty(), Map.of(), start.plusSeconds(6)));

    assertEquals(0, result.exitCode(), result.toString());
    assertEquals(Optional.empty(), result.windowClosed());
    assertEquals(List.of(SETTLE, SETTLE), sleeps);
  }

  // --- fixtures

  private static ClusterRun.Limits budget(int max) {
    return new ClusterRun.Limits(Optional.of(max), Map.of(), null);
  }

  @Test
  void theNextBatchStartsWhileTheLastOneRemovesItsMarkersAndTheRunWaitsForThem()
      throws IOException {
    Cluster cluster = cluster(markedHooks());
    // w1 and w2 (the first batch) hold their marker's removal until w3 (the next batch) has
    // started; were the next batch waiting for it, they would wait out the 10 s and say so.
    Map<String, Boolean> sawNextBatch = new ConcurrentHashMap<>();

    RunResult result =
        runMarked(
            cluster,
            node -> {
              if (node.equals("w1") || node.equals("w2")) {
                sawNextBatch.put(node, waitFor(() -> nodeLines().contains("w3:install@3.0")));
              }
            });

    assertEquals(0, result.exitCode(), result.toString());
    assertEquals(Map.of("w1", true, "w2", true), sawNextBatch);
    List<String> lines = nodeLines();
    assertUnmarkedThenEnded(lines, "w1", "w2", "w3", "p1", "p2", "p3");
    assertTrue(lines.indexOf("w3:install@3.0") < lines.indexOf("w1:ended"), lines.toString());
    assertEquals("before\nafter\n", Files.readString(dir.resolve("hooks")));
    assertTrue(result.nodes().stream().allMatch(n -> n.state() == State.UPGRADED));
  }

  @Test
  void anInterruptDuringAMarkerRemovalStillWaitsForEveryRemovalBeforeAfterCluster()
      throws IOException {
    Cluster cluster = cluster(markedHooks());

    RunResult result =
        runMarked(
            cluster,
            node -> {
              if (node.equals("w1")) {
                runThread.interrupt();
              }
            });

    assertTrue(Thread.interrupted(), "the interrupt flag is set again");
    assertTrue(result.interrupted(), result.toString());
    // The first batch ended upgraded; no node after the interrupt ran a phase it had not started.
    assertEquals(State.UPGRADED, result.node("w1").orElseThrow().state());
    assertEquals(State.UPGRADED, result.node("w2").orElseThrow().state());
    assertTrue(
        result.nodes().stream()
            .noneMatch(n -> n.node().startsWith("p") && n.state() != State.NOT_STARTED),
        result.toString());
    List<String> lines = nodeLines();
    // Every node that wrote a marker removed it and recorded its end before after_cluster ran.
    assertUnmarkedThenEnded(lines, "w1", "w2");
    assertFalse(Files.exists(home("w3").resolve(NodeMarker.RELATIVE_PATH)), lines.toString());
    assertEquals("before\nafter\n", Files.readString(dir.resolve("hooks")));
  }

  @Test
  void aNodeEndThatCannotBeRecordedStopsTheRunBeforeAnotherBatchStarts() {
    Cluster cluster = cluster(markedHooks());
    failToRecordEndOf.add("w1");

    IllegalStateException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, () -> runMarked(cluster, node -> {}));

    assertEquals("cannot record the end of w1", e.getMessage());
    // w3's batch may have started while w1 was recording; the primaries' batches never did.
    List<String> lines = nodeLines();
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("p")), lines.toString());
  }

  /** Each node removed its marker, then recorded its end, both before after_cluster ran. */
  private void assertUnmarkedThenEnded(List<String> lines, String... nodes) {
    int after = lines.indexOf("after_cluster");
    assertTrue(after >= 0, lines.toString());
    for (String node : nodes) {
      int unmarked = lines.indexOf(node + ":unmarked");
      int ended = lines.indexOf(node + ":ended");
      assertTrue(0 <= unmarked && unmarked < ended && ended < after, node + " " + lines);
      assertFalse(Files.exists(home(node).resolve(NodeMarker.RELATIVE_PATH)), node);
    }
  }

  /** {@link #hooks()}, with after_cluster also noted in the order file. */
  private Hooks markedHooks() {
    return new Hooks(hooks().beforeCluster(), afterHook() + "; echo after_cluster >> " + order);
  }

  /**
   * Runs 3.0 over 2.0 with a node marker; {@code beforeRemoval} is called (with the node's name) as
   * a node's marker removal starts. Appends "node:unmarked" after each removal and "node:ended" as
   * each node's end is recorded.
   */
  private RunResult runMarked(Cluster cluster, java.util.function.Consumer<String> beforeRemoval) {
    NodeMarker marker = new NodeMarker("run-1", "core", "2026-11-22T10:00:00Z", "upgrade");
    io.hoist.transport.TransportFactory transports =
        n ->
            new ForwardingTransport(new LocalTransport(n, dir)) {
              @Override
              public ExecResult exec(ShellCommand command, Duration timeout, OutputSink sink) {
                boolean removal =
                    command.script().equals(marker.removeCommand(n.layout().home()).script());
                if (removal) {
                  beforeRemoval.accept(n.name());
                }
                ExecResult result = delegate.exec(command, timeout, sink);
                if (removal) {
                  append(n.name() + ":unmarked");
                }
                return result;
              }
            };
    RunRecord ends =
        new RunRecord() {
          @Override
          public void phaseStarted(String node, PhaseId phase) {}

          @Override
          public void phaseEnded(
              String node, PhaseId phase, Outcome outcome, Duration duration, String message) {}

          @Override
          public void undoStarted(String node, PhaseId phase) {}

          @Override
          public void undoEnded(
              String node, PhaseId phase, Outcome outcome, Duration duration, String message) {}

          @Override
          public void nodeEnded(NodeOutcome outcome) {
            if (failToRecordEndOf.contains(outcome.node())) {
              throw new IllegalStateException("cannot record the end of " + outcome.node());
            }
            append(outcome.node() + ":ended");
          }
        };
    return run(
        cluster,
        plan(cluster, "3.0", "2.0"),
        transports,
        new PhaseRunner(RunRecord.both(new RecordedRun(), ends), Clock.systemUTC(), true, marker),
        ClusterRun.Limits.NONE,
        Clock.systemUTC());
  }

  /** Whether {@code condition} held within 10 s (looked at every 10 ms). */
  private static boolean waitFor(java.util.function.BooleanSupplier condition) {
    for (int i = 0; i < 1000; i++) {
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** A clock the test sets; its zone is UTC. */
  private static final class SetClock extends Clock {
    private volatile Instant now = Instant.parse("2026-11-22T00:00:00Z");

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final SetClock clock = new SetClock();

  /** Runs when a node's start phase runs (before its sleep). */
  private final Map<String, Runnable> atStart = new ConcurrentHashMap<>();

  private RunResult run(Cluster cluster, Plan plan) {
    return run(cluster, plan, true);
  }

  private RunResult run(Cluster cluster, Plan plan, boolean rollback) {
    return run(cluster, plan, rollback, ClusterRun.Limits.NONE, Clock.systemUTC());
  }

  private RunResult run(Cluster cluster, Plan plan, ClusterRun.Limits limits) {
    return run(cluster, plan, true, limits, clock);
  }

  private RunResult run(
      Cluster cluster, Plan plan, boolean rollback, ClusterRun.Limits limits, Clock runClock) {
    return run(
        cluster,
        plan,
        n -> new LocalTransport(n, dir),
        new PhaseRunner(new RecordedRun(), runClock, rollback),
        limits,
        runClock);
  }

  /** Runs {@code plan}: a version check, then a fake install and start on each node. */
  private RunResult run(
      Cluster cluster,
      Plan plan,
      io.hoist.transport.TransportFactory transports,
      PhaseRunner runner,
      ClusterRun.Limits limits,
      Clock runClock) {
    runThread = Thread.currentThread();
    return new ClusterRun(
            cluster,
            plan,
            transports,
            steps -> List.of(new AtTarget(), new Fake(PhaseId.INSTALL), new Fake(PhaseId.START)),
            runner,
            sleeps::add,
            HookRunner.on(core, Duration.ofSeconds(10)),
            logs,
            runClock,
            null,
            limits)
        .run();
  }

  private Hooks hooks() {
    return new Hooks("echo before >> " + dir.resolve("hooks"), afterHook());
  }

  private String afterHook() {
    return "echo after >> " + dir.resolve("hooks");
  }

  private Cluster cluster(Hooks hooks) {
    Role web = Clusters.parallel("web", 2);
    Role primary =
        new Role(
            "primary",
            true,
            1,
            SETTLE,
            "echo probe:${node} >> " + order + "; test -f leader",
            null,
            null,
            Commands.none());
    Cluster c =
        Clusters.cluster("test")
            .roleOrder(List.of("web", "primary"))
            .roles(web, primary)
            .path("3.0", ">=2.0")
            .nodes(
                node("w1", "web"),
                node("p1", "primary"),
                node("w2", "web"),
                node("p2", "primary"),
                node("w3", "web"),
                node("p3", "primary"))
            .build();
    return new Cluster(
        c.name(),
        c.release(),
        c.commands(),
        c.roleOrder(),
        c.roles(),
        c.checks(),
        c.backup(),
        hooks,
        c.timeouts(),
        c.secrets(),
        c.nodes());
  }

  private Node node(String name, String... roles) {
    Path home = dir.resolve(name);
    try {
      Files.createDirectories(home);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new Node(
        name,
        TransportKind.LOCAL,
        null,
        List.of(roles),
        SshSettings.defaults(),
        new Layout(home.toString(), 0),
        Commands.none());
  }

  private Path home(String node) {
    return dir.resolve(node);
  }

  private static Plan plan(Cluster cluster, String target, String from) {
    Map<String, Version> current = new HashMap<>();
    cluster.nodes().forEach(n -> current.put(n.name(), Version.parse(from)));
    return new Planner(cluster)
        .plan(
            new PlanRequest(
                List.of(),
                current,
                List.of(Version.parse("1.0"), Version.parse("2.0"), Version.parse("3.0")),
                Optional.of(Version.parse(target)),
                List.of(),
                false,
                0,
                Map.of()));
  }

  private List<String> lines() throws IOException {
    return Files.readAllLines(order, StandardCharsets.UTF_8).stream()
        .map(l -> l.replaceAll("@.*", ""))
        .toList();
  }

  private List<String> nodeLines() {
    try {
      return Files.readAllLines(order, StandardCharsets.UTF_8).stream()
          .filter(l -> !l.startsWith("probe:"))
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Each node (or probe) in order of its first line. */
  private static List<String> firstSeen(List<String> lines) {
    return lines.stream()
        .map(l -> l.startsWith("probe:") ? l : l.substring(0, l.indexOf(':')))
        .distinct()
        .collect(Collectors.toList());
  }

  private synchronized void append(String line) {
    try {
      Files.writeString(order, line + "\n", StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A version check: done, for the whole node, on the nodes in {@link #alreadyThere}. */
  private final class AtTarget implements Phase {
    @Override
    public PhaseId id() {
      return PhaseId.VERSION_CHECK;
    }

    @Override
    public boolean isDone(PhaseContext context) {
      return alreadyThere.contains(context.node().name());
    }

    @Override
    public boolean isDoneForTheNode() {
      return true;
    }

    @Override
    public void run(PhaseContext context) {}
  }

  /** Appends "node:phase@version" and tracks how many nodes of each role run at once. */
  private final class Fake implements Phase {
    private final PhaseId id;

    Fake(PhaseId id) {
      this.id = id;
    }

    @Override
    public PhaseId id() {
      return id;
    }

    @Override
    public boolean isDone(PhaseContext context) {
      return false;
    }

    @Override
    public void run(PhaseContext context) {
      String node = context.node().name();
      String role = context.node().roles().get(0);
      int now = running.computeIfAbsent(role, r -> new AtomicInteger()).incrementAndGet();
      maxRunning.merge(role, now, Math::max);
      try {
        append(node + ":" + id.id() + "@" + context.steps().to());
        if (id == PhaseId.START && atStart.containsKey(node)) {
          atStart.get(node).run();
        }
        if (interruptOn.contains(node)) {
          runThread.interrupt();
        }
        try {
          Thread.sleep(150);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("a running phase was interrupted", e);
        }
        if (failOn.contains(node) && id == PhaseId.START) {
          throw new PhaseFailure(id, "node " + node + " failed");
        }
      } finally {
        running.get(role).decrementAndGet();
      }
    }

    @Override
    public boolean hasUndo(PhaseContext context) {
      return true;
    }

    @Override
    public void undo(PhaseContext context) {
      if (undoFailsOn.contains(context.node().name())) {
        throw new PhaseFailure(id, "undo failed");
      }
    }
  }
}
