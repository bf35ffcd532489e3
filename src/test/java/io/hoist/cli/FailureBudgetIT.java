package io.hoist.cli;

import static io.hoist.cli.UpgradeJson.assertState;
import static io.hoist.cli.UpgradeJson.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.testing.SimulatedCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoist upgrade --on-failure skip --max-failures N|N%} end to end: six {@code web} nodes
 * upgraded one at a time, then two {@code db} nodes of a serial role, over SSH. The product ({@code
 * bin/ctl}) appends {@code <ns> NODE COMMAND VERSION} to one shared event log; a node's health
 * check fails while a {@code fail-health-VERSION} marker is in its home.
 */
class FailureBudgetIT {

  private static final String OLD = "1.0.0";
  private static final String NEW = "1.1.0";

  private static final List<String> WEB =
      List.of("web-1", "web-2", "web-3", "web-4", "web-5", "web-6");

  private static final List<String> DB = List.of("db-1", "db-2");

  private static final String CTL =
      "#!/bin/bash\n"
          + "# ctl COMMAND NODE HOME EVENTS\n"
          + "v=$(cat \"$(dirname \"$0\")/../VERSION\")\n"
          + "cmd=$1 node=$2 home=$3 events=$4\n"
          + "case \"$cmd\" in\n"
          + "  start) echo \"$v\" > \"$home/running\" ;;\n"
          + "  stop) rm -f \"$home/running\" ;;\n"
          + "  *) echo \"ctl: unknown command $cmd\" >&2; exit 2 ;;\n"
          + "esac\n"
          + "echo \"$(date +%s%N) $node $cmd $v\" >> \"$events\"\n";

  @TempDir Path root;
  SimulatedCluster sim;
  CliRunner cli;
  Path events;

