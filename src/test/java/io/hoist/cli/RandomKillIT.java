package io.hoist.cli;

import static io.hoist.cli.CrashCluster.JSON;
import static io.hoist.cli.CrashCluster.V2;
import static io.hoist.cli.CrashCluster.crashPoints;
import static io.hoist.cli.CrashCluster.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoist.cli.CrashCluster.CrashPoint;
import io.hoist.cli.CrashCluster.Killed;
import io.hoist.cli.CrashCluster.Outcome;
import io.hoist.cli.CrashCluster.Reference;
import io.hoist.testing.HoistJar;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the built jar at seeded random moments inside the phases of a rolling upgrade
 * 1.0.0 -> 1.1.0 of the four nodes of {@link CrashCluster}, each followed by {@code upgrade
 * --resume --yes} (even seeds) or {@code rollback --cluster --yes --break-lock} (odd seeds). This
 * extends {@link CrashResumeIT} and {@link CrashRollbackIT}, which kill at every phase boundary,
 * with random timing inside the phases: seed {@code s} picks, with {@code new Random(s)}, one phase
 * of the uninterrupted run's journal and a delay within that phase's duration in the uninterrupted
 * run; the kill comes that long after the killed run journaled the phase's start (it may land after
 * the phase's end on a loaded machine: the table says where it landed).
 *
 * <p>Afterwards a resume must leave every node on 1.1.0 with the data as the uninterrupted run left
 * it, a rollback every node on 1.0.0 with its data byte for byte as before, both with the serial
 * rule kept and after_cluster last, and {@code hoist status} must say so. Seeds 1 to {@code
 * -Dhoist.faults.seeds} (default 10; .ci/run gives 50). A table of the seeds and their results goes
 * to stdout (target/failsafe-reports/io.hoist.cli.RandomKillIT-output.txt).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RandomKillIT {

  @TempDir static Path root;

  private CrashCluster cluster;
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
  void killsAtSeededRandomMomentsInsidePhasesAreResumedOrRolledBack() throws Exception {
    int seeds = Integer.getInteger("hoist.faults.seeds", 10);
    Reference reference = cluster.reference(V2);
    List<CrashPoint> phases = crashPoints(reference, "phase-started");
    List<Outcome> outcomes = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int seed = 1; seed <= seeds; seed++) {
      Random random = new Random(seed);
      CrashPoint point = phases.get(random.nextInt(phases.size()));
      long within = phaseNanos(reference.journal(), point);
      long delay = (long) (random.nextDouble() * within);
      outcomes.add(
          seed % 2 == 0
              ? crashAndResume(seed, point, delay, reference)
              : crashAndRollBack(seed, point, delay));
    }
    report(
        seeds
            + " seeded kill -9 inside the phases of a rolling upgrade 1.0.0 -> 1.1.0, then resume"
            + " (even seeds) or rollback (odd seeds), in "
            + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)
            + " s",
        "resume / rollback",
        outcomes);
  }

  /**
   * How long the crash point's phase took in the uninterrupted run (its phase-started to its
   * phase-ended), at least a millisecond.
   */
  private static long phaseNanos(List<JsonNode> journal, CrashPoint point) {
    int seen = 0;
    for (int i = 0; i < journal.size(); i++) {
      JsonNode e = journal.get(i);
      if (!e.path("event").asText().equals("phase-started") || ++seen != point.nth()) {
        continue;
      }
      Instant started = Instant.parse(e.path("ts").asText());
      for (JsonNode x : journal.subList(i + 1, journal.size())) {
        if (x.path("event").asText().equals("phase-ended")
            && x.path("node").asText().equals(e.path("node").asText())
            && x.path("phase").asText().equals(e.path("phase").asText())) {
          long nanos = Duration.between(started, Instant.parse(x.path("ts").asText())).toNanos();
          return Math.max(nanos, TimeUnit.MILLISECONDS.toNanos(1));
        }
      }
    }
    throw new AssertionError("no end of " + point.label() + " in the uninterrupted run");
  }

  private static CrashPoint labelled(int seed, CrashPoint point, long delay, String after) {
    return new CrashPoint(
        point.event(),
        point.nth(),
        point.node(),
        point.phase()
            + " +"
            + TimeUnit.NANOSECONDS.toMillis(delay)
            + "ms (seed "
            + seed
            + ", "
            + after
            + ")");
  }

  private Outcome crashAndResume(int seed, CrashPoint point, long delay, Reference reference)
      throws Exception {
    long t0 = System.nanoTime();
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Killed killed = cluster.crash(point, delay, V2, problems);

    HoistJar.Result resume = cluster.jar.run("upgrade", "--resume", "--yes");
    if (resume.code() != 0) {
      problems.add("the resume exited " + resume.code() + ": " + resume);
    }
    if (resume.err().contains("\tat ")) {
      problems.add("stack trace: " + resume);
    }
    if (resume.out().contains("Nothing to resume")) {
      notes.add("resume: nothing to resume");
    }
    problems.addAll(cluster.upgradedTo(V2, reference));
    CliRunner.Result after = cluster.cli.run("--output", "json", "status");
    if (after.code() != 0 || !JSON.readTree(after.out()).path("complete").asBoolean()) {
      problems.add("status after the resume is not complete: " + after);
    }
    return new Outcome(
        labelled(seed, point, delay, "resume"),
        killed,
        resume.code(),
        (System.nanoTime() - t0) / 1_000_000,
        problems,
        notes);
  }

  private Outcome crashAndRollBack(int seed, CrashPoint point, long delay) throws Exception {
    long t0 = System.nanoTime();
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Killed killed = cluster.crash(point, delay, V2, problems);
    List<String[]> killedEvents = cluster.events();

    HoistJar.Result rollback =
        cluster.jar.run(
            "-c", cluster.clusterFile.toString(), "rollback", "--cluster", "--yes", "--break-lock");
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
    problems.addAll(cluster.rolledBack(before, killedEvents, notes));
    if (!nothing) {
      CliRunner.Result after = cluster.cli.run("--output", "json", "status");
      JsonNode json = after.code() == 0 ? JSON.readTree(after.out()) : null;
      if (json == null
          || !json.path("command").asText().equals("rollback")
          || !json.path("ended").asBoolean()
          || json.path("exit_code").asInt() != 0) {
        problems.add("status after the rollback: " + after);
      }
    }
    return new Outcome(
        labelled(seed, point, delay, "rollback"),
        killed,
        rollback.code(),
        (System.nanoTime() - t0) / 1_000_000,
        problems,
        notes);
  }
}
