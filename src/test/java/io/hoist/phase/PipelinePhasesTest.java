package io.hoist.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.NodeMarker;
import io.hoist.command.ShellCommand;
import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.HealthCheck;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.PhaseId;
import io.hoist.model.SshSettings;
import io.hoist.model.Timeouts;
import io.hoist.model.TransportKind;
import io.hoist.phase.NodeOutcome.Status;
import io.hoist.phase.RecordedRun.Entry;
import io.hoist.phase.RecordedRun.Kind;
import io.hoist.plan.NodeSteps;
import io.hoist.testing.Clusters;
import io.hoist.transport.Transport;
import io.hoist.transport.local.LocalTransport;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The version-check, pre-validate, retire, migrate and rejoin phases on a real node directory,
 * through {@link LocalTransport} and the {@link PhaseRunner}: the node's "product" is a script that
 * appends what it does to an events file; files in the node's home make it misbehave.
 */
class PipelinePhasesTest {

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
    Path tries = dir.resolve("retire-tries");
    Path acme = Files.createDirectories(home.resolve("bin")).resolve("acme");
    Files.writeString(
        acme,
        String.join(
            "\n",
            "#!/bin/bash",
            "release=$(basename \"$(readlink " + home.resolve("current") + ")\")",
            "case \"$1\" in",
            "  health) echo \"acme $release healthy\" ;;",
            "  start)",
            "    echo \"$release\" > " + running,
            "    echo \"start $release\" >> " + events + " ;;",
            "  stop) echo \"stop $(cat " + running + ")\" >> " + events + " ;;",
            "  check)",
            "    if [ -f " + home.resolve("disk-full") + " ]; then",
            "      echo \"checking disk\"; echo \"/var 98% full\"; exit 1",
            "    fi",
            "    echo \"$2 ok\" ;;",
            "  retire)",
            "    n=$(( $(cat " + tries + " 2>/dev/null || echo 0) + 1 )); echo $n > " + tries,
            "    if [ $n -lt $(cat "
                + home.resolve("drain-after")
                + " 2>/dev/null || echo 1) ];"
                + " then",
            "      echo \"still 12 sessions\"; exit 1",
            "    fi",
            "    echo \"retire\" >> " + events + " ;;",
            "  rejoin)",
            "    touch " + home.resolve("rejoined"),
            "    echo \"rejoin\" >> " + events + " ;;",
            "  migrate)",
            "    echo \"migrate $release\" >> " + events,
            "    if [ -f " + home.resolve("migrate-fails") + " ]; then",
            "      echo \"schema 41 -> 42: duplicate key\"; exit 3",
            "    fi ;;",
            "esac",
            ""));
    Files.setPosixFilePermissions(acme, PosixFilePermissions.fromString("rwx------"));
    node =
        new Node(
            "n1",
            TransportKind.LOCAL,
            null,
            List.of("db"),
            SshSettings.defaults(),
            new Layout(home.toString(), 0),
            Commands.none());
    transport = new LocalTransport(node, dir);
    log = NodeLog.open(dir.resolve("n1.log"), Clock.systemUTC());
  }

  @AfterEach
  void close() {
    log.close();
    transport.close();
  }

  @Test
  void fullPipelineRunsEveryPhaseInOrder() throws IOException {
    NodeOutcome outcome = runner().run(context(Timeouts.defaults()), allPhases(false));

    assertEquals(Status.UPGRADED, outcome.status(), outcome.message());
    List<PhaseId> order =
        List.of(
            PhaseId.VERSION_CHECK,
            PhaseId.PRE_VALIDATE,
            PhaseId.RETIRE,
            PhaseId.STOP,
            PhaseId.INSTALL,
            PhaseId.START,
            PhaseId.MIGRATE,
            PhaseId.POST_VALIDATE,
            PhaseId.REJOIN);
    assertEquals(order, List.copyOf(outcome.durations().keySet()));
    List<Entry> ended = record.entries(Kind.PHASE_ENDED);
    assertEquals(order, ended.stream().map(Entry::phase).toList());
    assertTrue(ended.stream().allMatch(e -> e.outcome() == Outcome.OK), ended.toString());
    assertEquals(List.of("retire", "stop 1.0", "start 2.0", "migrate 2.0", "rejoin"), events());
    assertEquals(home.resolve("releases/2.0"), Files.readSymbolicLink(home.resolve("current")));
    assertEquals(List.of(), record.warnings());
    assertEquals(List.of(), record.entries(Kind.UNDO_STARTED));
    assertEquals(List.of(), sleeps);
  }

  @Test
  void theVersionCheckReadsTheVersionOnce() throws IOException {
    NodeOutcome outcome = runner().run(context(Timeouts.defaults()), allPhases(false));

    assertEquals(Status.UPGRADED, outcome.status(), outcome.message());
    log.close();
    List<String> reads =
        Files.readAllLines(dir.resolve("n1.log")).stream()
            .filter(line -> line.contains(" version-check stdout "))
            .toList();
    assertEquals(1, reads.size(), reads.toString());
    assertTrue(reads.get(0).endsWith(" version-check stdout 1.0"), reads.toString());
  }

  @Test
  void theVersionCheckWritesTheNodeMarkerInItsOwnCommandAndTheInstallChecksAsItSwitches()
      throws IOException {
    List<String> sent = new ArrayList<>();
    PhaseContext context = context(Timeouts.defaults(), counting(sent));
    // The marker is on the node while its product stops (the first changing command).
    Files.writeString(
        home.resolve("bin/acme"),
        Files.readString(home.resolve("bin/acme"))
            .replace(
                "  stop) ",
                "  stop) [ -f "
                    + home.resolve(".hoist/ongoing")
                    + " ] && touch "
                    + dir.resolve("marked")
                    + "; "));

    NodeOutcome outcome = markingRunner().run(context, allPhases(false));

    assertEquals(Status.UPGRADED, outcome.status(), outcome.message());
    assertTrue(Files.exists(dir.resolve("marked")), "the marker was there when the node stopped");
    assertFalse(Files.exists(home.resolve(".hoist/ongoing")), "removed at the node's end");
    // One command per step (the version read also writes the marker; the install's check is in
    // its switch), the two checks, the health check's one try, and the marker's removal.
    assertEquals(
        List.of(
            "version-check",
            "pre-validate",
            "pre-validate",
            "retire",
            "stop",
            "install",
            "start",
            "migrate",
            "post-validate",
            "rejoin",
            "marker-removal"),
        sent,
        sent.toString());
    assertEquals(home.resolve("releases/2.0"), Files.readSymbolicLink(home.resolve("current")));
  }

  @Test
  void aMarkerThatCannotBeWrittenFailsTheVersionCheckBeforeAnythingRan() throws IOException {
    Files.writeString(home.resolve(".hoist"), "a file where the marker's directory goes\n");

    NodeOutcome outcome = markingRunner().run(context(Timeouts.defaults()), allPhases(false));

    assertEquals(Status.FAILED_UNCHANGED, outcome.status(), outcome.message());
    assertEquals(Optional.of(PhaseId.VERSION_CHECK), outcome.failedPhase());
    assertTrue(
        outcome
            .message()
            .startsWith(
                "node n1: cannot write the node marker "
                    + home
                    + "/.hoist/ongoing (nothing was"
                    + " changed on the node): "),
        outcome.message());
    assertEquals(List.of(), events(), "the version command did not even run");
    assertEquals(List.of(), record.warnings(), "no removal of a marker that was never written");
    assertEquals(home.resolve("releases/1.0"), Files.readSymbolicLink(home.resolve("current")));
  }

  @Test
  void anInstallWhoseSwitchIsAlreadyDoneIsSkippedAndStillUndone() throws IOException {
    List<String> sent = new ArrayList<>();
    // A resumed hop whose crashed run had switched current (the product still runs 1.0); then
    // the migration fails: the rollback switches current back.
    Files.writeString(home.resolve("releases/2.0/VERSION"), "1.0\n");
    switchCurrentTo("2.0");
    Files.writeString(home.resolve("migrate-fails"), "");

    NodeOutcome outcome =
        runner().run(context(Timeouts.defaults(), counting(sent)), allPhases(false));

    assertEquals(Status.FAILED_ROLLED_BACK, outcome.status(), outcome.message());
    Entry install =
        record.entries(Kind.PHASE_ENDED).stream()
            .filter(e -> e.phase() == PhaseId.INSTALL)
            .findFirst()
            .orElseThrow();
    assertEquals(Outcome.SKIPPED_DONE, install.outcome());
    assertEquals(1, sent.stream().filter("install"::equals).count(), sent.toString());
    assertEquals(home.resolve("releases/1.0"), Files.readSymbolicLink(home.resolve("current")));
  }

  @Test
  void aNodeAlreadyAtTheTargetIsNotTouchedAtAll() throws IOException {
    switchCurrentTo("2.0");

    NodeOutcome outcome = runner().run(context(Timeouts.defaults()), allPhases(false));

    assertEquals(Status.ALREADY_AT_TARGET, outcome.status());
    assertEquals(
        List.of(PhaseId.VERSION_CHECK),
        record.entries(Kind.PHASE_STARTED).stream().map(Entry::phase).toList());
    assertEquals(Outcome.SKIPPED_DONE, record.entries(Kind.PHASE_ENDED).get(0).outcome());
    assertEquals(List.of(), events(), "no retire, no restart, no migrate on a node at the target");
  }

  @Test
  void forceReinstallsANodeAlreadyAtTheTarget() throws IOException {
    switchCurrentTo("2.0");
    List<Phase> phases = new ArrayList<>(allPhases(false));
    phases.set(0, new VersionCheckPhase(true));

    NodeOutcome outcome = runner().run(context(Timeouts.defaults()), phases);

    assertEquals(Status.UPGRADED, outcome.status(), outcome.message());
    // The test product remembers the release it was started from; what matters is that the
    // whole pipeline ran again on the forced node.
    List<String> events = events();
    assertEquals(5, events.size(), events.toString());
    assertEquals(
        List.of("retire", "start 2.0", "migrate 2.0", "rejoin"),
        List.of(events.get(0), events.get(2), events.get(3), events.get(4)));
  }

  @Test
  void versionCheckOfANodeOnAnUnexpectedVersionFails() throws IOException {
    Files.writeString(home.resolve("releases/1.0/VERSION"), "1.5\n");

    NodeOutcome outcome = runner().run(context(Timeouts.defaults()), allPhases(false));

    assertEquals(Optional.of(PhaseId.VERSION_CHECK), outcome.failedPhase());
    assertEquals(Status.FAILED_UNCHANGED, outcome.status());
    assertTrue(
        outcome
            .message()
            .contains("node n1, version-check: node runs 1.5, the plan expected 1.0; re-plan"),
        outcome.message());
    assertEquals(List.of(), events());
    assertEquals(home.resolve("releases/1.0"), Files.readSymbolicLink(home.resolve("current")));
  }

  @Test
  void failedPreValidateFailsTheNodeListingEachFailedCheck() throws IOException {
    Files.createFile(home.resolve("disk-full"));

    NodeOutcome outcome = runner().run(context(Timeouts.defaults()), allPhases(false));

    assertEquals(Optional.of(PhaseId.PRE_VALIDATE), outcome.failedPhase());
    assertEquals(Status.FAILED_UNCHANGED, outcome.status());
    assertTrue(outcome.message().contains("2 of 2 checks failed"), outcome.message());
    assertTrue(outcome.message().contains(" disk` exited 1: /var 98% full"), outcome.message());
    assertTrue(outcome.message().contains(" quorum` exited 1: /var 98% full"), outcome.message());
    assertEquals(List.of(), events());
    assertEquals(List.of(), record.warnings());
  }

  @Test
  void ignoredPreValidateFailuresAreAWarningAndTheRunContinues() throws IOException {
    Files.createFile(home.resolve("disk-full"));

    NodeOutcome outcome = runner().run(context(Timeouts.defaults()), allPhases(true));

    assertEquals(Status.UPGRADED, outcome.status(), outcome.message());
    List<Entry> warnings = record.entries(Kind.WARNING);
    assertEquals(1, warnings.size());
    assertEquals(PhaseId.PRE_VALIDATE, warnings.get(0).phase());
    assertEquals("n1", warnings.get(0).node());
    String warning = warnings.get(0).message();
    assertTrue(warning.contains("/var 98% full"), warning);
    assertTrue(warning.contains("--ignore-inspect-failures"), warning);
    assertEquals(List.of("retire", "stop 1.0", "start 2.0", "migrate 2.0", "rejoin"), events());
  }

  @Test
  void retireIsTriedAgainUntilTheNodeDrains() throws IOException {
    Files.writeString(home.resolve("drain-after"), "3\n");

    NodeOutcome outcome = runner().run(context(Timeouts.defaults()), allPhases(false));

    assertEquals(Status.UPGRADED, outcome.status(), outcome.message());
    assertEquals(List.of(RetirePhase.DRAIN_INTERVAL, RetirePhase.DRAIN_INTERVAL), sleeps);
    assertEquals("3", Files.readString(dir.resolve("retire-tries")).strip());
  }

  @Test
  void retireThatNeverDrainsFailsAndTheNodeIsRejoined() throws IOException {
    Files.writeString(home.resolve("drain-after"), "1000\n");
    Timeouts timeouts =
        new Timeouts(
            Duration.ofSeconds(60),
            Duration.ofSeconds(12),
            Duration.ofSeconds(180),
            Duration.ofSeconds(300));

    NodeOutcome outcome = runner().run(context(timeouts), allPhases(false));

    assertEquals(Optional.of(PhaseId.RETIRE), outcome.failedPhase());
    assertEquals(Status.FAILED_ROLLED_BACK, outcome.status());
    assertTrue(outcome.message().contains("did not drain within 12000ms"), outcome.message());
    assertTrue(outcome.message().contains("3 tries"), outcome.message());
    assertTrue(outcome.message().contains("still 12 sessions"), outcome.message());
    assertEquals(List.of(RetirePhase.DRAIN_INTERVAL, RetirePhase.DRAIN_INTERVAL), sleeps);
    assertTrue(Files.exists(home.resolve("rejoined")));
    assertEquals(List.of("rejoin"), events());
    assertEquals(
        List.of(PhaseId.RETIRE),
        record.entries(Kind.UNDO_ENDED).stream().map(Entry::phase).toList());
    assertEquals(home.resolve("releases/1.0"), Files.readSymbolicLink(home.resolve("current")));
  }

  @Test
  void failedMigrateRollsTheInstallBackThroughTheRunner() throws IOException {
    Files.createFile(home.resolve("migrate-fails"));

    NodeOutcome outcome = runner().run(context(Timeouts.defaults()), allPhases(false));

    assertEquals(Optional.of(PhaseId.MIGRATE), outcome.failedPhase());
    assertEquals(Status.FAILED_ROLLED_BACK, outcome.status());
    assertTrue(outcome.message().contains("schema 41 -> 42: duplicate key"), outcome.message());
    assertTrue(outcome.message().contains("exited 3"), outcome.message());
    assertEquals(home.resolve("releases/1.0"), Files.readSymbolicLink(home.resolve("current")));
    assertEquals(
        List.of(
            "retire", "stop 1.0", "start 2.0", "migrate 2.0", "stop 2.0", "start 1.0", "rejoin"),
        events());
    assertEquals(
        List.of(
            // Undone: start (stopped again), install (switched back); then brought back up: the
            // previous release started and checked (stop's undo), the node rejoined (retire's).
            PhaseId.START, PhaseId.INSTALL, PhaseId.STOP, PhaseId.RETIRE),
        record.entries(Kind.UNDO_ENDED).stream().map(Entry::phase).toList());
    assertTrue(record.entries(Kind.UNDO_ENDED).stream().allMatch(e -> e.outcome() == Outcome.OK));
    assertFalse(outcome.durations().containsKey(PhaseId.REJOIN));
  }

  private PhaseRunner runner() {
    return new PhaseRunner(record, Clock.systemUTC(), true);
  }

  /** A runner that writes and removes the node marker, as an upgrade's does. */
  private PhaseRunner markingRunner() {
    return new PhaseRunner(
        record,
        Clock.systemUTC(),
        true,
        new NodeMarker("20261122T090000Z", "core-1", "2026-11-22T09:00:00Z", "upgrade"));
  }

  /**
   * The node's transport, naming in {@code sent} the phase of every command it runs (the node log
   * is the phase's sink; the marker's removal is the command whose script removes it).
   */
  private Transport counting(List<String> sent) {
    return (Transport)
        Proxy.newProxyInstance(
            Transport.class.getClassLoader(),
            new Class<?>[] {Transport.class},
            (proxy, method, args) -> {
              if (method.getName().equals("exec")) {
                ShellCommand command = (ShellCommand) args[0];
                sent.add(
                    command.script().contains("rm -f -- ")
                        ? "marker-removal"
                        : phaseOf(command.script()));
              }
              try {
                return method.invoke(transport, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private String phaseOf(String script) {
    String acme = home.resolve("bin/acme").toString();
    if (script.contains("/current/VERSION") || script.contains("cat ")) {
      return "version-check";
    }
    if (script.contains("@@hoist-install-done@@")) {
      return "install";
    }
    for (String verb : List.of("check", "retire", "stop", "start", "migrate", "rejoin")) {
      if (script.contains(acme + " " + verb)) {
        return verb.equals("check") ? "pre-validate" : verb;
      }
    }
    if (script.contains(acme + " health")) {
      return "post-validate";
    }
    return script;
  }

  private static List<Phase> allPhases(boolean ignoreCheckFailures) {
    return List.of(
        new VersionCheckPhase(),
        new PreValidatePhase(ignoreCheckFailures),
        new RetirePhase(),
        new StopPhase(),
        new InstallPhase(),
        new StartPhase(),
        new MigratePhase(),
        new PostValidatePhase(),
        new RejoinPhase());
  }

  private PhaseContext context(Timeouts timeouts) {
    return context(timeouts, transport);
  }

  private PhaseContext context(Timeouts timeouts, Transport via) {
    String acme = home.resolve("bin/acme").toString();
    Cluster cluster =
        Clusters.cluster("test")
            .commands(
                new Commands(
                    null,
                    acme + " stop",
                    acme + " start",
                    new HealthCheck(acme + " health", 2, INTERVAL),
                    acme + " migrate",
                    null))
            .check("disk", acme + " check disk")
            .check("quorum", acme + " check quorum")
            .roles(Clusters.retiring("db", 1, acme + " retire", acme + " rejoin"))
            .nodes(node)
            .build();
    NodeSteps steps = Clusters.onlySteps(cluster, "n1", "1.0", "2.0");
    return new PhaseContext(
        node, via, steps, cluster.commandsFor(node, List.of()), timeouts, sleeps::add, log);
  }

  private void switchCurrentTo(String version) throws IOException {
    Path current = home.resolve("current");
    Files.delete(current);
    Files.createSymbolicLink(current, home.resolve("releases").resolve(version));
  }

  private List<String> events() throws IOException {
    return Files.exists(events) ? Files.readAllLines(events) : List.of();
  }
}