  @BeforeEach
  void start() throws IOException {
    assertTrue(
        root.toString().matches("[A-Za-z0-9/._-]+"),
        "the test writes paths unquoted into commands: " + root);
    sim = SimulatedCluster.in(root, false);
    cli =
        new CliRunner(sim.home(), root)
            .env("XDG_STATE_HOME", root.resolve("xdg-state").toString())
            .env("XDG_CACHE_HOME", root.resolve("xdg-cache").toString());
    events = root.resolve("events");
    pack(OLD);
    pack(NEW);
    for (String node : WEB) {
      sim.node(node, "web", OLD);
      ctl(sim.nodeHome(node).resolve("releases").resolve(OLD));
    }
    for (String node : DB) {
      sim.node(node, "db", OLD);
      ctl(sim.nodeHome(node).resolve("releases").resolve(OLD));
    }
    writeCluster();
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void aBudgetOfOneSkipsTheFirstFailureAndTheSecondStopsTheRun() throws IOException {
    failHealth("web-2");
    failHealth("web-4");

    JsonNode json = upgrade(5, "--max-failures", "1");

    assertState(json, "web-1", "upgraded");
    assertState(json, "web-2", "skipped");
    assertState(json, "web-3", "upgraded");
    assertState(json, "web-4", "failed-rolled-back");
    for (String node : List.of("web-5", "web-6", "db-1", "db-2")) {
      assertState(json, node, "not-started");
      assertEquals(List.of(), eventsOf(node), node + " was never touched");
    }
    // The skipped node was rolled back as with --on-failure rollback, and found healthy again.
    assertEquals(
        List.of("stop " + OLD, "start " + NEW, "stop " + NEW, "start " + OLD), eventsOf("web-2"));
    assertCurrent("web-2", OLD);
    assertEquals(true, node(json, "web-2").get("healthy").asBoolean());
    assertEquals(1, json.get("max_failures").asInt(), json.toPrettyString());
    assertEquals(2, json.get("failures").asInt());
    assertEquals(1, json.get("skipped").size(), json.toPrettyString());
    JsonNode skipped = json.get("skipped").get(0);
    assertEquals("web-2", skipped.get("node").asText());
    assertEquals("post-validate", skipped.get("failed_phase").asText());
    assertTrue(!skipped.get("message").asText().isEmpty(), skipped.toString());
    assertTrue(json.get("message").asText().startsWith("NOT every node"), json.toString());

    // The text summary cannot be taken for a clean run, and 'hoist status' knows the skip.
    JsonNode status = status();
    assertEquals("skipped", statusNode(status, "web-2").get("state").asText());
    assertEquals("post-validate", statusNode(status, "web-2").get("failed_phase").asText());
    assertEquals("1", status.get("max_failures").asText());
    CliRunner.Result text = run("status");
    assertTrue(text.out().contains("SKIPPED within the failure budget 1"), text.toString());

    // A resume counts the failure already spent and does not retry the skipped node.
    Files.delete(sim.nodeHome("web-4").resolve("fail-health-" + NEW));
    List<String> web2Before = eventsOf("web-2");
    CliRunner.Result resumed = run("--output", "json", "upgrade", "--resume", "--yes");
    JsonNode after = new ObjectMapper().readTree(resumed.out());
    assertNotNull(after, resumed.toString());
    assertEquals(5, resumed.code(), resumed.toString());
    assertEquals(web2Before, eventsOf("web-2"), "a skipped node is not retried by a resume");
    assertState(after, "web-2", "skipped");
    for (String node : List.of("web-4", "web-5", "web-6", "db-1", "db-2")) {
      assertState(after, node, "upgraded");
      assertCurrent(node, NEW);
    }
    assertEquals(1, after.get("max_failures").asInt(), after.toPrettyString());
    assertEquals(1, after.get("failures").asInt(), "web-2, spent by the first run");
    assertEquals("web-2", after.at("/skipped/0/node").asText());
  }

  @Test
  void aBudgetOfTwoGoesPastTwoFailuresAndExitsFive() throws IOException {
    failHealth("web-2");
    failHealth("web-4");

    CliRunner.Result result =
        run(
            "upgrade",
            "--cluster",
            "--yes",
            "--to",
            NEW,
            "--on-failure",
            "skip",
            "--max-failures",
            "2");

    assertEquals(5, result.code(), result.toString());
    String out = result.out();
    assertTrue(out.lines().findFirst().orElse("").contains("2 NODES SKIPPED"), "headline: " + out);
    assertTrue(out.contains("Skipped (rolled back"), out);
    assertTrue(out.contains("  web-2: node web-2, post-validate"), out);
    assertTrue(out.contains("  web-4: node web-4, post-validate"), out);
    assertTrue(out.contains("NOT every node is at " + NEW), out);
    JsonNode status = status();
    assertEquals("skipped", statusNode(status, "web-2").get("state").asText());
    assertEquals("skipped", statusNode(status, "web-4").get("state").asText());
    for (String node : List.of("web-1", "web-3", "web-5", "web-6", "db-1", "db-2")) {
      assertEquals("done", statusNode(status, node).get("state").asText(), node);
      assertCurrent(node, NEW);
    }
    assertCurrent("web-2", OLD);
    assertCurrent("web-4", OLD);
    // Nothing left but the skipped nodes: a resume says so and touches nothing.
    long before = Files.readAllLines(events).size();
    CliRunner.Result resumed = run("upgrade", "--resume", "--yes");
    assertEquals(5, resumed.code(), resumed.toString());
    assertTrue(resumed.out().contains("does not retry skipped nodes"), resumed.toString());
    assertEquals(before, Files.readAllLines(events).size());
  }

  @Test
  void skipNeverAppliesToASerialRole() throws IOException {
    failHealth("db-1");

    JsonNode json = upgrade(5, "--max-failures", "5");

    for (String node : WEB) {
      assertState(json, node, "upgraded");
    }
    assertState(json, "db-1", "failed-rolled-back");
    assertState(json, "db-2", "not-started");
    assertEquals(List.of(), eventsOf("db-2"));
    assertEquals(0, json.get("skipped").size(), json.toPrettyString());
    assertEquals(1, json.get("failures").asInt());
  }

  @Test
  void aPercentageIsOfTheNodesUpgradedRoundedDown() throws IOException {
    failHealth("web-2");
    failHealth("web-4");

    // 25% of 8 nodes: 2.
    JsonNode json = upgrade(5, "--max-failures", "25%");

    assertEquals(2, json.get("max_failures").asInt(), json.toPrettyString());
    assertState(json, "web-2", "skipped");
    assertState(json, "web-4", "skipped");
    assertState(json, "db-2", "upgraded");
  }

  @Test
  void aPercentageRoundedDownToZeroStopsAtTheFirstFailure() throws IOException {
    failHealth("web-2");

    // 12% of 8 nodes: 0.96, so 0.
    JsonNode json = upgrade(5, "--max-failures", "12%");

    assertEquals(0, json.get("max_failures").asInt(), json.toPrettyString());
    assertState(json, "web-2", "failed-rolled-back");
    assertState(json, "web-3", "not-started");
  }

  @Test
  void combinationsThatCannotWorkAreUsageErrorsAndTouchNothing() throws IOException {
    for (List<String> args :
        List.of(
            List.of("--on-failure", "skip"),
            List.of("--max-failures", "2", "--on-failure", "stop"),
            List.of("--max-failures", "2", "--mode", "one-shot"),
            List.of("--max-failures", "2", "--prepare-only"),
            List.of("--max-failures", "two"),
            List.of("--max-failures", "150%"),
            List.of("--on-failure", "ignore"))) {
      List<String> all = new ArrayList<>(List.of("upgrade", "--cluster", "--yes", "--to", NEW));
      all.addAll(args);
      CliRunner.Result result = run(all.toArray(String[]::new));
      assertEquals(2, result.code(), args + ": " + result);
    }
    CliRunner.Result noBudget = run("upgrade", "--cluster", "--yes", "--on-failure", "skip");
    assertTrue(noBudget.err().contains("--max-failures"), noBudget.toString());
    assertTrue(!Files.exists(events), "no node was touched");
  }

  // --- fixtures

  private void failHealth(String node) throws IOException {
    Files.writeString(sim.nodeHome(node).resolve("fail-health-" + NEW), "");
  }

  private void writeCluster() {
    String commands =
        "    commands:\n"
            + "      stop: \""
            + ctl("stop")
            + "\"\n"
            + "      start: \""
            + ctl("start")
            + "\"\n"
            + "      health: { run: \"grep -qxF ${version} ${home}/running"
            + " && test ! -f ${home}/fail-health-${version}\", retries: 1, interval: 200ms }\n";
    sim.writeClusterFile(
        "role_order: [web, db]\n"
            + "roles:\n"
            + "  web:\n"
            + "    max_parallel: 1\n"
            + commands
            + "  db:\n"
            + "    serial: true\n"
            + commands
            + "timeouts: { stop: 10s }\n");
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

  /**
   * {@code hoist --output json upgrade --cluster --yes --to 1.1.0 EXTRA...}: its exit, its JSON.
   */
  private JsonNode upgrade(int code, String... extra) throws IOException {
    List<String> args =
        new ArrayList<>(List.of("--output", "json", "upgrade", "--cluster", "--yes", "--to", NEW));
    args.addAll(List.of(extra));
    CliRunner.Result result = run(args.toArray(String[]::new));
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertNotNull(json, result.toString());
    assertEquals(code, result.code(), result.toString());
    assertEquals(code, json.get("exit_code").asInt(), result.toString());
    return json;
  }

  private JsonNode status() throws IOException {
    CliRunner.Result result = run("--output", "json", "status");
    assertEquals(0, result.code(), result.toString());
    return new ObjectMapper().readTree(result.out());
  }

  private static JsonNode statusNode(JsonNode status, String name) {
    for (JsonNode n : status.get("nodes")) {
      if (n.get("node").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError("no node " + name + " in " + status.toPrettyString());
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
