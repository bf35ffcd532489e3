package io.hoist.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.ValidationException;
import io.hoist.model.PhaseId;
import io.hoist.phase.NodeOutcome;
import io.hoist.phase.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal on a real file: written, read back, torn, damaged, replayed. */
class JournalTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path state;

  @Test
  void runsGetPrivateDirectoriesWithFreshIdsAndTheNewestIsLast() throws IOException {
    Path first = Runs.create(state, CLOCK);
    Path second = Runs.create(state, CLOCK);

    assertEquals("20261121T120000Z", first.getFileName().toString());
    assertEquals("20261121T120000Z-2", second.getFileName().toString());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first)));
    assertEquals(List.of(), Runs.list(state), "a run without a journal is not listed");
    Journal.create(first, CLOCK).close();
    Journal.create(second, CLOCK).close();
    assertEquals(List.of(first, second), Runs.list(state));
    assertEquals(Optional.of(second), Runs.last(state));
    assertEquals(Optional.of(first), Runs.find(state, "20261121T120000Z"));
    assertEquals(Optional.empty(), Runs.find(state, "../../etc"));
  }

  @Test
  void aRunIsReplayedNodeByNode() throws IOException {
    Path dir = Runs.create(state, CLOCK);
    try (Journal journal = Journal.create(dir, CLOCK)) {
      journal.runStarted("r1", started());
      upgraded(journal, "a", "1.0", "2.0");
      journal.nodeStarted("b", "1.0", "2.0");
      journal.phaseStarted("b", PhaseId.STOP);
      journal.phaseEnded("b", PhaseId.STOP, Outcome.OK, Duration.ofMillis(5), "");
      journal.phaseStarted("b", PhaseId.INSTALL);
    }
    Path file = dir.resolve(Journal.FILE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

    RunState run = RunState.of(JournalReader.read(file));

    assertFalse(run.ended(), "no run-ended: it crashed");
    assertFalse(run.tornTail());
    RunState.Node a = run.node("a").orElseThrow();
    assertEquals(RunState.NodeState.DONE, a.state());
    assertEquals("2.0", a.reached());
    RunState.Node b = run.node("b").orElseThrow();
    assertEquals(RunState.NodeState.IN_PROGRESS, b.state());
    assertEquals("install", b.phase());
    assertFalse(b.phaseEnded());
    assertEquals("1.0", b.reached());
    assertEquals(RunState.NodeState.NOT_STARTED, run.node("c").orElseThrow().state());
    assertFalse(run.complete());
  }

  @Test
  void aTornLastLineIsDroppedAndReported() throws IOException {
    Path dir = Runs.create(state, CLOCK);
    try (Journal journal = Journal.create(dir, CLOCK)) {
      journal.runStarted("r1", started());
      upgraded(journal, "a", "1.0", "2.0");
    }
    Path file = dir.resolve(Journal.FILE);
    int complete = Files.readAllLines(file).size();
    Files.writeString(
        file, "{\"ts\":\"2026-11-21T12:00:01Z\",\"event\":\"phase-sta", StandardOpenOption.APPEND);

    JournalReader.Read read = JournalReader.read(file);

    assertTrue(read.tornTail());
    assertEquals(complete, read.events().size());
    assertEquals(RunState.NodeState.DONE, RunState.of(read).node("a").orElseThrow().state());
  }

  @Test
  void aDamagedLineInTheMiddleIsAnErrorNamingIt() throws IOException {
    Path dir = Runs.create(state, CLOCK);
    try (Journal journal = Journal.create(dir, CLOCK)) {
      journal.runStarted("r1", started());
      upgraded(journal, "a", "1.0", "2.0");
    }
    Path file = dir.resolve(Journal.FILE);
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(file));
    lines.set(2, "garbage");
    Files.write(file, lines, StandardCharsets.UTF_8);

    ValidationException e = assertThrows(ValidationException.class, () -> JournalReader.read(file));
    assertTrue(e.getMessage().contains("damaged at line 3"), e.getMessage());
  }

  @Test
  void aFailedHopKeepsTheNodeOnItsPreviousVersionWithTheMessage() throws IOException {
    Path dir = Runs.create(state, CLOCK);
    try (Journal journal = Journal.create(dir, CLOCK)) {
      journal.runStarted("r1", started());
      journal.nodeStarted("a", "1.0", "2.0");
      journal.phaseStarted("a", PhaseId.POST_VALIDATE);
      journal.phaseEnded("a", PhaseId.POST_VALIDATE, Outcome.FAILED, Duration.ZERO, "unhealthy");
      journal.backupWritten("a", state.resolve("backups/a/x.tar.gz"), "ab12");
      journal.nodeEnded(
          new NodeOutcome(
              "a",
              NodeOutcome.Status.FAILED_ROLLED_BACK,
              Optional.of(PhaseId.POST_VALIDATE),
              "unhealthy",
              Map.of(),
              Optional.empty()));
      journal.runEnded(4, false);
    }

    RunState run = RunState.of(JournalReader.read(dir.resolve(Journal.FILE)));

    assertTrue(run.ended());
    assertEquals(Optional.of(4), run.exitCode());
    RunState.Node a = run.node("a").orElseThrow();
    assertEquals(RunState.NodeState.FAILED, a.state());
    assertEquals("failed-rolled-back", a.status());
    assertEquals("1.0", a.reached());
    assertEquals("unhealthy", a.message());
    assertEquals(List.of(state.resolve("backups/a/x.tar.gz").toString()), a.backups());
  }

  @Test
  void everyEventIsOnTheDiskWhenItsCallReturnsAndConcurrentEventsShareAnFsync() throws Exception {
    Path dir = Runs.create(state, CLOCK);
    Path file = dir.resolve(Journal.FILE);
    int threads = 8;
    AtomicInteger syncs = new AtomicInteger();
    // How much of the file the last fsync covered: what was written when it started.
    AtomicLong durable = new AtomicLong();
    Journal.Disk disk =
        fd -> {
          long covered = Files.size(file);
          if (syncs.incrementAndGet() == 1) {
            // The first fsync lasts until every thread has written its line: they queue behind it.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (Files.readAllLines(file).size() < threads) {
              if (System.nanoTime() > deadline) {
                throw new IOException("the other threads never wrote their lines");
              }
              Thread.onSpinWait();
            }
          }
          durable.accumulateAndGet(covered, Math::max);
        };
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (Journal journal = Journal.create(dir, CLOCK, disk)) {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        String node = "n" + i;
        calls.add(
            pool.submit(
                () -> {
                  journal.phaseStarted(node, PhaseId.STOP);
                  String onDisk =
                      new String(
                          Arrays.copyOf(Files.readAllBytes(file), (int) durable.get()),
                          StandardCharsets.UTF_8);
                  assertTrue(onDisk.contains("\"node\":\"" + node + "\""), node + ": " + onDisk);
                  return null;
                }));
      }
      for (Future<?> call : calls) {
        call.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertEquals(threads, Files.readAllLines(file).size());
    // The first fsync covers what was written when it started; the second all the rest.
    assertTrue(syncs.get() <= 2, syncs.get() + " fsyncs for " + threads + " concurrent events");
  }

  @Test
  void eventsOneAfterAnotherAreEachForcedToTheDisk() throws IOException {
    Path dir = Runs.create(state, CLOCK);
    AtomicInteger syncs = new AtomicInteger();
    try (Journal journal = Journal.create(dir, CLOCK, fd -> syncs.incrementAndGet())) {
      journal.runStarted("r1", started());
      upgraded(journal, "a", "1.0", "2.0");
    }

    assertEquals(5, syncs.get());
    assertEquals(5, Files.readAllLines(dir.resolve(Journal.FILE)).size());
  }

  private static void upgraded(Journal journal, String node, String from, String to) {
    journal.nodeStarted(node, from, to);
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
        "nodes",
        Map.of(
            "a", Map.of("from", "1.0", "path", List.of("2.0")),
            "b", Map.of("from", "1.0", "path", List.of("2.0")),
            "c", Map.of("from", "1.0", "path", List.of("2.0"))));
  }
}
