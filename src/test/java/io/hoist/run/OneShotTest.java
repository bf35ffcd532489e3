package io.hoist.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.HealthCheck;
import io.hoist.model.Hooks;
import io.hoist.model.Node;
import io.hoist.phase.NodeOutcome;
import io.hoist.phase.PhaseRunner;
import io.hoist.phase.RecordedRun;
import io.hoist.plan.Plan;
import io.hoist.plan.PlanRequest;
import io.hoist.plan.Planner;
import io.hoist.release.Version;
import io.hoist.run.RunResult.State;
import io.hoist.testing.Clusters;
import io.hoist.transport.local.LocalTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One-shot mode with the real phases on four local node directories whose product appends every
 * stop and start, with the node and the release, to one event log. Time is a clock that moves only
 * when the run sleeps (between health-check tries), so the window is exact.
 */
class OneShotTest {

  private static final Duration INTERVAL = Duration.ofSeconds(10);
  private static final Duration WINDOW = Duration.ofSeconds(60);
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4");

  @TempDir Path dir;

  private Path events;
  private LocalTransport core;
  private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
  private final SleepClock clock = new SleepClock();
  private final RecordedRun record = new RecordedRun();

  @BeforeEach
  void nodesOnOneZero() throws IOException {
    events = dir.resolve("events");
    Files.writeString(events, "");
    for (String node : NODES) {
      Path home = dir.resolve(node);
      for (String version : List.of("1.0", "2.0")) {
        Path release = Files.createDirectories(home.resolve("releases").resolve(version));
        Files.writeString(release.resolve("VERSION"), version + "\n");
      }
      Files.createSymbolicLink(home.resolve("current"), home.resolve("releases/1.0"));
      Path acme = Files.createDirectories(home.resolve("bin")).resolve("acme");
      Files.writeString(
          acme,
          String.join(
              "\n",
              "#!/bin/bash",
              "release=$(cat " + home.resolve("current/VERSION") + ")",
              "case \"$1\" in",
              "  health) test ! -f " + home + "/unhealthy-$release ;;",
              "  check) test ! -f " + home + "/check-fails ;;",
              "  start|stop) echo \"" + node + " $1 $release\" >> " + events + " ;;",
              "esac",
              ""));
      Files.setPosixFilePermissions(acme, PosixFilePermissions.fromString("rwx------"));
    }
    core = new LocalTransport(node("core"), dir);
  }

  @AfterEach
  void tearDown() {
    core.close();
  }

  @Test
  void everyNodeStopsBeforeAnyNodeStartsAndAllEndOnTheNewRelease() throws IOException {
    RunResult result = run(cluster());

    assertEquals(0, result.exitCode(), result.toString());
    List<String> lines = Files.readAllLines(events);
    assertEquals(8, lines.size(), lines.toString());
    for (String line : lines.subList(0, 4)) {
      assertTrue(line.endsWith(" stop 1.0"), lines.toString());
    }
    for (String line : lines.subList(4, 8)) {
      assertTrue(line.endsWith(" start 2.0"), lines.toString());
    }
    for (String node : NODES) {
      assertEquals("2.0", current(node));
      assertEquals(State.UPGRADED, result.node(node).orElseThrow().state());
    }
    assertEquals(List.of(), sleeps);
  }

  @Test
  void aNodeNeverHealthyWithinTheWindowRevertsEveryNode() throws IOException {
    Files.writeString(dir.resolve("n3/unhealthy-2.0"), "");

    RunResult result = run(cluster());

    assertEquals(4, result.exitCode(), result.toString());
    for (String node : NODES) {
      assertEquals("1.0", current(node), node);
    }
    RunResult.NodeResult n3 = result.node("n3").orElseThrow();
    assertEquals(State.FAILED_ROLLED_BACK, n3.state());
    String message = n3.outcome().orElseThrow().message();
    assertTrue(message.contains("at the end of the window"), message);
    for (String node : List.of("n1", "n2", "n4")) {
      RunResult.NodeResult other = result.node(node).orElseThrow();
      assertEquals(State.REVERTED, other.state(), node);
      assertEquals(
          "reverted with the cluster: node n3 failed in post-validate",
          other.outcome().map(NodeOutcome::message).orElseThrow());
    }
    // Tried at 0s, 10s, ... 60s after the first stop: the window is 60s, the interval 10s.
    assertEquals(Collections.nCopies(6, INTERVAL), sleeps);
    List<String> lines = Files.readAllLines(events);
    for (String node : NODES) {
      List<String> own =
          lines.stream().filter(l -> l.startsWith(node + " ")).map(l -> l.substring(3)).toList();
      assertEquals(List.of("stop 1.0", "start 2.0", "stop 2.0", "start 1.0"), own, node);
    }
    assertEquals("after\n", Files.readString(dir.resolve("hooks")), "after_cluster ran");
  }

