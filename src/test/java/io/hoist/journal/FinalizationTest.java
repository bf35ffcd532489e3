package io.hoist.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.model.PhaseId;
import io.hoist.phase.NodeOutcome;
import io.hoist.phase.Outcome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where an upgrade stands with its finalize commands, replayed from real journals. */
class FinalizationTest {

  private static final Clock UPGRADE =
      Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
  private static final Clock LATER =
      Clock.fixed(Instant.parse("2026-11-21T13:00:00Z"), ZoneOffset.UTC);
  private static final Clock LATEST =
      Clock.fixed(Instant.parse("2026-11-21T14:00:00Z"), ZoneOffset.UTC);

  @TempDir Path state;

  @Test
  void anUpgradeWithoutFinalizeCommandsHasNothingPending() {
    RunState upgrade = upgrade(false);
    Finalization f = Finalization.of(state, upgrade);
    assertFalse(f.finalized());
    assertFalse(f.isPending());
    assertFalse(f.partly());
  }

  @Test
  void aPendingUpgradeIsNotFinalized() {
    RunState upgrade = upgrade(true);
    assertEquals(List.of("db"), upgrade.finalizePending());
    assertEquals(List.of(List.of("a"), List.of("b")), upgrade.batches());
    assertEquals("2.0", upgrade.target());
    Finalization f = Finalization.of(state, upgrade);
    assertTrue(f.isPending());
    assertFalse(f.finalized());
    assertFalse(f.partly());
  }

  @Test
  void aFailedFinalizeRunIsPartlyFinalizedAndALaterOneFinalizesIt() {
    RunState upgrade = upgrade(true);
    RunState failed = finalizeRun(LATER, upgrade.runId(), false);
    assertTrue(failed.finalizeRan());
    assertEquals(Optional.of(upgrade.runId()), failed.finalizes());
    Finalization partly = Finalization.of(state, upgrade);
    assertTrue(partly.partly());
    assertFalse(partly.finalized());
    assertTrue(partly.isPending());

    RunState done = finalizeRun(LATEST, upgrade.runId(), true);
    Finalization f = Finalization.of(state, upgrade);
    assertTrue(f.finalized());
    assertFalse(f.isPending());
    assertEquals(Optional.of("2026-11-21T14:00:00Z"), f.finalizedAt());
    assertEquals(Optional.of(done.runId()), f.finalizedBy());
  }

  @Test
  void anUpgradeFinalizedInItsOwnRunIsFinalizedByItself() {
    Path dir = Runs.create(state, UPGRADE);
    String id = dir.getFileName().toString();
    try (Journal journal = Journal.create(dir, UPGRADE)) {
      journal.runStarted(id, started());
      upgraded(journal, "a");
      upgraded(journal, "b");
      journal.finalizePending(List.of("db"));
      journal.finalizeStarted("b", "db", "bump");
      journal.finalizeEnded("b", "db", true, Duration.ofMillis(4), "");
      journal.runFinalized(id);
      journal.runEnded(0, false);
    }
    RunState upgrade = read(dir);
    Finalization f = Finalization.of(state, upgrade);
    assertTrue(f.finalized());
    assertEquals(Optional.of(id), f.finalizedBy());
    assertTrue(upgrade.complete(), "finalize events do not disturb the nodes' replay");
  }

  @Test
  void aFinalizeRunOfAnotherUpgradeDoesNotCount() {
    RunState upgrade = upgrade(true);
    finalizeRun(LATER, "20200101T000000Z", true);
    assertFalse(Finalization.of(state, upgrade).finalized());
  }

  private RunState upgrade(boolean pending) {
    Path dir = Runs.create(state, UPGRADE);
    try (Journal journal = Journal.create(dir, UPGRADE)) {
      journal.runStarted(dir.getFileName().toString(), started());
      upgraded(journal, "a");
      upgraded(journal, "b");
      if (pending) {
        journal.finalizePending(List.of("db"));
      }
      journal.runEnded(0, false);
    }
    return read(dir);
  }

  private RunState finalizeRun(Clock clock, String upgrade, boolean ok) {
    Path dir = Runs.create(state, clock);
    try (Journal journal = Journal.create(dir, clock)) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("command", "finalize");
      details.put("finalizes", upgrade);
      details.put("nodes", Map.of());
      journal.runStarted(dir.getFileName().toString(), details);
      journal.finalizeStarted("a", "db", "bump");
      journal.finalizeEnded("a", "db", true, Duration.ofMillis(3), "");
      journal.finalizeStarted("b", "db", "bump");
      journal.finalizeEnded("b", "db", ok, Duration.ofMillis(3), ok ? "" : "exited 1");
      if (ok) {
        journal.runFinalized(upgrade);
      }
      journal.runEnded(ok ? 0 : 5, false);
    }
    RunState run = read(dir);
    assertEquals(List.of(), run.nodes(), "a finalize run upgrades no node");
    return run;
  }

  private static RunState read(Path dir) {
    return RunState.of(JournalReader.read(dir.resolve(Journal.FILE)));
  }

  private static void upgraded(Journal journal, String node) {
    journal.nodeStarted(node, "1.0", "2.0");
    journal.phaseStarted(node, PhaseId.INSTALL);
    journal.phaseEnded(node, PhaseId.INSTALL, Outcome.OK, Duration.ofMillis(3), "");
    journal.nodeEnded(
        new NodeOutcome(
            node, NodeOutcome.Status.UPGRADED, Optional.empty(), "", Map.of(), Optional.empty()));
  }

  private static Map<String, Object> started() {
    return Map.of(
        "command",
        "upgrade",
        "target",
        "2.0",
        "hops",
        List.of(Map.of("hop", 1, "version", "2.0", "batches", List.of(List.of("a"), List.of("b")))),
        "nodes",
        Map.of(
            "a", Map.of("from", "1.0", "path", List.of("2.0")),
            "b", Map.of("from", "1.0", "path", List.of("2.0"))));
  }
}
