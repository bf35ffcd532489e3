package io.hoist.cli;

import static io.hoist.cli.UpgradeJson.assertState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.testing.HoistJar;
import io.hoist.testing.SimulatedCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 4 of issue 9, "put back only what hoist changed", over embedded SSH: hoist rejoins a node it
 * retired on every failure path (or lists it as not rejoined), never rejoins a node it did not
 * retire, and keeps the node marker {@code HOME/.hoist/ongoing} while it works on a node.
 *
 * <p>Three nodes: {@code web-1}, {@code web-2} (role web: retire and rejoin, one at a time) and
 * {@code app-1} (role app: no retire). The product ({@code bin/ctl}) appends {@code <ns> NODE
 * COMMAND VERSION} to one event log; its {@code stop} copies the node's marker to {@code
 * HOME/marker-at-stop} (so the test sees the marker as it was during the run); when {@code
 * HOME/block-stop} exists it removes it, waits (bounded) for {@code HOME/release-stop} and fails
 * without stopping or logging anything (a run killed there has retired the node and not stopped
 * it). The health check fails while {@code fail-health-VERSION} is in the node's home; the check
 * {@code ready} fails while {@code not-ready} is.
 */
class NodeMarkerIT {

  private static final String OLD = "1.0.0";
  private static final String NEW = "1.1.0";
  private static final List<String> ALL = List.of("web-1", "web-2", "app-1");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String CTL =
      "#!/bin/bash\n"
          + "v=$(cat \"$(dirname \"$0\")/../VERSION\")\n"
          + "cmd=$1 node=$2 home=$3 events=$4\n"
          + "case \"$cmd\" in\n"
          + "  start) echo \"$v\" > \"$home/running\" ;;\n"
          + "  stop)\n"
          + "    if [ -f \"$home/block-stop\" ]; then\n"
          + "      rm -f \"$home/block-stop\"\n"
          + "      i=0; while [ ! -f \"$home/release-stop\" ] && [ $i -lt 300 ]; do sleep 0.1;"
          + " i=$((i+1)); done\n"
          + "      exit 1\n"
          + "    fi\n"
          + "    if [ -f \"$home/.hoist/ongoing\" ]; then"
          + " cp \"$home/.hoist/ongoing\" \"$home/marker-at-stop\"; fi\n"
          + "    rm -f \"$home/running\" ;;\n"
          + "  retire|rejoin) ;;\n"
          + "  *) echo \"ctl: unknown command $cmd\" >&2; exit 2 ;;\n"
          + "esac\n"
          + "echo \"$(date +%s%N) $node $cmd $v\" >> \"$events\"\n";

  @TempDir Path root;
  SimulatedCluster sim;
  CliRunner cli;
  Path events;
  Path state;

