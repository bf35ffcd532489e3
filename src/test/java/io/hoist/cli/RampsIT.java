package io.hoist.cli;

import static io.hoist.cli.UpgradeJson.assertState;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ramps ({@code batches: [1, 5, "20%"]}), failure domains ({@code zone}, {@code by_zone}) and the
 * honest dry run, end to end over embedded SSH nodes.
 *
 * <p>The product ({@code bin/ctl} in every release) appends {@code <ns> NODE COMMAND VERSION} to
 * one event log shared by the whole cluster: a node is down between its {@code stop} and its next
 * {@code start}. So that "the nodes of one batch are down together" is a fact to check and not a
 * race, a node's {@code start} first waits (at most 10 s) until every node listed in its home's
 * {@code peers} file (the other nodes of its batch in the plan) has logged its stop: when hoist
 * runs them together they all stop before any starts; when it does not, the wait runs out and the
 * assertion fails.
 */
class RampsIT {

  private static final String OLD = "1.0.0";
  private static final String NEW = "1.1.0";
  private static final String NEXT = "1.2.0";

  private static final String CTL =
      "#!/bin/bash\n"
          + "# ctl COMMAND NODE HOME EVENTS\n"
          + "v=$(cat \"$(dirname \"$0\")/../VERSION\")\n"
          + "cmd=$1 node=$2 home=$3 events=$4\n"
          + "case \"$cmd\" in\n"
          + "  start)\n"
          + "    if [ -f \"$home/peers\" ]; then\n"
          + "      for i in $(seq 1 200); do\n"
          + "        all=1\n"
          + "        for p in $(cat \"$home/peers\"); do\n"
          + "          grep -q \" $p stop \" \"$events\" || all=0\n"
          + "        done\n"
          + "        [ $all = 1 ] && break\n"
          + "        sleep 0.05\n"
          + "      done\n"
          + "    fi\n"
          + "    echo \"$v\" > \"$home/running\" ;;\n"
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
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void aRampOfOneFiveAndTwentyPercentOnTwelveNodesRunsExactlyThoseBatches() throws IOException {
    List<String> nodes = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      nodes.add(node("web-" + i, "web"));
    }
    writeCluster("web", "  web:\n    batches: [1, 5, \"20%\"]\n" + commands());

    JsonNode plan = plan(NEW);
    List<List<String>> batches = planBatches(plan);
    // 20% of 12 is 2.4, rounded down: 2; the last entry repeats until the role is done.
    assertEquals(
        List.of(
            List.of("web-1"),
            List.of("web-2", "web-3", "web-4", "web-5", "web-6"),
            List.of("web-7", "web-8"),
            List.of("web-9", "web-10"),
            List.of("web-11", "web-12")),
        batches,
        plan.toPrettyString());
    peers(batches);

    JsonNode json = upgrade(NEW);

