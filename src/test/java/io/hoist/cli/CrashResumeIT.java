package io.hoist.cli;

import static io.hoist.cli.CrashCluster.JSON;
import static io.hoist.cli.CrashCluster.V2;
import static io.hoist.cli.CrashCluster.V3;
import static io.hoist.cli.CrashCluster.count;
import static io.hoist.cli.CrashCluster.crashPoints;
import static io.hoist.cli.CrashCluster.everyBoundary;
import static io.hoist.cli.CrashCluster.find;
import static io.hoist.cli.CrashCluster.journal;
import static io.hoist.cli.CrashCluster.kill;
import static io.hoist.cli.CrashCluster.report;
import static io.hoist.cli.CrashCluster.statusNode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoist.cli.CrashCluster.CrashPoint;
import io.hoist.cli.CrashCluster.Killed;
import io.hoist.cli.CrashCluster.Outcome;
import io.hoist.cli.CrashCluster.Reference;
import io.hoist.testing.HoistJar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the built jar at every phase boundary of a rolling upgrade, then {@code hoist
 * upgrade --resume --yes} (the cluster: {@link CrashCluster}).
 *
 * <p>An uninterrupted run first gives the sequence of {@code phase-started} and {@code node-ended}
 * journal events and the data every node ends with. Then, for each crash point, the fixture is
 * reset (nodes back on 1.0.0 and running, data, event log, hoist's state), the upgrade starts, the
 * journal is polled every 5 ms until it holds the crash point's event, the JVM is killed with
 * SIGKILL, {@code hoist status} must say the run did not end, and a resume must finish the upgrade:
 * every node on the target (link and running product), one switch per node and hop, never both db
 * nodes down at once across both runs, the data as the uninterrupted run left it, the killed run's
 * backup kept for a node caught after it, after_cluster last, and {@code hoist status} complete.
 * Every phase boundary of 1.0.0 -> 1.1.0 is covered; of the two-hop path 1.0.0 -> 1.1.0 -> 2.0.0
 * (2.0.0 only from 1.1.0 on) the points around the hop boundary (each iteration costs two JVM
 * starts and a whole upgrade). Tables of the crash points and their results go to stdout
 * (target/failsafe-reports/io.hoist.cli.CrashResumeIT-output.txt). The bugs this test found (BUG-A,
 * B, F; see the tests below) are fixed; a bug found and not fixed yet would be a {@code @Disabled}
 * test saying what goes wrong.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashResumeIT {

  @TempDir static Path root;

  private CrashCluster cluster;

  @BeforeAll
  void startNodes() throws IOException {
    cluster = new CrashCluster(root);
  }

  @AfterAll
  void stopNodes() {
    cluster.close();
  }

  @Test
  void aKillAtEveryPhaseBoundaryOfOneHopIsFinishedByAResume() throws Exception {
    Reference reference = cluster.reference(V2);
    // Every phase boundary, right after each node ended (within the web batch, between batches,
    // after the last node), and the switch done on each node before its phase-ended was
    // journaled: the resume must find it done (one switch only).
    List<CrashPoint> points = everyBoundary(reference);
    List<Outcome> outcomes = new ArrayList<>();
    for (CrashPoint point : points) {
      outcomes.add(crashAndResume(point, V2, reference));
    }
    report(
        "kill -9 at every phase boundary of a rolling upgrade 1.0.0 -> 1.1.0 (web-1+web-2, db-2,"
            + " db-1 leader), then upgrade --resume --yes",
        "resume",
        outcomes);
  }

  @Test
  void killsAroundTheHopBoundaryOfATwoHopUpgradeAreFinishedByAResume() throws Exception {
    Reference reference = cluster.reference(V3);
    List<CrashPoint> phases = crashPoints(reference, "phase-started");
    List<CrashPoint> ends = crashPoints(reference, "node-ended");
    List<CrashPoint> points =
        List.of(
            // Hop 1, db-2 migrating: db-1 not started, every node still has hop 2 to go.
            find(phases, "db-2", "migrate", 1),
            // Between the hops: every node on 1.1.0, the leader's hop 1 just ended.
            ends.get(3),
            // Hop 2, the leader switching: the other nodes on 2.0.0.
            find(phases, "db-1", "install", 2));
    List<Outcome> outcomes = new ArrayList<>();
    for (CrashPoint point : points) {
      outcomes.add(crashAndResume(point, V3, reference));
    }
    report(
        "kill -9 around the hop boundary of 1.0.0 -> 1.1.0 -> 2.0.0, then upgrade --resume --yes",
        "resume",
        outcomes);
  }

  @Test
  void aTornLastJournalLineIsReportedAndTheResumeStillCompletes() throws Exception {
    Reference reference = cluster.reference(V2);
    CrashPoint point = find(crashPoints(reference, "phase-started"), "db-2", "install", 1);
    Process killed = cluster.killAt(point, V2);
    cluster.awaitNodesQuiet();
    List<Path> runs = cluster.runs();
    assertEquals(1, runs.size(), runs.toString());
    String killedRun = runs.get(0).getFileName().toString();
    // A crash while the journal was written: half a line, no newline.
    Files.writeString(
        runs.get(0).resolve("journal.jsonl"),
        "{\"ts\":\"2026-11-21T14:00:00.000Z\",\"event\":\"phase-ended\",\"node\":\"db-2\",\"pha",
        StandardOpenOption.APPEND);

    HoistJar.Result text = cluster.jar.run("status");
    text.exitsWith(0)
        .outContains("the journal's last line was torn (a crash while writing it) and is ignored")
        .outContains("did not end")
        .noStackTrace();
    CliRunner.Result status = cluster.cli.run("--output", "json", "status");
    assertEquals(0, status.code(), status.toString());
    JsonNode json = JSON.readTree(status.out());
    assertTrue(json.path("torn_tail").asBoolean(), status.out());
    assertFalse(json.path("ended").asBoolean(), status.out());
    JsonNode db2 = statusNode(json, "db-2");
    assertEquals("in-progress", db2.path("state").asText(), status.out());
    assertEquals("install", db2.path("phase").asText(), status.out());

    HoistJar.Result resume = cluster.jar.run("upgrade", "--resume", "--yes");
    resume
        .exitsWith(0)
        .errContains("resuming run " + killedRun)
        .errContains("took over the stale lock of pid " + killed.pid())
        .noStackTrace();
    List<String> problems = cluster.upgradedTo(V2, reference);
    assertTrue(problems.isEmpty(), problems + "\n" + resume);
    CliRunner.Result after = cluster.cli.run("--output", "json", "status");
    assertTrue(JSON.readTree(after.out()).path("complete").asBoolean(), after.toString());
    // The killed run still reads back, torn tail and all.
    CliRunner.Result old = cluster.cli.run("--output", "json", "status", killedRun);
    assertEquals(0, old.code(), old.toString());
    assertTrue(JSON.readTree(old.out()).path("torn_tail").asBoolean(), old.out());
    // And a second resume has nothing left to do.
    cluster.jar.run("upgrade", "--resume", "--yes").exitsWith(0).outContains("Nothing to resume");
  }

  /**
   * Found here (was BUG-B, fixed in 5ac8322): the next resume planned the node from the version it
   * reports (already the new release) and skipped it, stopped and unmigrated.
   */
  @Test
  void aResumeKilledBeforeItReachedTheNodeLeftInsideAHopStillFinishesThatNode() throws Exception {
    Reference reference = cluster.reference(V2);
    // The first run is killed with db-2 switched to 1.1.0 but not started on it.
    Process first = cluster.killAt(new CrashPoint("on-node", 1, "db-2", "install"), V2);
    cluster.awaitNodesQuiet();
    assertEquals(137, first.exitValue());
    // Its resume is killed as well, before it reached db-2 (while it stages the release).
    Process second =
        kill(
            cluster.jar.start(
                cluster.root.resolve("second.out"),
                cluster.root.resolve("second.err"),
                "upgrade",
                "--resume",
                "--yes"),
            () -> {
              List<Path> runs = cluster.runs();
              return runs.size() == 2
                  && count(Files.readString(runs.get(1).resolve("journal.jsonl")), "run-started")
                      == 1;
            });
    cluster.awaitNodesQuiet();
    assertEquals(137, second.exitValue(), Files.readString(cluster.root.resolve("second.err")));
    CliRunner.Result status = cluster.cli.run("status");

    HoistJar.Result third = cluster.jar.run("upgrade", "--resume", "--yes");

    third.exitsWith(0).noStackTrace();
    assertEquals(
        List.of(),
        cluster.upgradedTo(V2, reference),
        "status before the last resume:\n" + status.out() + "\nthe last resume: " + third);
  }

  /**
   * Found here (was BUG-F, fixed in 65d8dc3): InstallPhase.isDone compared the raw readlink with
   * the absolute release directory, so a relative current link was never found switched and the
   * resume switched again.
   */
  @Test
  void aResumeFindsTheSwitchDoneAlsoWhenCurrentIsARelativeLink() throws Exception {
    Reference reference = cluster.reference(V2);
    Process killed =
        cluster.killAt(
            new CrashPoint("on-node", 1, "db-2", "install"),
            CrashCluster.upgrade(cluster.relativeClusterFile, V2));
    cluster.awaitNodesQuiet();
    assertEquals(137, killed.exitValue());
    assertEquals(
        "releases/" + V2,
        Files.readSymbolicLink(cluster.nodeHome("db-2").resolve("current")).toString());

    HoistJar.Result resume = cluster.jar.run("upgrade", "--resume", "--yes");

    resume.exitsWith(0);
    assertEquals(List.of(), cluster.upgradedTo(V2, reference), resume.toString());
  }

  /**
   * Found here (was BUG-A, fixed in 5ac8322): the resume said "Nothing to resume" and after_cluster
   * never ran although before_cluster had.
   */
  @Test
  void aRunKilledBeforeAfterClusterGetsItsAfterClusterFromTheResume() throws Exception {
    Reference reference = cluster.reference(V2);
    cluster.reset();
    cluster.jar.run(cluster.upgrade(V2)).exitsWith(0);
    // As a kill -9 right after the last node-ended leaves it: the journal ends there and
    // after_cluster did not run. (A real kill there races the hook; the crash-point table shows
    // it happening for real at the last node-ended.)
    Path journal = cluster.runs().get(0).resolve("journal.jsonl");
    List<String> lines = Files.readAllLines(journal);
    int lastNodeEnded = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("\"event\":\"node-ended\"")) {
        lastNodeEnded = i;
      }
    }
    Files.write(journal, lines.subList(0, lastNodeEnded + 1));
    Files.write(cluster.hooks, List.of("before"));

    HoistJar.Result resume = cluster.jar.run("upgrade", "--resume", "--yes");

    resume.exitsWith(0);
    List<String> problems = cluster.upgradedTo(V2, reference);
    problems.removeIf(p -> p.startsWith("after_cluster"));
    assertEquals(List.of(), problems, "every node upgraded, but for the hook");
    assertEquals(
        List.of("before", "after"),
        Files.readAllLines(cluster.hooks),
        "after_cluster runs once for the killed run\n" + resume);
  }

  private Outcome crashAndResume(CrashPoint point, String target, Reference reference)
      throws Exception {
    long t0 = System.nanoTime();
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Killed killed = cluster.crash(point, target, problems);

    HoistJar.Result resume = cluster.jar.run("upgrade", "--resume", "--yes");
    boolean nothingToResume = resume.out().contains("Nothing to resume");
    if (resume.code() != 0) {
      problems.add("the resume exited " + resume.code() + ": " + resume);
    } else if (!nothingToResume
        && !resume.err().contains("took over the stale lock of pid " + killed.process().pid())) {
      problems.add("the resume did not take over the killed run's lock: " + resume);
    }
    if (resume.err().contains("\tat ")) {
      problems.add("stack trace: " + resume);
    }
    problems.addAll(cluster.upgradedTo(target, reference));
    if (!nothingToResume) {
      problems.addAll(
          backupsAdopted(
              killed.journal(), journal(cluster.runs().get(cluster.runs().size() - 1)), notes));
    } else {
      notes.add("resume: nothing to resume");
    }
    CliRunner.Result after = cluster.cli.run("--output", "json", "status");
    if (after.code() != 0) {
      problems.add("status after the resume: " + after);
    } else {
      JsonNode json = JSON.readTree(after.out());
      if (!json.path("complete").asBoolean()) {
        problems.add("status after the resume is not complete: " + after.out());
      }
      if (json.path("ended").asBoolean() && json.path("exit_code").asInt() != 0) {
        problems.add("status after the resume: exit " + json.path("exit_code"));
      }
    }
    return new Outcome(
        point, killed, resume.code(), (System.nanoTime() - t0) / 1_000_000, problems, notes);
  }

  /**
   * A node the killed run backed up in the hop it was caught in keeps that backup: the resume
   * verifies and adopts it (its backup phase ends skipped-done) instead of taking a new one of data
   * that may already be migrated.
   */
  private static List<String> backupsAdopted(
      List<JsonNode> killed, List<JsonNode> resumed, List<String> notes) {
    List<String> problems = new ArrayList<>();
    Map<String, String> hopOf = new LinkedHashMap<>();
    Map<String, Boolean> backedUp = new LinkedHashMap<>();
    Map<String, Boolean> ended = new LinkedHashMap<>();
    List<String> kept = new ArrayList<>();
    for (JsonNode e : killed) {
      String node = e.path("node").asText();
      switch (e.path("event").asText()) {
        case "node-started" -> {
          hopOf.put(node, e.path("to").asText());
          backedUp.put(node, false);
          ended.put(node, false);
        }
        case "backup-written" -> backedUp.put(node, true);
        case "node-ended" -> ended.put(node, true);
        default -> {}
      }
    }
    for (Map.Entry<String, Boolean> b : backedUp.entrySet()) {
      String node = b.getKey();
      if (!b.getValue() || ended.get(node)) {
        continue;
      }
      String outcome = null;
      String hop = null;
      for (JsonNode e : resumed) {
        if (!e.path("node").asText().equals(node)) {
          continue;
        }
        if (e.path("event").asText().equals("node-started")) {
          hop = e.path("to").asText();
        }
        if (e.path("event").asText().equals("phase-ended")
            && e.path("phase").asText().equals("backup")
            && hopOf.get(node).equals(hop)) {
          outcome = e.path("outcome").asText();
        }
      }
      if ("skipped-done".equals(outcome)) {
        kept.add(node);
      } else {
        problems.add(
            node + ": the killed run's backup was not adopted (backup " + outcome + " on resume)");
      }
    }
    if (!kept.isEmpty()) {
      notes.add("killed run's backup kept: " + String.join(" ", kept));
    }
    return problems;
  }
}
