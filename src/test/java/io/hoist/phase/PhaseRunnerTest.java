package io.hoist.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.HealthCheck;
import io.hoist.model.Node;
import io.hoist.model.PhaseId;
import io.hoist.phase.NodeOutcome.Status;
import io.hoist.phase.RecordedRun.Entry;
import io.hoist.phase.RecordedRun.Kind;
import io.hoist.plan.NodeSteps;
import io.hoist.testing.Clusters;
import io.hoist.transport.local.LocalTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner and the stop, install, start and post-validate phases on a real node directory,
 * through {@link LocalTransport}: the node's "product" is a script that appends {@code
 * start}/{@code stop} and the release it runs to an events file.
 */
class PhaseRunnerTest {

  private static final int RETRIES = 2;
  private static final Duration INTERVAL = Duration.ofSeconds(7);

  @TempDir Path dir;

  private Path home;
  private Path events;
  private Node node;
  private LocalTransport transport;
  private NodeLog log;
  private final List<Duration> sleeps = new ArrayList<>();
  private final RecordedRun record = new RecordedRun();

  @BeforeEach
  void nodeOnOneZero() throws IOException {
    home = dir.resolve("home");
    events = dir.resolve("events");
    for (String version : List.of("1.0", "2.0")) {
      Path release = Files.createDirectories(home.resolve("releases").resolve(version));
      Files.writeString(release.resolve("VERSION"), version + "\n");
    }
    Files.createSymbolicLink(home.resolve("current"), home.resolve("releases/1.0"));
    Path running = dir.resolve("running");
    Files.writeString(running, "1.0\n");
    Path acme = Files.createDirectories(home.resolve("bin")).resolve("acme");
    Files.writeString(
        acme,
        String.join(
            "\n",
            "#!/bin/bash",
            "release=$(basename \"$(readlink " + home.resolve("current") + ")\")",
            "case \"$1\" in",
            "  health)",
            "    if [ -f " + home.resolve("unhealthy") + "-$release ]; then",
            "      echo \"acme $release: 3 of 5 shards down\"; exit 1",
            "    fi",
            "    echo \"acme $release healthy\" ;;",
            "  start)",
            "    echo \"$release\" > " + running,
            "    echo \"start $release\" >> " + events + "; echo \"acme start $release\" ;;",
            // A product stops what runs, whatever current points at by then.
            "  stop) echo \"stop $(cat " + running + ")\" >> " + events + " ;;",
            "esac",
            ""));
    Files.setPosixFilePermissions(acme, PosixFilePermissions.fromString("rwx------"));
    node = Clusters.localNode("n1", home);
    transport = new LocalTransport(node, dir);
    log = NodeLog.open(dir.resolve("n1.log"), Clock.systemUTC());
  }

  @AfterEach
  void close() {
    log.close();
    transport.close();
  }

  @Test
  void upgradeSwitchesCurrentAndRestartsOnTheNewRelease() throws IOException {
    NodeOutcome outcome = runner(true).run(context(), phases());

    assertEquals(Status.UPGRADED, outcome.status());
    assertEquals(Optional.empty(), outcome.failedPhase());
    assertEquals(home.resolve("releases/2.0"), Files.readSymbolicLink(home.resolve("current")));
    assertEquals(List.of("stop 1.0", "start 2.0"), events());
    assertEquals(
        List.of(PhaseId.STOP, PhaseId.INSTALL, PhaseId.START, PhaseId.POST_VALIDATE),
        List.copyOf(outcome.durations().keySet()));
    List<Entry> ended = record.entries(Kind.PHASE_ENDED);
    assertEquals(List.of(Outcome.OK, Outcome.OK, Outcome.OK, Outcome.OK), outcomes(ended));
    assertTrue(ended.stream().allMatch(e -> e.duration() != null && !e.duration().isNegative()));
    assertEquals(List.of(), record.entries(Kind.UNDO_STARTED));
    assertEquals(List.of(), sleeps);
  }