  @Test
  void aFailedCheckStopsBeforeAnyNodeIsDisrupted() throws IOException {
    Files.writeString(dir.resolve("n4/check-fails"), "");

    RunResult result = run(cluster());

    assertEquals(3, result.exitCode(), result.toString());
    assertEquals("", Files.readString(events), "no node was stopped");
    assertEquals(State.FAILED_UNCHANGED, result.node("n4").orElseThrow().state());
    for (String node : List.of("n1", "n2", "n3")) {
      assertEquals(State.NOT_STARTED, result.node(node).orElseThrow().state(), node);
      assertEquals("1.0", current(node));
    }
    assertEquals("after\n", Files.readString(dir.resolve("hooks")), "after_cluster ran");
  }

  @Test
  void onFailureStopLeavesEveryNodeAsItIs() throws IOException {
    Files.writeString(dir.resolve("n2/unhealthy-2.0"), "");

    RunResult result = run(cluster(), false);

    assertEquals(5, result.exitCode(), result.toString());
    for (String node : NODES) {
      assertEquals("2.0", current(node), node);
    }
    assertEquals(State.FAILED_NEEDS_ATTENTION, result.node("n2").orElseThrow().state());
  }

  // --- fixtures

  private RunResult run(Cluster cluster) throws IOException {
    return run(cluster, true);
  }

  private RunResult run(Cluster cluster, boolean rollback) throws IOException {
    UpgradeService.Options options = new UpgradeService.Options(false, false, rollback, 4, WINDOW);
    ClusterRun run =
        new ClusterRun(
            cluster,
            plan(cluster),
            n -> new LocalTransport(n, dir),
            steps -> UpgradeService.phasesFor(steps, options, null),
            new PhaseRunner(record, clock, rollback),
            d -> {
              sleeps.add(d);
              clock.advance(d);
            },
            HookRunner.on(core, Duration.ofSeconds(10)),
            Files.createTempDirectory(dir, "logs"),
            clock,
            WINDOW);
    return run.run();
  }

  private Cluster cluster() {
    Clusters.Builder builder =
        Clusters.cluster("test")
            .commands(
                new Commands(
                    "cat ${home}/current/VERSION",
                    "${home}/bin/acme stop",
                    "${home}/bin/acme start",
                    new HealthCheck("${home}/bin/acme health", 1, INTERVAL),
                    null,
                    null))
            .check("ready", "${home}/bin/acme check");
    for (String name : NODES) {
      builder.nodes(node(name));
    }
    Cluster c = builder.build();
    return new Cluster(
        c.name(),
        c.release(),
        c.commands(),
        c.roleOrder(),
        c.roles(),
        c.checks(),
        c.backup(),
        new Hooks(null, "echo after >> " + dir.resolve("hooks")),
        c.timeouts(),
        c.secrets(),
        c.nodes());
  }

  private Node node(String name) {
    return Clusters.localNode(name, dir.resolve(name));
  }

  private static Plan plan(Cluster cluster) {
    Map<String, Version> current = new HashMap<>();
    cluster.nodes().forEach(n -> current.put(n.name(), Version.parse("1.0")));
    return new Planner(cluster)
        .plan(
            new PlanRequest(
                List.of(),
                current,
                List.of(Version.parse("1.0"), Version.parse("2.0")),
                Optional.of(Version.parse("2.0")),
                List.of(),
                false,
                0,
                Map.of()));
  }

  private String current(String node) throws IOException {
    return Files.readSymbolicLink(dir.resolve(node).resolve("current")).getFileName().toString();
  }

  /** A clock that moves only when the run sleeps. */
  private static final class SleepClock extends Clock {
    private volatile Instant now = Instant.parse("2026-11-21T12:00:00Z");

    synchronized void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
