package io.hoist.run;

import static io.hoist.testing.Clusters.cluster;
import static io.hoist.testing.Clusters.node;
import static io.hoist.testing.Clusters.parallel;
import static io.hoist.testing.Clusters.serial;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.journal.Journal;
import io.hoist.journal.Runs;
import io.hoist.model.Cluster;
import io.hoist.model.PhaseId;
import io.hoist.phase.NodeOutcome;
import io.hoist.phase.Outcome;
import io.hoist.plan.Plan;
import io.hoist.plan.PlanRequest;
import io.hoist.plan.Planner;
import io.hoist.release.Version;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DryRunReportTest {

  @TempDir Path state;

  /** web (2 at a time) then db (serial, with a leader command); acme's commands, health 30 x 2s. */
  private static final Cluster CLUSTER =
      cluster("prod")
          .acmeCommands()
          .roleOrder(List.of("web", "db"))
          .roles(parallel("web", 2), serial("db", "acme-ctl is-leader"))
          .nodes(
              node("web-1", "web"),
              node("web-2", "web"),
              node("web-3", "web"),
              node("db-1", "db"),
              node("db-2", "db"))
          .build();

  private static Plan plan(Cluster cluster) {
    Map<String, Version> current = new HashMap<>();
    cluster.nodes().forEach(n -> current.put(n.name(), Version.parse("1.0.0")));
    return new Planner(cluster)
        .plan(
            new PlanRequest(
                List.of(),
                current,
                List.of(Version.parse("1.0.0"), Version.parse("1.1.0")),
                Optional.empty(),
                List.of(),
                false,
                0,
                Map.of()));
  }

  /** A clock that reads {@code now}, moved by the test. */
  private static final class StepClock extends Clock {
    Instant now = Instant.parse("2026-11-01T10:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /**
   * Writes a real journal of a completed upgrade run of {@code cluster} in which each node was down
   * for the given seconds (stop started to post-validate ended).
   */
  private void earlierRun(String cluster, int exitCode, Map<String, Integer> downSeconds) {
    StepClock clock = new StepClock();
    clock.now = clock.now.plusSeconds(3600L * Runs.list(state).size());
    Path dir = Runs.create(state, clock);
    try (Journal journal = Journal.create(dir, clock)) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("command", "upgrade");
      details.put("cluster", cluster);
      journal.runStarted(dir.getFileName().toString(), details);
      downSeconds.forEach(
          (node, seconds) -> {
            journal.nodeStarted(node, "0.9.0", "1.0.0");
            journal.phaseStarted(node, PhaseId.PRE_VALIDATE);
            journal.phaseEnded(node, PhaseId.PRE_VALIDATE, Outcome.OK, Duration.ZERO, "");
            clock.now = clock.now.plusSeconds(100); // before the stop: not downtime
            journal.phaseStarted(node, PhaseId.STOP);
            clock.now = clock.now.plusSeconds(seconds);
            journal.phaseStarted(node, PhaseId.POST_VALIDATE);
            journal.phaseEnded(node, PhaseId.POST_VALIDATE, Outcome.OK, Duration.ZERO, "");
            clock.now = clock.now.plusSeconds(50); // rejoin: not downtime
            journal.phaseEnded(node, PhaseId.REJOIN, Outcome.OK, Duration.ZERO, "");
            journal.nodeEnded(
                new NodeOutcome(
                    node,
                    NodeOutcome.Status.UPGRADED,
                    Optional.empty(),
                    "",
                    Map.of(),
                    Optional.empty()));
          });
      journal.runEnded(exitCode, false);
    }
  }

  @Test
  void withoutEarlierRunsTheDowntimeIsAnUpperBoundFromTheTimeouts() {
    Plan plan = plan(CLUSTER);

    DryRunReport report = DryRunReport.of(CLUSTER, plan, state);

    DryRunReport.RoleDowntime web = report.roles().get(0);
    assertEquals("web", web.role());
    assertEquals(DryRunReport.Source.TIMEOUTS, web.source());
    // stop 90s + switch 180s + start 300s + health 30 x 2s = 630s; 3 nodes in 2 batches.
    assertEquals(Duration.ofSeconds(630), web.perNode());
    assertEquals(2, web.batches());
    assertEquals(3, web.nodes());
    assertEquals(Duration.ofSeconds(1260), web.total());
    assertEquals(
        "upper bound from timeouts: stop 90s + switch 3m + start 5m + health 30 x 2s", web.basis());
    DryRunReport.RoleDowntime db = report.roles().get(1);
    assertEquals(Duration.ofSeconds(1260), db.total());
  }

  @Test
  void earlierRunsGiveTheMedianPerRoleAndSayHowManyRuns() {
    earlierRun("prod", 0, Map.of("web-1", 10, "web-2", 30, "db-1", 7));
    earlierRun("prod", 0, Map.of("web-1", 20, "web-3", 40, "db-2", 9));
    earlierRun("prod", 0, Map.of("web-2", 25));
    earlierRun("prod", 5, Map.of("web-1", 500)); // failed run: ignored
    earlierRun("other", 0, Map.of("web-1", 900)); // another cluster: ignored

    DryRunReport report = DryRunReport.of(CLUSTER, plan(CLUSTER), state);

    DryRunReport.RoleDowntime web = report.roles().get(0);
    assertEquals(DryRunReport.Source.MEASURED, web.source());
    // 10, 20, 25, 30, 40: the median is 25s.
    assertEquals(Duration.ofSeconds(25), web.perNode());
    assertEquals(Duration.ofSeconds(50), web.total());
    assertEquals(3, web.runs());
    assertEquals(5, web.samples());
    assertTrue(
        web.basis().startsWith("measured over 3 earlier runs (5 node upgrades)"), web.basis());
    DryRunReport.RoleDowntime db = report.roles().get(1);
    // 7 and 9: the median of an even count is the mean of the middle two.
    assertEquals(Duration.ofSeconds(8), db.perNode());
    assertEquals(2, db.runs());
    assertTrue(
        report.unverified().stream()
            .anyMatch(u -> u.kind().equals("measured-on-earlier-releases")));
  }

  @Test
  void aRoleWithoutMeasurementsFallsBackToTheTimeoutsWhileAnotherIsMeasured() {
    earlierRun("prod", 0, Map.of("db-1", 12));

    DryRunReport report = DryRunReport.of(CLUSTER, plan(CLUSTER), state);

    assertEquals(DryRunReport.Source.TIMEOUTS, report.roles().get(0).source());
    assertEquals(DryRunReport.Source.MEASURED, report.roles().get(1).source());
    assertEquals(Duration.ofSeconds(12), report.roles().get(1).perNode());
  }

  @Test
  void impactNamesTheStopCommandOfEachNode() {
    DryRunReport report = DryRunReport.of(CLUSTER, plan(CLUSTER), state);

    assertEquals(5, report.nodes().size());
    DryRunReport.NodeImpact first = report.nodes().get(0);
    assertEquals("web-1", first.node());
    assertEquals("web", first.role());
    assertEquals(List.of("systemctl stop acme"), first.stops());
    assertEquals(List.of(), first.retire());
  }

  @Test
  void theUnverifiedListHoldsOnlyWhatApplies() {
    List<String> kinds =
        DryRunReport.of(CLUSTER, plan(CLUSTER), state).unverified().stream()
            .map(DryRunReport.Unverified::kind)
            .toList();

    assertEquals(
        List.of(
            "health-after-switch",
            "leader-at-run-time",
            "migrate-not-run",
            "release-not-fetched",
            "state-can-change"),
        kinds);

    Cluster bare = cluster("bare").roleOrder(List.of("web")).nodes(node("a", "web")).build();
    List<String> bareKinds =
        DryRunReport.of(bare, plan(bare), state).unverified().stream()
            .map(DryRunReport.Unverified::kind)
            .toList();
    assertFalse(bareKinds.contains("leader-at-run-time"));
    assertFalse(bareKinds.contains("health-after-switch"));
    assertFalse(bareKinds.contains("migrate-not-run"));
  }

  @Test
  void aDamagedJournalIsLeftOutAndTheOthersStillCount() throws java.io.IOException {
    earlierRun("prod", 0, Map.of("web-1", 10));
    StepClock clock = new StepClock();
    clock.now = clock.now.plusSeconds(86_400);
    Path damaged = Runs.create(state, clock);
    java.nio.file.Files.writeString(
        damaged.resolve(Journal.FILE), "not json\n{\"event\":\"run-ended\"}\n");

    DryRunReport report = DryRunReport.of(CLUSTER, plan(CLUSTER), state);

    assertEquals(DryRunReport.Source.MEASURED, report.roles().get(0).source());
    assertEquals(1, report.roles().get(0).runs());
  }

  @Test
  void aRunInterruptedBeforeItEndedIsNotMeasured() {
    StepClock clock = new StepClock();
    Path dir = Runs.create(state, clock);
    try (Journal journal = Journal.create(dir, clock)) {
      journal.runStarted(
          dir.getFileName().toString(), Map.of("command", "upgrade", "cluster", "prod"));
      journal.phaseStarted("web-1", PhaseId.STOP);
      clock.now = clock.now.plusSeconds(5);
      journal.phaseEnded("web-1", PhaseId.POST_VALIDATE, Outcome.OK, Duration.ZERO, "");
    }

    DryRunReport report = DryRunReport.of(CLUSTER, plan(CLUSTER), state);

    assertEquals(DryRunReport.Source.TIMEOUTS, report.roles().get(0).source());
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(
        Duration.ofSeconds(3),
        DryRunReport.median(
            List.of(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(3))));
    assertEquals(
        Duration.ofMillis(2500),
        DryRunReport.median(List.of(Duration.ofSeconds(2), Duration.ofSeconds(3))));
  }
}
