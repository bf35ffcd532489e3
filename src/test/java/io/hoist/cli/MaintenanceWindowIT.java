package io.hoist.cli;

import static io.hoist.cli.UpgradeJson.assertState;
import static io.hoist.cli.UpgradeJson.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.testing.SimulatedCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoist upgrade --not-after TIME} end to end: three {@code app} nodes upgraded one at a time
 * over SSH. The product ({@code bin/ctl}) appends {@code <ns> NODE COMMAND VERSION} to one shared
 * event log; its {@code stop} holds, while a {@code hold-stop} file is in the node's home, until
 * the epoch second the file names (at most 60 s), so a node can be made to finish after the window
 * closed.
 */
class MaintenanceWindowIT {

  private static final String OLD = "1.0.0";
  private static final String NEW = "1.1.0";

  private static final List<String> NODES = List.of("app-1", "app-2", "app-3");

  private static final String CTL =
      "#!/bin/bash\n"
          + "# ctl COMMAND NODE HOME EVENTS\n"
          + "v=$(cat \"$(dirname \"$0\")/../VERSION\")\n"
          + "cmd=$1 node=$2 home=$3 events=$4\n"
          + "case \"$cmd\" in\n"
          + "  start) echo \"$v\" > \"$home/running\" ;;\n"
          + "  stop)\n"
          + "    if [ -f \"$home/hold-stop\" ]; then\n"
          + "      until=$(cat \"$home/hold-stop\") n=0\n"
          + "      while [ \"$(date +%s)\" -lt \"$until\" ] && [ $n -lt 600 ]; do\n"
          + "        sleep 0.1; n=$((n + 1))\n"
          + "      done\n"
          + "    fi\n"
          + "    rm -f \"$home/running\" ;;\n"
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
    assertTrue(
        root.toString().matches("[A-Za-z0-9/._-]+"),
        "the test writes paths unquoted into commands: " + root);
    sim = SimulatedCluster.in(root, false);
    state = root.resolve("xdg-state");
    cli =
        new CliRunner(sim.home(), root)
            .env("XDG_STATE_HOME", state.toString())
            .env("XDG_CACHE_HOME", root.resolve("xdg-cache").toString());
    events = root.resolve("events");
    pack(OLD);
    pack(NEW);
    for (String node : NODES) {
      sim.node(node, "app", OLD);
      ctl(sim.nodeHome(node).resolve("releases").resolve(OLD));
    }
    writeCluster("");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void aRunPastTheWindowStopsBetweenNodesAndResumesCleanly() throws IOException {
    Instant end = Instant.now().plusSeconds(20).truncatedTo(ChronoUnit.SECONDS);
    // app-1's stop holds until 3 s after the window's end: it finishes after the window closed.
    Files.writeString(
        sim.nodeHome("app-1").resolve("hold-stop"), (end.getEpochSecond() + 3) + "\n");
    String notAfter = OffsetDateTime.ofInstant(end, ZoneOffset.ofHours(1)).toString();

    CliRunner.Result result =
        run(
            "--output",
            "json",
            "upgrade",
            "--cluster",
            "--yes",
            "--to",
            NEW,
            "--not-after",
            notAfter);

    JsonNode json = new ObjectMapper().readTree(result.out());
    assertNotNull(json, result.toString());
    assertEquals(130, result.code(), result.toString());
    assertEquals(130, json.get("exit_code").asInt());
    // app-1 was in flight when the window closed: it finished, whole.
    assertState(json, "app-1", "upgraded");
    assertEquals(true, node(json, "app-1").get("healthy").asBoolean());
    assertCurrent("app-1", NEW);
    assertEquals(List.of("stop " + OLD, "start " + NEW), eventsOf("app-1"));
    for (String node : List.of("app-2", "app-3")) {
      assertState(json, node, "not-started");
      assertEquals(List.of(), eventsOf(node), node + " was not started");
      assertCurrent(node, OLD);
    }
    assertFalse(json.get("window_closed_at").isNull(), json.toPrettyString());
    assertEquals(end, OffsetDateTime.parse(json.get("window_closed_at").asText()).toInstant());
    String message = json.get("message").asText();
    assertTrue(message.startsWith("The maintenance window closed at "), message);
    assertTrue(message.contains("1 node done, 2 not started"), message);
    assertTrue(message.contains("hoist upgrade --resume"), message);

    JsonNode status = new ObjectMapper().readTree(run("--output", "json", "status").out());
    assertTrue(status.get("interrupted").asBoolean(), status.toPrettyString());
    assertEquals(130, status.get("exit_code").asInt());
    assertTrue(
        status.get("reason").asText().startsWith("the maintenance window closed at"),
        status.toPrettyString());

    // The next window: without a limit, the resume finishes app-2 and app-3 and leaves app-1.
    Files.delete(sim.nodeHome("app-1").resolve("hold-stop"));
    CliRunner.Result resumed = run("--output", "json", "upgrade", "--resume", "--yes");

    assertEquals(0, resumed.code(), resumed.toString());
    JsonNode after = new ObjectMapper().readTree(resumed.out());
    assertTrue(after.get("window_closed_at").isNull(), after.toPrettyString());
    assertEquals(List.of("stop " + OLD, "start " + NEW), eventsOf("app-1"), "not touched again");
    for (String node : NODES) {
      assertCurrent(node, NEW);
    }
    for (String node : List.of("app-2", "app-3")) {
      assertState(after, node, "upgraded");
      assertEquals(List.of("stop " + OLD, "start " + NEW), eventsOf(node));
    }
  }