  @BeforeEach
  void start() throws IOException {
    assertTrue(root.toString().matches("[A-Za-z0-9/._-]+"), root.toString());
    sim = SimulatedCluster.in(root, false);
    state = sim.home().resolve(".hoist-state");
    cli = new CliRunner(sim.home(), root).env("HOIST_STATE_DIR", state.toString());
    events = root.resolve("events");
    pack(OLD);
    pack(NEW);
    sim.node("web-1", "web", OLD).node("web-2", "web", OLD).node("app-1", "app", OLD);
    for (String node : ALL) {
      ctl(sim.nodeHome(node).resolve("releases").resolve(OLD));
    }
    String product =
        "      stop: \""
            + ctl("stop")
            + "\"\n      start: \""
            + ctl("start")
            + "\"\n      health: { run: \"grep -qxF ${version} ${home}/running"
            + " && test ! -f ${home}/fail-health-${version}\", retries: 1, interval: 200ms }\n";
    sim.writeClusterFile(
        "role_order: [web, app]\n"
            + "roles:\n"
            + "  web:\n"
            + "    max_parallel: 1\n"
            + "    retire: \""
            + ctl("retire")
            + "\"\n"
            + "    rejoin: \""
            + ctl("rejoin")
            + "\"\n"
            + "    commands:\n"
            + product
            + "  app:\n"
            + "    commands:\n"
            + product
            + "checks:\n"
            + "  - { name: ready, run: \"test ! -f ${home}/not-ready\" }\n"
            + "timeouts: { stop: 6s }\n");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  // --- rejoined after a failure, never rejoined when not retired

  @Test
  void aRetiredNodeIsRejoinedAfterALaterPhaseFailsAndItsMarkerIsGone() throws IOException {
    Files.writeString(sim.nodeHome("web-1").resolve("fail-health-" + NEW), "");

    JsonNode json = upgrade();

    assertEquals(5, json.get("exit_code").asInt(), json.toPrettyString());
    assertState(json, "web-1", "failed-rolled-back");
    assertEquals(
        List.of(
            "retire " + OLD,
            "stop " + OLD,
            "start " + NEW,
            "stop " + NEW,
            "start " + OLD,
            "rejoin " + OLD),
        eventsOf("web-1"));
    assertEquals(0, json.get("not_rejoined").size(), json.toPrettyString());
    // The marker was there while hoist worked on the node (both stops saw it), and is gone.
    String seen = Files.readString(sim.nodeHome("web-1").resolve("marker-at-stop"));
    assertTrue(seen.startsWith("run=" + lastRun() + "\n"), seen);
    assertTrue(seen.contains("\ncommand=upgrade\n"), seen);
    assertNoMarker("web-1");
    List<String> journal =
        Files.readAllLines(state.resolve("runs").resolve(lastRun()).resolve("journal.jsonl"));
    assertEquals(1, journal.stream().filter(l -> l.contains("\"node-retired\"")).count());
    assertEquals(1, journal.stream().filter(l -> l.contains("\"node-rejoined\"")).count());
    assertEquals(0, status().get("not_rejoined").size());
  }

  @Test
  void aNodeThatFailsBeforeItsRetireIsNeitherRejoinedNorMarked() throws IOException {
    Files.writeString(sim.nodeHome("web-1").resolve("not-ready"), "");

    JsonNode json = upgrade();

    // No node was changed at all: 3.
    assertEquals(3, json.get("exit_code").asInt(), json.toPrettyString());
    assertState(json, "web-1", "failed-unchanged");
    assertEquals(List.of(), eventsOf("web-1"), "neither retired nor rejoined");
    assertEquals(List.of(), events(), "no node touched");
    // Written with the version check (one command less per node), removed at the node's end.
    assertNoMarker("web-1");
  }

  @Test
  void aNodeOfARoleWithoutRetireIsNeverRejoined() throws IOException {
    Files.writeString(sim.nodeHome("app-1").resolve("fail-health-" + NEW), "");

    JsonNode json = upgrade();

    assertEquals(4, json.get("exit_code").asInt(), json.toPrettyString());
    assertState(json, "app-1", "failed-rolled-back");
    assertEquals(
        List.of("stop " + OLD, "start " + NEW, "stop " + NEW, "start " + OLD), eventsOf("app-1"));
    for (String web : List.of("web-1", "web-2")) {
      assertState(json, web, "upgraded");
      assertEquals(
          List.of("retire " + OLD, "stop " + OLD, "start " + NEW, "rejoin " + NEW), eventsOf(web));
    }
    assertEquals(0, json.get("not_rejoined").size(), json.toPrettyString());
    for (String node : ALL) {
      assertTrue(
          Files.readString(sim.nodeHome(node).resolve("marker-at-stop")).startsWith("run="), node);
      assertNoMarker(node);
    }
  }

  // --- not rejoined: listed, marker kept, other runs refused, rollback is the way out

  @Test
  void aNodeWhoseRollbackFailsIsListedKeepsItsMarkerAndOnlyItsRollbackClearsIt()
      throws IOException {
    Files.writeString(sim.nodeHome("web-1").resolve("fail-health-" + NEW), "");
    Files.writeString(sim.nodeHome("web-1").resolve("fail-health-" + OLD), "");

    CliRunner.Result failed = run("--output", "json", "upgrade", "--cluster", "--yes", "--to", NEW);
    JsonNode json = JSON.readTree(failed.out());
    String run = lastRun();

    assertEquals(5, json.get("exit_code").asInt(), json.toPrettyString());
    assertState(json, "web-1", "failed-needs-attention");
    assertEquals(
        List.of("retire " + OLD, "stop " + OLD, "start " + NEW, "stop " + NEW, "start " + OLD),
        eventsOf("web-1"),
        "its old release is unhealthy: not rejoined");
    JsonNode listed = json.get("not_rejoined");
    assertEquals(1, listed.size(), json.toPrettyString());
    assertEquals("web-1", listed.get(0).get("node").asText());
    assertTrue(
        listed.get(0).get("rejoin").get(0).asText().contains("ctl rejoin web-1"),
        listed.toString());
    assertTrue(
        failed
            .err()
            .contains("node web-1 was retired by hoist and is not rejoined: run its rejoin"),
        failed.err());
    JsonNode status = status();
    assertEquals(
        "web-1", status.get("not_rejoined").get(0).get("node").asText(), status.toString());
    CliRunner.Result statusText = run("status");
    assertTrue(
        statusText.out().contains("node web-1 was retired by hoist and is not rejoined"),
        statusText.out());
    assertMarker("web-1", run);

    // inspect shows the marker, text and JSON.
    CliRunner.Result inspect = run("--output", "json", "inspect");
    JsonNode marker = nodeOf(JSON.readTree(inspect.out()), "web-1").get("marker");
    assertEquals("present", marker.get("state").asText(), inspect.out());
    assertEquals(run, marker.get("run").asText());
    assertEquals("upgrade", marker.get("command").asText());
    assertEquals(
        "absent",
        nodeOf(JSON.readTree(inspect.out()), "web-2").get("marker").get("state").asText());
    CliRunner.Result inspectText = run("inspect");
    assertTrue(
        inspectText.out().contains("web-1: run " + run + " (upgrade) from core node "),
        inspectText.out());

    // Another run (a fresh upgrade here, or one from another state directory) refuses the node
    // and touches nothing.
    List<String> before = Files.readAllLines(events);
    Files.delete(sim.nodeHome("web-1").resolve("fail-health-" + OLD));
    CliRunner.Result again = run("upgrade", "--cluster", "--yes", "--to", NEW);
    assertEquals(3, again.code(), again.toString());
    assertTrue(again.err().contains("node web-1 carries the marker of run " + run), again.err());
    assertTrue(again.err().contains("hoist upgrade --resume"), again.err());
    Path otherState = root.resolve("other-state");
    CliRunner.Result elsewhere =
        new CliRunner(sim.home(), root)
            .env("HOIST_STATE_DIR", otherState.toString())
            .run("-c", sim.clusterFile().toString(), "upgrade", "web-1", "--yes", "--to", NEW);
    assertEquals(3, elsewhere.code(), elsewhere.toString());
    assertTrue(
        elsewhere.err().contains("node web-1 carries the marker of run " + run), elsewhere.err());
    CliRunner.Result prepare = run("version", "prepare", NEW, "web-1");
    assertEquals(3, prepare.code(), prepare.toString());
    assertEquals(before, Files.readAllLines(events), "nothing touched");
    assertMarker("web-1", run);

    // hoist rollback from this state directory is the way out: brought back up, rejoined once,
    // its marker cleared.
    CliRunner.Result rollback = run("--output", "json", "rollback", "web-1", "--yes");
    JsonNode back = JSON.readTree(rollback.out());
    assertEquals(0, back.get("exit_code").asInt(), rollback.toString());
    assertEquals(0, back.get("not_rejoined").size(), back.toPrettyString());
    List<String> web1 = eventsOf("web-1");
    assertEquals("rejoin " + OLD, web1.get(web1.size() - 1), web1.toString());
    assertEquals(1, web1.stream().filter(e -> e.startsWith("rejoin")).count(), web1.toString());
    assertNoMarker("web-1");
    assertEquals(0, status().get("not_rejoined").size());
  }

  // --- killed between retire and stop

  @Test
  void aRunKilledBetweenRetireAndStopIsResumedWithOneRejoin() throws Exception {
    String killed = killBetweenRetireAndStop();

    CliRunner.Result resume = run("--output", "json", "upgrade", "--resume", "--yes");
    JsonNode json = JSON.readTree(resume.out());

    assertEquals(0, json.get("exit_code").asInt(), resume.toString());
    List<String> web1 = eventsOf("web-1");
    assertEquals(
        List.of("retire " + OLD, "retire " + OLD, "stop " + OLD, "start " + NEW, "rejoin " + NEW),
        web1);
    // The resumed run saw the killed run's marker and wrote its own.
    String seen = Files.readString(sim.nodeHome("web-1").resolve("marker-at-stop"));
    assertFalse(seen.startsWith("run=" + killed + "\n"), seen);
    for (String node : ALL) {
      assertNoMarker(node);
    }
    assertEquals(0, json.get("not_rejoined").size());
    assertEquals(0, status().get("not_rejoined").size());
  }

  @Test
  void aRunKilledBetweenRetireAndStopIsRolledBackWithOneRejoin() throws Exception {
    killBetweenRetireAndStop();

    CliRunner.Result rollback =
        run("--output", "json", "rollback", "--cluster", "--yes", "--break-lock");
    JsonNode json = JSON.readTree(rollback.out());

    assertEquals(0, json.get("exit_code").asInt(), rollback.toString());
    List<String> web1 = eventsOf("web-1");
    assertEquals(1, web1.stream().filter(e -> e.startsWith("rejoin")).count(), web1.toString());
    assertEquals("rejoin " + OLD, web1.get(web1.size() - 1), web1.toString());
    assertEquals(List.of(), eventsOf("web-2"), "web-2 was never retired: not touched");
    assertEquals(List.of(), eventsOf("app-1"));
    for (String node : ALL) {
      assertNoMarker(node);
    }
    assertEquals(0, status().get("not_rejoined").size());
  }

  /**
   * Runs the upgrade in the jar, kills it with SIGKILL once web-1's stop started (its retire done,
   * its stop held by {@code block-stop}); returns the killed run's id. Checks what the journal and
   * the node say afterwards: retired and not rejoined, marker in place.
   */
  private String killBetweenRetireAndStop() throws Exception {
    Path home = sim.nodeHome("web-1");
    Files.writeString(home.resolve("block-stop"), "");
    HoistJar jar = HoistJar.in(sim.home()).withJvmOptions("-XX:TieredStopAtLevel=1");
    Process process =
        jar.start(
            root.resolve("killed.out"),
            root.resolve("killed.err"),
            "-c",
            sim.clusterFile().toString(),
            "upgrade",
            "--cluster",
            "--yes",
            "--to",
            NEW);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      // The stop command is running on the node (it took the block file) and holds there.
      while (process.isAlive()
          && System.nanoTime() < deadline
          && !(stopStarted("web-1") && !Files.exists(home.resolve("block-stop")))) {
        Thread.sleep(5);
      }
      assertFalse(
          Files.exists(home.resolve("block-stop")), Files.readString(root.resolve("killed.err")));
    } finally {
      process.destroyForcibly();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    }
    assertEquals(137, process.exitValue());
    // The held stop (if the kill did not end it) gives up without stopping anything.
    Files.writeString(home.resolve("release-stop"), "");
    String run = lastRun();
    assertEquals(List.of("retire " + OLD), eventsOf("web-1"));
    assertMarker("web-1", run);
    JsonNode status = status();
    assertFalse(status.get("ended").asBoolean());
    assertEquals(1, status.get("not_rejoined").size(), status.toString());
    assertEquals("web-1", status.get("not_rejoined").get(0).get("node").asText());
    return run;
  }

