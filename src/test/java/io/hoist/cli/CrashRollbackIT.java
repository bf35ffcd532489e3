package io.hoist.cli;

import static io.hoist.cli.CrashCluster.JSON;
import static io.hoist.cli.CrashCluster.NODES;
import static io.hoist.cli.CrashCluster.V2;
import static io.hoist.cli.CrashCluster.everyBoundary;
import static io.hoist.cli.CrashCluster.report;
import static io.hoist.cli.CrashCluster.serialRule;
import static io.hoist.cli.CrashCluster.snapshot;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the built jar at every phase boundary of a rolling upgrade 1.0.0 -> 1.1.0,
 * then {@code hoist rollback --cluster --yes --break-lock} instead of a resume (the cluster: {@link
 * CrashCluster}; the crash points as in {@link CrashResumeIT}; the killed run's lock is stale and
 * only a resume takes that over without {@code --break-lock}). Afterwards every node must be back
 * on 1.0.0 (link and running product), with its data byte for byte as before the upgrade (the new
 * release's start and migrate change it), switched back exactly once where the killed run had
 * switched it and not at all elsewhere, never both db nodes down at once across both runs,
 * after_cluster last, and the rollback run ended with exit 0. A table of the crash points and their
 * results goes to stdout (target/failsafe-reports/io.hoist.cli.CrashRollbackIT-output.txt).
 *
 * <p>The bugs this test found (BUG-C, D, E; see the tests below) are fixed; BUG-G (minor, a node
 * the killed run had not changed is bounced) is fixed; its test below passes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashRollbackIT {

  @TempDir static Path root;

  private CrashCluster cluster;

  /** Every node's data before the upgrade. */
  private Map<String, Map<String, String>> before;

  @BeforeAll
  void startNodes() throws IOException {
    cluster = new CrashCluster(root);
    cluster.reset();
    before = cluster.dataSnapshots();
  }

  @AfterAll
  void stopNodes() {
    cluster.close();
  }

  @Test
  void aKillAtEveryPhaseBoundaryOfOneHopIsUndoneByARollback() throws Exception {
    Reference reference = cluster.reference(V2);
    List<Outcome> outcomes = new ArrayList<>();
    for (CrashPoint point : everyBoundary(reference)) {
      outcomes.add(crashAndRollBack(point));
    }
    report(
        "kill -9 at every phase boundary of a rolling upgrade 1.0.0 -> 1.1.0 (web-1+web-2, db-2,"
            + " db-1 leader), then rollback --cluster --yes",
        "rollback",
        outcomes);
  }

  /**
   * Found here (was BUG-C, fixed in 5c2d1d9): the rollback left such a node down ("Nothing to roll
   * back" when no node had been switched yet).
   */
  @Test
  void aRollbackBringsBackUpANodeTheKilledRunHadStoppedButNotSwitched() throws Exception {
    Killed killed =
        cluster.crash(new CrashPoint("on-node", 1, "db-2", "stop"), V2, new ArrayList<>());
    assertEquals(137, killed.process().exitValue());
    assertEquals("1.1.0", Files.readString(cluster.nodeHome("web-1").resolve("running")).strip());
    assertFalse(Files.exists(cluster.nodeHome("db-2").resolve("running")), "db-2 was stopped");

    HoistJar.Result rollback = rollBack();

    rollback.exitsWith(0);
    assertEquals(List.of(), rolledBack(cluster.events(), new ArrayList<>()), rollback.toString());
  }

  /**
   * Found here (was BUG-D, fixed in 5c2d1d9 and 65d8dc3): the rollback stopped db-2 while the
   * killed run had left the leader db-1 down, because the leader went last at run time.
   */
  @Test
  void aRollbackNeverTakesASecondSerialNodeDownWhileTheKilledRunLeftOneDown() throws Exception {
    Killed killed =
        cluster.crash(new CrashPoint("on-node", 1, "db-1", "install"), V2, new ArrayList<>());
    assertEquals(137, killed.process().exitValue());
    assertFalse(Files.exists(cluster.nodeHome("db-1").resolve("running")), "db-1 is down");

    HoistJar.Result rollback = rollBack();

    rollback.exitsWith(0);
    assertEquals(List.of(), serialRule(cluster.events()), rollback.toString());
  }

  /**
   * Found here (was BUG-E, fixed in 5c2d1d9): only a start that had ended counted as the new
   * release having run, so the backup was not restored.
   */
  @Test
  void aRollbackRestoresTheDataWhenTheRunWasKilledDuringTheNewReleasesStart() throws Exception {
    Killed killed =
        cluster.crash(new CrashPoint("on-node", 1, "db-2", "start"), V2, new ArrayList<>());
    assertEquals(137, killed.process().exitValue());
    assertTrue(Files.exists(cluster.data.resolve("db-2/started-by-" + V2)), "1.1.0 started");

    HoistJar.Result rollback = rollBack();

    rollback.exitsWith(0);
    assertEquals(before.get("db-2"), snapshot(cluster.data.resolve("db-2")), rollback.toString());
  }

  @Test
  void aRollbackLeavesAloneANodeTheKilledRunHadNotChanged() throws Exception {
    Killed killed =
        cluster.crash(new CrashPoint("phase-started", 1, null, null), V2, new ArrayList<>());
    assertEquals(137, killed.process().exitValue());
    List<String[]> before = cluster.events();

    HoistJar.Result rollback = rollBack();

    rollback.exitsWith(0);
    List<String[]> all = cluster.events();
    for (String node : NODES.keySet()) {
      if (before.stream().noneMatch(e -> e[1].equals(node))) {
        assertEquals(
            List.of(),
            all.stream().filter(e -> e[1].equals(node)).map(e -> e[2] + " " + e[3]).toList(),
            node + " was not touched by the killed run: " + rollback);
      }
    }
  }

  private Outcome crashAndRollBack(CrashPoint point) throws Exception {
    long t0 = System.nanoTime();
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Killed killed = cluster.crash(point, V2, problems);
    List<String[]> killedEvents = cluster.events();

    HoistJar.Result rollback = rollBack();
    if (rollback.code() != 0) {
      problems.add("the rollback exited " + rollback.code() + ": " + rollback);
    }
    if (rollback.err().contains("\tat ")) {
      problems.add("stack trace: " + rollback);
    }
    boolean nothing = rollback.out().contains("Nothing to roll back");
    if (nothing) {
      notes.add("rollback: nothing to roll back");
    }
    problems.addAll(rolledBack(killedEvents, notes));
    CliRunner.Result after = cluster.cli.run("--output", "json", "status");
    if (nothing) {
      // No rollback run: the last run is the killed upgrade.
    } else if (after.code() != 0) {
      problems.add("status after the rollback: " + after);
    } else {
      JsonNode json = JSON.readTree(after.out());
      if (!json.path("command").asText().equals("rollback")
          || !json.path("ended").asBoolean()
          || json.path("exit_code").asInt() != 0) {
        problems.add("status after the rollback: " + after.out());
      }
    }
    return new Outcome(
        point, killed, rollback.code(), (System.nanoTime() - t0) / 1_000_000, problems, notes);
  }

  /** {@code hoist rollback --cluster --yes --break-lock}. */
  private HoistJar.Result rollBack() {
    // The killed run's lock is stale: only a resume takes it over by itself (README).
    return cluster.jar.run(
        "-c", cluster.clusterFile.toString(), "rollback", "--cluster", "--yes", "--break-lock");
  }

  /** What is wrong after the rollback (empty when nothing). */
  private List<String> rolledBack(List<String[]> killedEvents, List<String> notes)
      throws IOException {
    return cluster.rolledBack(before, killedEvents, notes);
  }
}