  @Test
  void installAlreadyDoneIsSkipped() throws IOException {
    switchCurrentTo("2.0");

    NodeOutcome outcome = runner(true).run(context(), phases());

    assertEquals(Status.UPGRADED, outcome.status());
    assertEquals(
        List.of(Outcome.OK, Outcome.SKIPPED_DONE, Outcome.OK, Outcome.OK),
        outcomes(record.entries(Kind.PHASE_ENDED)));
    assertEquals(
        List.of(PhaseId.STOP, PhaseId.START, PhaseId.POST_VALIDATE),
        List.copyOf(outcome.durations().keySet()));
  }

  @Test
  void nodeWhosePhasesAreAllDoneIsAlreadyAtTarget() throws IOException {
    switchCurrentTo("2.0");

    NodeOutcome outcome = runner(true).run(context(), List.of(new InstallPhase()));

    assertEquals(Status.ALREADY_AT_TARGET, outcome.status());
    assertEquals(List.of(), events());
  }

  @Test
  void unhealthyNodeIsSwitchedBackAndRestartedOnThePreviousRelease() throws IOException {
    Files.createFile(home.resolve("unhealthy-2.0"));

    NodeOutcome outcome = runner(true).run(context(), phases());

    assertEquals(Status.FAILED_ROLLED_BACK, outcome.status());
    assertEquals(Optional.of(PhaseId.POST_VALIDATE), outcome.failedPhase());
    assertTrue(outcome.message().contains("acme 2.0: 3 of 5 shards down"), outcome.message());
    assertTrue(outcome.message().contains("post-validate"), outcome.message());
    assertEquals(outcome.message(), outcome.failure().orElseThrow().getMessage());
    assertEquals(0, outcome.failure().orElseThrow().getSuppressed().length);
    assertEquals(home.resolve("releases/1.0"), Files.readSymbolicLink(home.resolve("current")));
    assertEquals(List.of("stop 1.0", "start 2.0", "stop 2.0", "start 1.0"), events());
    assertEquals(
        List.of(Outcome.OK, Outcome.OK, Outcome.OK, Outcome.FAILED),
        outcomes(record.entries(Kind.PHASE_ENDED)));
    // Undo in reverse (start's stop, install's switch back; the other phases have nothing to
    // undo), then the stop phase brings the previous release up and checks its health.
    assertEquals(
        List.of(PhaseId.START, PhaseId.INSTALL, PhaseId.STOP),
        record.entries(Kind.UNDO_ENDED).stream().map(Entry::phase).toList());
    assertTrue(record.entries(Kind.UNDO_ENDED).stream().allMatch(e -> e.outcome() == Outcome.OK));
  }

  @Test
  void healthCheckIsTriedRetriesMoreTimesIntervalApart() throws IOException {
    Files.createFile(home.resolve("unhealthy-2.0"));

    NodeOutcome outcome = runner(true).run(context(), phases());

    assertTrue(outcome.message().contains("after " + (RETRIES + 1) + " tries"), outcome.message());
    assertEquals(List.of(INTERVAL, INTERVAL), sleeps);
  }

  @Test
  void onFailureStopLeavesTheNodeOnTheNewReleaseForAPerson() throws IOException {
    Files.createFile(home.resolve("unhealthy-2.0"));

    NodeOutcome outcome = runner(false).run(context(), phases());

    assertEquals(Status.FAILED_NEEDS_ATTENTION, outcome.status());
    assertEquals(Optional.of(PhaseId.POST_VALIDATE), outcome.failedPhase());
    assertEquals(home.resolve("releases/2.0"), Files.readSymbolicLink(home.resolve("current")));
    assertEquals(List.of("stop 1.0", "start 2.0"), events());
    assertEquals(List.of(), record.entries(Kind.UNDO_STARTED));
  }