  private boolean stopStarted(String node) throws IOException {
    Path runs = state.resolve("runs");
    if (!Files.isDirectory(runs)) {
      return false;
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      for (Path dir : dirs.toList()) {
        Path journal = dir.resolve("journal.jsonl");
        if (Files.exists(journal)
            && Files.readString(journal)
                .contains(
                    "\"event\":\"phase-started\",\"node\":\"" + node + "\",\"phase\":\"stop\"")) {
          return true;
        }
      }
    }
    return false;
  }

  // --- fixture

  private void assertMarker(String node, String run) throws IOException {
    Path marker = sim.nodeHome(node).resolve(".hoist").resolve("ongoing");
    assertTrue(Files.exists(marker), node + " has no marker");
    assertTrue(Files.readString(marker).startsWith("run=" + run + "\n"), Files.readString(marker));
  }

  private void assertNoMarker(String node) {
    assertFalse(
        Files.exists(sim.nodeHome(node).resolve(".hoist").resolve("ongoing")),
        node + " still has a marker");
  }

  private String lastRun() throws IOException {
    try (Stream<Path> dirs = Files.list(state.resolve("runs"))) {
      return dirs.map(p -> p.getFileName().toString()).sorted().reduce((a, b) -> b).orElseThrow();
    }
  }