  @Test
  void aTimeAlreadyPassedIsRefusedBeforeAnythingIsStagedOrTouched() throws IOException {
    for (String past : List.of("2020-01-01T00:00Z", "2020-01-01T00:00", "+0s")) {
      CliRunner.Result result =
          run("upgrade", "--cluster", "--yes", "--to", NEW, "--not-after", past);

      assertEquals(2, result.code(), result.toString());
      assertTrue(result.err().contains("maintenance window is already closed"), result.toString());
    }
    assertNothingTouched();
  }

  @Test
  void aPassedNotAfterInTheClusterFileIsRefusedAndTheCommandLineWins() throws IOException {
    writeCluster("not_after: 2020-01-01T00:00+01:00\n");

    CliRunner.Result refused = run("upgrade", "--cluster", "--yes", "--to", NEW);

    assertEquals(2, refused.code(), refused.toString());
    assertTrue(refused.err().contains("not_after (cluster file)"), refused.toString());
    assertNothingTouched();

    CliRunner.Result wins =
        run("--output", "json", "upgrade", "--cluster", "--yes", "--to", NEW, "--not-after", "+1h");

    assertEquals(0, wins.code(), wins.toString());
  }

  @Test
  void aTimeOfNoKnownFormIsAUsageError() {
    CliRunner.Result result =
        run("upgrade", "--cluster", "--yes", "--to", NEW, "--not-after", "half past five");

    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("--not-after: expected HH:MM"), result.toString());
  }

  // --- fixtures

  private void assertNothingTouched() throws IOException {
    assertFalse(Files.exists(events), "no product command ran");
    for (String node : NODES) {
      assertFalse(
          Files.exists(sim.nodeHome(node).resolve("releases").resolve(NEW)),
          node + ": nothing was staged");
    }
    Path runs = state.resolve("hoist").resolve("runs");
    if (Files.exists(runs)) {
      try (java.util.stream.Stream<Path> list = Files.list(runs)) {
        assertTrue(list.findAny().isEmpty(), "no run was journaled");
      }
    }
  }

  private void writeCluster(String extra) {
    sim.writeClusterFile(
        "roles:\n"
            + "  app:\n"
            + "    max_parallel: 1\n"
            + "    commands:\n"
            + "      stop: \""
            + ctl("stop")
            + "\"\n"
            + "      start: \""
            + ctl("start")
            + "\"\n"
            + "      health: { run: \"grep -qxF ${version} ${home}/running\", retries: 1 }\n"
            + "timeouts: { stop: 90s }\n"
            + extra);
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

  /** A node's events as {@code COMMAND VERSION}, in order. */
  private List<String> eventsOf(String node) throws IOException {
    if (!Files.exists(events)) {
      return List.of();
    }
    List<String> own = new ArrayList<>();
    for (String line : Files.readAllLines(events)) {
      String[] f = line.split(" ");
      if (f[1].equals(node)) {
        own.add(f[2] + " " + f[3]);
      }
    }
    return own;
  }

  private void assertCurrent(String node, String version) throws IOException {
    Path link = Files.readSymbolicLink(sim.nodeHome(node).resolve("current"));
    assertTrue(link.toString().endsWith("releases/" + version), node + " current -> " + link);
  }
}