    assertEquals(0, json.get("exit_code").asInt(), json.toPrettyString());
    nodes.forEach(n -> assertState(json, n, "upgraded"));
    assertBatchByBatch(batches, events());
  }

  @Test
  void byZoneNeverMixesZonesInABatchAndFinishesOneZoneBeforeTheNext() throws IOException {
    // Three zones of three nodes, interleaved in the file: zone order a, b, c (first nodes).
    String[] zones = {"a", "b", "a", "c", "b", "a", "c", "b", "c"};
    Map<String, String> zoneOf = new TreeMap<>();
    for (int i = 0; i < zones.length; i++) {
      String name = node("web-" + (i + 1), "web");
      sim.zone(name, zones[i]);
      zoneOf.put(name, zones[i]);
    }
    writeCluster("web", "  web:\n    batches: [2]\n    by_zone: true\n" + commands());

    JsonNode plan = plan(NEW);
    List<List<String>> batches = planBatches(plan);
    List<String> batchZones = new ArrayList<>();
    for (JsonNode batch : plan.at("/hops/0/batches")) {
      batchZones.add(batch.get("zone").asText());
      for (JsonNode n : batch.get("nodes")) {
        assertEquals(batch.get("zone").asText(), n.get("zone").asText(), plan.toPrettyString());
      }
    }
    assertEquals(List.of("a", "a", "b", "b", "c", "c"), batchZones, plan.toPrettyString());
    assertEquals(List.of(2, 1, 2, 1, 2, 1), batches.stream().map(List::size).toList());
    peers(batches);

    JsonNode json = upgrade(NEW);

    assertEquals(0, json.get("exit_code").asInt(), json.toPrettyString());
    List<Event> all = events();
    assertBatchByBatch(batches, all);
    for (List<String> batch : batches) {
      assertEquals(
          1, batch.stream().map(zoneOf::get).distinct().count(), "a batch mixes zones: " + batch);
    }
    // Every start of a zone is logged before the next zone's first stop.
    List<String> order = List.of("a", "b", "c");
    for (int z = 1; z < order.size(); z++) {
      String previous = order.get(z - 1);
      String next = order.get(z);
      long lastStart =
          all.stream()
              .filter(e -> e.what().equals("start") && zoneOf.get(e.node()).equals(previous))
              .mapToLong(Event::ns)
              .max()
              .orElseThrow();
      long firstStop =
          all.stream()
              .filter(e -> e.what().equals("stop") && zoneOf.get(e.node()).equals(next))
              .mapToLong(Event::ns)
              .min()
              .orElseThrow();
      assertTrue(lastStart < firstStop, "zone " + next + " began before " + previous + ": " + all);
      assertEquals(
          3,
          all.stream()
              .filter(
                  e ->
                      e.what().equals("start")
                          && zoneOf.get(e.node()).equals(previous)
                          && e.ns() < firstStop)
              .count(),
          "every node of zone " + previous + " started before zone " + next + ": " + all);
    }
  }

  @Test
  void aDryRunAfterARealRunReportsMeasuredDowntimesAndWhatItCouldNotVerify() throws IOException {
    for (int i = 1; i <= 3; i++) {
      node("web-" + i, "web");
    }
    node("db-1", "db");
    node("db-2", "db");
    writeCluster(
        "web, db",
        "  web:\n    batches: [1, 2]\n"
            + commands()
            + "  db:\n    serial: true\n    leader: \"test -f ${home}/leader\"\n"
            + commands());
    Files.writeString(sim.nodeHome("db-1").resolve("leader"), "");

    // Before any run: upper bounds from the timeouts.
    JsonNode before = plan(NEW);
    for (JsonNode role : before.at("/impact/roles")) {
      assertEquals("timeouts", role.get("source").asText(), before.toPrettyString());
      assertTrue(
          role.get("basis").asText().startsWith("upper bound from timeouts: stop 90s + switch 3m"),
          role.toPrettyString());
    }

    JsonNode run = upgrade(NEW);
    assertEquals(0, run.get("exit_code").asInt(), run.toPrettyString());
    pack(NEXT);

    JsonNode plan = plan(NEXT);

    JsonNode roles = plan.at("/impact/roles");
    assertEquals(2, roles.size(), plan.toPrettyString());
    JsonNode web = roles.get(0);
    assertEquals("web", web.get("role").asText());
    assertEquals("measured", web.get("source").asText(), web.toPrettyString());
    assertEquals(1, web.get("runs").asInt());
    assertEquals(3, web.get("samples").asInt());
    assertEquals(2, web.get("batches").asInt());
    assertEquals(web.get("per_node_ms").asLong() * 2, web.get("total_ms").asLong());
    JsonNode db = roles.get(1);
    assertEquals("measured", db.get("source").asText(), db.toPrettyString());
    assertEquals(2, db.get("samples").asInt());
    JsonNode firstNode = plan.at("/impact/nodes/0");
    assertEquals("web-1", firstNode.get("node").asText());
    assertTrue(
        firstNode.get("stops").get(0).asText().contains("bin/ctl stop web-1"),
        firstNode.toPrettyString());
    List<String> kinds = new ArrayList<>();
    plan.get("unverified").forEach(u -> kinds.add(u.get("kind").asText()));
    assertEquals(
        List.of(
            "health-after-switch",
            "leader-at-run-time",
            "release-not-fetched",
            "state-can-change",
            "measured-on-earlier-releases"),
        kinds,
        plan.toPrettyString());

    CliRunner.Result text = run("upgrade", "--cluster", "--dry-run", "--to", NEXT);
    assertEquals(0, text.code(), text.toString());
    assertTrue(text.out().contains("Expected downtime:"), text.out());
    assertTrue(text.out().contains("role web: 3 nodes in 2 batches; one node about "), text.out());
    assertTrue(text.out().contains("(measured over 1 earlier run (3 node upgrades)"), text.out());
    assertTrue(text.out().contains("Not verified by this dry run:"), text.out());
    assertTrue(
        text.out().contains("the leader of serial role db is asked at run time"), text.out());
  }

  @Test
  void aStateDirectoryThatCannotBeUsedLeavesTheDryRunOnTheTimeouts() throws IOException {
    node("web-1", "web");
    writeCluster("web", "  web:\n" + commands());
    Path notADirectory = Files.writeString(root.resolve("state-file"), "");
    cli.env("HOIST_STATE_DIR", notADirectory.toString());

    CliRunner.Result result =
        run("--output", "json", "upgrade", "--cluster", "--dry-run", "--to", NEW);

    assertEquals(0, result.code(), result.toString());
    assertTrue(result.err().contains("earlier runs not read"), result.toString());
    JsonNode plan = new ObjectMapper().readTree(result.out());
    assertEquals("timeouts", plan.at("/impact/roles/0/source").asText(), plan.toPrettyString());
  }

  // --- the cluster

  /** Adds a node on {@code OLD} with the product installed; returns its name. */
  private String node(String name, String role) throws IOException {
    sim.node(name, role, OLD);
    ctl(sim.nodeHome(name).resolve("releases").resolve(OLD));
    return name;
  }

  private String commands() {
    return "    commands:\n"
        + "      stop: \""
        + ctl("stop")
        + "\"\n"
        + "      start: \""
        + ctl("start")
        + "\"\n"
        + "      health: { run: \"grep -qxF ${version} ${home}/running\", retries: 1, interval:"
        + " 300ms }\n";
  }

  private void writeCluster(String order, String roles) {
    sim.writeClusterFile("role_order: [" + order + "]\nroles:\n" + roles);
  }

  private String ctl(String command) {
    return "${home}/current/bin/ctl " + command + " ${node} ${home} " + events;
  }

  /** Each node's {@code peers}: the other nodes of its batch, whose stops its start waits for. */
  private void peers(List<List<String>> batches) throws IOException {
    for (List<String> batch : batches) {
      for (String node : batch) {
        Files.writeString(sim.nodeHome(node).resolve("peers"), String.join("\n", batch) + "\n");
      }
    }
  }

  private static void ctl(Path release) throws IOException {
    EventLogProduct.install(release, CTL);
  }

  private void pack(String version) throws IOException {
    EventLogProduct.pack(cli, root.resolve("src"), sim.repositoryDir(), version, CTL);
  }

  // --- the command line

  private CliRunner.Result run(String... args) {
    List<String> all = new ArrayList<>(List.of("-c", sim.clusterFile().toString()));
    all.addAll(List.of(args));
    return cli.run(all.toArray(String[]::new));
  }

  private JsonNode upgrade(String to) throws IOException {
    CliRunner.Result result = run("--output", "json", "upgrade", "--cluster", "--yes", "--to", to);
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertNotNull(json, result.toString());
    assertEquals(result.code(), json.get("exit_code").asInt(), result.toString());
    return json;
  }

  private JsonNode plan(String to) throws IOException {
    CliRunner.Result result =
        run("--output", "json", "upgrade", "--cluster", "--dry-run", "--to", to);
    assertEquals(0, result.code(), result.toString());
    return new ObjectMapper().readTree(result.out());
  }

  /** {@code .hops[].batches[].nodes[].node}, one list per batch. */
  private static List<List<String>> planBatches(JsonNode plan) {
    List<List<String>> batches = new ArrayList<>();
    for (JsonNode hop : plan.get("hops")) {
      for (JsonNode batch : hop.get("batches")) {
        List<String> nodes = new ArrayList<>();
        batch.get("nodes").forEach(n -> nodes.add(n.get("node").asText()));
        batches.add(nodes);
      }
    }
    return batches;
  }

  // --- the event log

  private record Event(long ns, String node, String what, String version) {
    @Override
    public String toString() {
      return ns / 1_000_000 % 100_000 + "ms " + node + " " + what + " " + version;
    }
  }

  private List<Event> events() throws IOException {
    List<Event> all = new ArrayList<>();
    for (String line : Files.readAllLines(events)) {
      String[] f = line.split(" ");
      assertEquals(4, f.length, line);
      all.add(new Event(Long.parseLong(f[0]), f[1], f[2], f[3]));
    }
    // Appended by several processes: order by time (each node's own events are in order anyway).
    all.sort((a, b) -> Long.compare(a.ns(), b.ns()));
    return all;
  }

  /**
   * The event log shows exactly these batches: every node stopped once and started once on the new
   * release; the nodes of one batch all stopped before any of them started (down together); and the
   * next batch's first stop comes after this batch's last start.
   */
  private static void assertBatchByBatch(List<List<String>> batches, List<Event> all) {
    Set<String> planned = new LinkedHashSet<>();
    batches.forEach(planned::addAll);
    Set<String> seen = new LinkedHashSet<>();
    all.forEach(e -> seen.add(e.node()));
    assertEquals(planned, seen, all.toString());
    Long previousLastStart = null;
    for (List<String> batch : batches) {
      long firstStop = Long.MAX_VALUE;
      long lastStop = Long.MIN_VALUE;
      long firstStart = Long.MAX_VALUE;
      long lastStart = Long.MIN_VALUE;
      for (String node : batch) {
        List<Event> mine = all.stream().filter(e -> e.node().equals(node)).toList();
        assertEquals(2, mine.size(), node + ": " + all);
        Event stop = mine.get(0);
        Event start = mine.get(1);
        assertEquals("stop " + OLD, stop.what() + " " + stop.version(), node + ": " + all);
        assertEquals("start " + NEW, start.what() + " " + start.version(), node + ": " + all);
        firstStop = Math.min(firstStop, stop.ns());
        lastStop = Math.max(lastStop, stop.ns());
        firstStart = Math.min(firstStart, start.ns());
        lastStart = Math.max(lastStart, start.ns());
      }
      assertTrue(lastStop < firstStart, "batch " + batch + " was not down together: " + all);
      if (previousLastStart != null) {
        assertTrue(
            previousLastStart < firstStop,
            "batch " + batch + " began before the previous batch was back: " + all);
      }
      previousLastStart = lastStart;
    }
  }
}