  @Test
  void failedUndoNeedsAttentionAndIsSuppressedUnderTheOriginalFailure() throws IOException {
    Files.createFile(home.resolve("unhealthy-2.0"));
    deleteTree(home.resolve("releases/1.0"));

    NodeOutcome outcome = runner(true).run(context(), phases());

    assertEquals(Status.FAILED_NEEDS_ATTENTION, outcome.status());
    assertEquals(Optional.of(PhaseId.POST_VALIDATE), outcome.failedPhase());
    PhaseFailure original = outcome.failure().orElseThrow();
    assertEquals(PhaseId.POST_VALIDATE, original.phase());
    assertTrue(original.getMessage().contains("3 of 5 shards down"), original.getMessage());
    assertEquals(1, original.getSuppressed().length);
    PhaseFailure undo = (PhaseFailure) original.getSuppressed()[0];
    assertEquals(PhaseId.INSTALL, undo.phase());
    assertTrue(undo.getMessage().contains("releases/1.0 is gone"), undo.getMessage());
    // Once an undo failed nothing more is started: the node waits for a person.
    assertEquals(List.of("stop 1.0", "start 2.0", "stop 2.0"), events());
  }

  @Test
  void previousReleaseUnhealthyAfterTheRollbackNeedsAttention() throws IOException {
    Files.createFile(home.resolve("unhealthy-2.0"));
    Files.createFile(home.resolve("unhealthy-1.0"));

    NodeOutcome outcome = runner(true).run(context(), phases());

    assertEquals(Status.FAILED_NEEDS_ATTENTION, outcome.status());
    PhaseFailure original = outcome.failure().orElseThrow();
    assertEquals(1, original.getSuppressed().length);
    assertTrue(
        original.getSuppressed()[0].getMessage().contains("acme 1.0: 3 of 5 shards down"),
        original.getSuppressed()[0].getMessage());
    // Switched back and started: the previous release runs, but it is not healthy.
    assertEquals(home.resolve("releases/1.0"), Files.readSymbolicLink(home.resolve("current")));
    assertEquals(List.of("stop 1.0", "start 2.0", "stop 2.0", "start 1.0"), events());
  }

  @Test
  void failedSwitchNeverStartsTheNewReleaseAndBringsThePreviousOneBack() throws IOException {
    deleteTree(home.resolve("releases/2.0"));

    NodeOutcome outcome = runner(true).run(context(), phases());

    assertEquals(Status.FAILED_ROLLED_BACK, outcome.status());
    assertEquals(Optional.of(PhaseId.INSTALL), outcome.failedPhase());
    assertEquals(home.resolve("releases/1.0"), Files.readSymbolicLink(home.resolve("current")));
    assertEquals(List.of("stop 1.0", "start 1.0"), events());
  }

  @Test
  void commandOutputGoesToAPrivateNodeLog() throws IOException {
    runner(true).run(context(), phases());

    Path file = log.file();
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    List<String> lines = Files.readAllLines(file);
    assertTrue(
        lines.stream().anyMatch(l -> l.endsWith(" start stdout acme start 2.0")), lines.toString());
    assertTrue(
        lines.stream().anyMatch(l -> l.endsWith(" post-validate stdout acme 2.0 healthy")),
        lines.toString());
  }

  private PhaseRunner runner(boolean undoOnFailure) {
    return new PhaseRunner(record, Clock.systemUTC(), undoOnFailure);
  }

  private static List<Phase> phases() {
    return List.of(new StopPhase(), new InstallPhase(), new StartPhase(), new PostValidatePhase());
  }

  private PhaseContext context() {
    String acme = home.resolve("bin/acme").toString();
    Cluster cluster =
        Clusters.cluster("test")
            .commands(
                new Commands(
                    null,
                    acme + " stop",
                    acme + " start",
                    new HealthCheck(acme + " health", RETRIES, INTERVAL),
                    null,
                    null))
            .nodes(node)
            .build();
    NodeSteps steps = Clusters.onlySteps(cluster, "n1", "1.0", "2.0");
    return new PhaseContext(
        node,
        transport,
        steps,
        cluster.commandsFor(node, List.of()),
        cluster.timeouts(),
        sleeps::add,
        log);
  }

  private void switchCurrentTo(String version) throws IOException {
    Path current = home.resolve("current");
    Files.delete(current);
    Files.createSymbolicLink(current, home.resolve("releases").resolve(version));
  }

  private List<String> events() throws IOException {
    return Files.exists(events) ? Files.readAllLines(events) : List.of();
  }

  private static List<Outcome> outcomes(List<Entry> entries) {
    return entries.stream().map(Entry::outcome).toList();
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