  private JsonNode status() throws IOException {
    CliRunner.Result result = run("--output", "json", "status");
    assertEquals(0, result.code(), result.toString());
    return JSON.readTree(result.out());
  }

  private static JsonNode nodeOf(JsonNode json, String name) {
    for (JsonNode n : json.get("nodes")) {
      if (n.get("node").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError("no node " + name + ": " + json);
  }

  private String ctl(String command) {
    return "${home}/current/bin/ctl " + command + " ${node} ${home} " + events;
  }

  private static void ctl(Path release) throws IOException {
    EventLogProduct.install(release, CTL);
  }

  private void pack(String version) throws IOException {
    EventLogProduct.pack(cli, root.resolve("src"), sim.repositoryDir(), version, CTL);
  }

  private CliRunner.Result run(String... args) {
    List<String> all = new ArrayList<>(List.of("-c", sim.clusterFile().toString()));
    all.addAll(List.of(args));
    return cli.run(all.toArray(String[]::new));
  }

  private JsonNode upgrade() throws IOException {
    CliRunner.Result result = run("--output", "json", "upgrade", "--cluster", "--yes", "--to", NEW);
    JsonNode json = JSON.readTree(result.out());
    assertNotNull(json, result.toString());
    assertEquals(result.code(), json.get("exit_code").asInt(), result.toString());
    return json;
  }

  private List<String> events() throws IOException {
    if (!Files.exists(events)) {
      return List.of();
    }
    List<String[]> all = new ArrayList<>();
    for (String line : Files.readAllLines(events)) {
      all.add(line.split(" "));
    }
    all.sort((a, b) -> Long.compare(Long.parseLong(a[0]), Long.parseLong(b[0])));
    return all.stream().map(e -> e[1] + " " + e[2] + " " + e[3]).toList();
  }

  private List<String> eventsOf(String node) throws IOException {
    return events().stream()
        .filter(e -> e.startsWith(node + " "))
        .map(e -> e.substring(node.length() + 1))
        .toList();
  }
}
