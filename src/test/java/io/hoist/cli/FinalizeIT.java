package io.hoist.cli;

import static io.hoist.cli.UpgradeJson.assertState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.testing.SimulatedCluster;
import io.hoist.testing.Snapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Undo until finalize, end to end over SSH: five simulated nodes (roles {@code web} x2 upgraded two
 * at a time, {@code store} x3 serial with a finalize command, the point of no return). An upgrade
 * ends "upgraded, not finalized"; {@code hoist rollback --cluster} then takes every node back byte
 * for byte, in reverse order; after {@code hoist finalize} a rollback refuses and changes nothing.
 *
 * <p>The product ({@code bin/ctl} in every release) appends {@code <ns> NODE COMMAND VERSION} to
 * one event log shared by the cluster; its {@code migrate} rewrites the node's data directory
 * (backed up); its {@code finalize} fails while a {@code fail-finalize} marker is in the node's
 * home.
 */
class FinalizeIT {

  private static final String OLD = "1.0.0";
  private static final String NEW = "1.1.0";

  private static final List<String> WEB = List.of("web-1", "web-2");
  private static final List<String> STORE = List.of("store-1", "store-2", "store-3");

  private static final String CTL =
      "#!/bin/bash\n"
          + "# ctl COMMAND NODE HOME EVENTS DATA\n"
          + "v=$(cat \"$(dirname \"$0\")/../VERSION\")\n"
          + "cmd=$1 node=$2 home=$3 events=$4 data=$5/$2\n"
          + "rc=0\n"
          + "case \"$cmd\" in\n"
          + "  start) echo \"$v\" > \"$home/running\" ;;\n"
          + "  stop) rm -f \"$home/running\" ;;\n"
          + "  migrate)\n"
          + "    echo \"format $v\" > \"$data/format\"\n"
          + "    head -c 256 /dev/urandom >> \"$data/table.bin\"\n"
          + "    rm -f \"$data/sub/old.log\" ;;\n"
          + "  finalize)\n"
          + "    if [ -f \"$home/fail-finalize\" ]; then echo \"cannot bump on $node\" >&2; rc=1;"
          + " else echo \"format bumped to $v\"; fi ;;\n"
          + "  *) echo \"ctl: unknown command $cmd\" >&2; exit 2 ;;\n"
          + "esac\n"
          + "echo \"$(date +%s%N) $node $cmd $v\" >> \"$events\"\n"
          + "exit $rc\n";

  @TempDir Path root;
  SimulatedCluster sim;
  CliRunner cli;
  Path events;
  Path data;

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
    data = root.resolve("data");
    pack(OLD);
    pack(NEW);
    // File order is not the plan's order.
    for (String node : List.of("store-1", "web-1", "store-2", "web-2", "store-3")) {
      sim.node(node, node.startsWith("web") ? "web" : "store", OLD);
      ctl(sim.nodeHome(node).resolve("releases").resolve(OLD));
      Files.writeString(sim.nodeHome(node).resolve("running"), OLD + "\n");
      fillData(node);
    }
    writeCluster("\"" + ctl("finalize") + "\"");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void anUpgradeEndsNotFinalizedAndARollbackTakesEveryNodeBackByteForByteInReverse()
      throws IOException {
    Map<String, Map<String, String>> before = snapshots();

    CliRunner.Result text = run("upgrade", "--cluster", "--yes", "--to", NEW);

    assertEquals(0, text.code(), text.toString());
    assertTrue(text.out().contains("UPGRADED, NOT FINALIZED"), text.out());
    assertTrue(text.out().contains("hoist finalize"), text.out());
    assertTrue(text.out().contains("hoist rollback --cluster"), text.out());
    for (String node : all()) {
      assertCurrent(node, NEW);
    }
    assertTrue(events().stream().noneMatch(e -> e.what().equals("finalize")), events().toString());
    JsonNode status = status();
    assertFalse(status.get("finalized").asBoolean(), status.toPrettyString());
    assertTrue(status.get("finalized").isBoolean(), status.toPrettyString());
    assertEquals(List.of("store"), strings(status.get("finalize_pending")));
    List<Event> upgrade = events();
    List<String> upgradeStore = firstSeen(upgrade, STORE);
    Files.delete(events);

    JsonNode rollback = json(run("--output", "json", "rollback", "--cluster", "--yes"));

    assertEquals(0, rollback.get("exit_code").asInt(), rollback.toPrettyString());
    for (String node : all()) {
      assertState(rollback, node, "rolled-back");
    }
    assertEquals(before, snapshots(), "every node exactly as before the upgrade");
    List<Event> back = events();
    // Reverse order: the serial role (upgraded last) first, its nodes in reverse, then web.
    assertEquals(reversed(upgradeStore), firstSeen(back, STORE), back.toString());
    long lastStore =
        back.stream()
            .filter(e -> STORE.contains(e.node()))
            .mapToLong(Event::ns)
            .max()
            .orElseThrow();
    long firstWeb =
        back.stream().filter(e -> WEB.contains(e.node())).mapToLong(Event::ns).min().orElseThrow();
    assertTrue(lastStore < firstWeb, "store before web: " + back);
    assertOneAtATime(back, STORE);
    for (String node : all()) {
      assertEquals(List.of("stop " + NEW, "start " + OLD), eventsOf(back, node), node);
    }
  }

  @Test
  void afterFinalizeARollbackRefusesAndChangesNothing() throws IOException {
    JsonNode up = json(run("--output", "json", "upgrade", "--cluster", "--yes", "--to", NEW));
    assertEquals(0, up.get("exit_code").asInt(), up.toPrettyString());
    assertFalse(up.get("finalized").asBoolean(), up.toPrettyString());
    assertTrue(up.get("finalized").isBoolean(), up.toPrettyString());
    assertEquals(List.of("store"), strings(up.get("finalize_pending")));
    List<String> upgradeStore = firstSeen(events(), STORE);
    Files.delete(events);

    JsonNode dry = json(run("--output", "json", "finalize", "--dry-run"));
    assertEquals(3, dry.get("steps").size(), dry.toPrettyString());
    assertTrue(events().isEmpty(), "a dry run runs nothing");

    JsonNode fin = json(run("--output", "json", "finalize", "--yes"));

    assertEquals(0, fin.get("exit_code").asInt(), fin.toPrettyString());
    assertTrue(fin.get("finalized").asBoolean(), fin.toPrettyString());
    // On each node of the role, one at a time, in the plan's order; never on web.
    List<Event> finalized = events();
    assertEquals(
        upgradeStore.stream().map(n -> n + " finalize " + NEW).toList(),
        finalized.stream().map(e -> e.node() + " " + e.what() + " " + e.version()).toList());
    for (String node : STORE) {
      String log = Files.readString(latestRunDir().resolve(node + ".log"));
      assertTrue(log.contains(" finalize stdout format bumped to " + NEW), log);
    }
    JsonNode status = status();
    assertTrue(status.get("finalized").asBoolean(), status.toPrettyString());

    Map<String, Map<String, String>> before = snapshots();
    CliRunner.Result refused = run("rollback", "--cluster", "--yes");

    assertEquals(3, refused.code(), refused.toString());
    assertTrue(refused.err().contains("was finalized at"), refused.err());
    assertTrue(refused.err().contains("restore from backup by hand"), refused.err());
    assertEquals(before, snapshots(), "nothing changed on any node");
    assertEquals(finalized.size(), events().size(), "no command ran");
    CliRunner.Result one = run("rollback", "store-2", "--yes");
    assertEquals(3, one.code(), one.toString());
    CliRunner.Result again = run("finalize", "--yes");
    assertEquals(3, again.code(), again.toString());
    assertTrue(again.err().contains("already finalized"), again.err());
  }

  @Test
  void aNewUpgradeIsRefusedUntilTheLastOneIsFinalizedOrRolledBack() throws IOException {
    CliRunner.Result up = run("upgrade", "--cluster", "--yes", "--to", NEW);
    assertEquals(0, up.code(), up.toString());
    Files.delete(events);
    Map<String, Map<String, String>> before = snapshots();

    CliRunner.Result refused = run("upgrade", "--cluster", "--yes", "--to", NEW, "--force");

    assertEquals(3, refused.code(), refused.toString());
    assertTrue(refused.err().contains("ended upgraded, not finalized"), refused.err());
    assertTrue(refused.err().contains("'hoist finalize'"), refused.err());
    assertTrue(refused.err().contains("'hoist rollback --cluster'"), refused.err());
    assertTrue(events().isEmpty(), "no command ran: " + events());
    assertEquals(before, snapshots(), "nothing changed on any node");
    // A dry run still shows the plan, and says the finalize is not run by it.
    JsonNode dry =
        json(run("--output", "json", "upgrade", "--cluster", "--dry-run", "--to", NEW, "--force"));
    assertTrue(
        dry.get("unverified").toString().contains("\"finalize-not-run\""), dry.toPrettyString());

    assertEquals(0, run("finalize", "--yes").code());
    CliRunner.Result after = run("upgrade", "--cluster", "--yes", "--to", NEW);
    assertEquals(0, after.code(), after.toString());
  }

  @Test
  void upgradeWithFinalizeFinalizesInTheSameRun() throws IOException {
    JsonNode up =
        json(run("--output", "json", "upgrade", "--cluster", "--yes", "--to", NEW, "--finalize"));

    assertEquals(0, up.get("exit_code").asInt(), up.toPrettyString());
    assertTrue(up.get("finalized").asBoolean(), up.toPrettyString());
    assertEquals(List.of(), strings(up.get("finalize_pending")));
    assertEquals(3, up.get("finalize").size(), up.toPrettyString());
    assertFinalizedAfterEveryUpgrade();
    assertEquals(3, run("rollback", "--cluster", "--yes").code());
  }

  @Test
  void whenAutoFinalizesInTheSameRun() throws IOException {
    writeCluster("{ run: \"" + ctl("finalize") + "\", when: auto }");

    JsonNode up = json(run("--output", "json", "upgrade", "--cluster", "--yes", "--to", NEW));

    assertEquals(0, up.get("exit_code").asInt(), up.toPrettyString());
    assertTrue(up.get("finalized").asBoolean(), up.toPrettyString());
    assertFinalizedAfterEveryUpgrade();
    CliRunner.Result again = run("finalize", "--yes");
    assertEquals(3, again.code(), again.toString());
  }

  @Test
  void aFailingFinalizeExitsFiveAndALaterFinalizeCompletesIt() throws IOException {
    assertEquals(0, run("upgrade", "--cluster", "--yes", "--to", NEW).code());
    List<String> order = firstSeen(events(), STORE);
    Files.writeString(sim.nodeHome(order.get(1)).resolve("fail-finalize"), "");

    CliRunner.Result failed = run("--output", "json", "finalize", "--yes");

    assertEquals(5, failed.code(), failed.toString());
    JsonNode json = json(failed);
    assertFalse(json.get("finalized").asBoolean(), json.toPrettyString());
    List<String> statuses = new ArrayList<>();
    json.get("steps")
        .forEach(s -> statuses.add(s.get("node").asText() + " " + s.get("status").asText()));
    assertEquals(
        List.of(order.get(0) + " ok", order.get(1) + " failed", order.get(2) + " not-started"),
        statuses);
    assertTrue(failed.err().contains(order.get(1)), failed.err());
    JsonNode status = status();
    assertFalse(status.get("finalized").asBoolean(), status.toPrettyString());
    // Partly finalized: the data format moved on on one node, so no rollback either.
    assertEquals(3, run("rollback", "--cluster", "--yes").code());

    Files.delete(sim.nodeHome(order.get(1)).resolve("fail-finalize"));
    CliRunner.Result done = run("--output", "json", "finalize", "--yes");

    assertEquals(0, done.code(), done.toString());
    assertTrue(json(done).get("finalized").asBoolean());
  }

  @Test
  void finalizeRefusesWithoutACompletedUpgrade() throws IOException {
    CliRunner.Result none = run("finalize", "--yes");
    assertEquals(3, none.code(), none.toString());
    assertTrue(none.err().contains("nothing to finalize"), none.err());

    // A failed upgrade: store's first node never turns healthy, rolled back.
    Files.writeString(sim.nodeHome("store-1").resolve("fail-health-" + NEW), "");
    CliRunner.Result up = run("upgrade", "--cluster", "--yes", "--to", NEW);
    assertTrue(up.code() == 4 || up.code() == 5, up.toString());
    CliRunner.Result failed = run("finalize", "--yes");
    assertEquals(3, failed.code(), failed.toString());
    assertTrue(failed.err().contains("failed"), failed.err());
  }

  // --- helpers

  private void assertFinalizedAfterEveryUpgrade() throws IOException {
    List<Event> all = events();
    long lastStart =
        all.stream().filter(e -> e.what().equals("start")).mapToLong(Event::ns).max().orElseThrow();
    List<Event> fin = all.stream().filter(e -> e.what().equals("finalize")).toList();
    assertEquals(3, fin.size(), all.toString());
    assertTrue(fin.get(0).ns() > lastStart, "finalize after every node is up: " + all);
    assertEquals(
        firstSeen(all.stream().filter(e -> !e.what().equals("finalize")).toList(), STORE),
        fin.stream().map(Event::node).toList());
  }

  private static List<String> all() {
    List<String> all = new ArrayList<>(WEB);
    all.addAll(STORE);
    return all;
  }

  private void writeCluster(String finalize) {
    String health =
        "      health: { run: \"grep -qxF ${version} ${home}/running"
            + " && test ! -f ${home}/fail-health-${version}\", retries: 1, interval: 200ms }\n";
    String product =
        "      stop: \""
            + ctl("stop")
            + "\"\n"
            + "      start: \""
            + ctl("start")
            + "\"\n"
            + "      migrate: \""
            + ctl("migrate")
            + "\"\n";
    sim.writeClusterFile(
        "role_order: [web, store]\n"
            + "roles:\n"
            + "  web:\n"
            + "    max_parallel: 2\n"
            + "    commands:\n"
            + product
            + health
            + "  store:\n"
            + "    serial: true\n"
            + "    finalize: "
            + finalize
            + "\n"
            + "    commands:\n"
            + product
            + health
            + "backup: { paths: [\""
            + data
            + "/${node}\"] }\n"
            + "timeouts: { stop: 6s }\n");
  }

  private String ctl(String command) {
    return "${home}/current/bin/ctl " + command + " ${node} ${home} " + events + " " + data;
  }

  private void fillData(String node) throws IOException {
    Path dir = Files.createDirectories(data.resolve(node).resolve("sub"));
    byte[] table = new byte[2048];
    new Random(node.hashCode()).nextBytes(table);
    Files.write(dir.resolveSibling("table.bin"), table);
    Files.writeString(dir.resolveSibling("format"), "format " + OLD + "\n");
    Files.write(dir.resolve("old.log"), new byte[] {'a', '\r', '\n', 0, (byte) 0xff});
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

  private static JsonNode json(CliRunner.Result result) throws IOException {
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertNotNull(json, result.toString());
    if (json.has("exit_code")) {
      assertEquals(result.code(), json.get("exit_code").asInt(), result.toString());
    }
    return json;
  }

  /** {@code hoist status}'s JSON (its exit_code is the run's, not its own). */
  private JsonNode status() throws IOException {
    CliRunner.Result result = run("--output", "json", "status");
    assertEquals(0, result.code(), result.toString());
    return new ObjectMapper().readTree(result.out());
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  private Path latestRunDir() throws IOException {
    Path runs = root.resolve("xdg-state").resolve("hoist").resolve("runs");
    try (var list = Files.list(runs)) {
      return list.sorted().reduce((a, b) -> b).orElseThrow();
    }
  }

  /**
   * Every node's home (except the release the upgrade staged, which stays as {@code hoist version
   * prepare} would leave it) and data directory.
   */
  private Map<String, Map<String, String>> snapshots() {
    Map<String, Map<String, String>> all = new LinkedHashMap<>();
    for (String node : all()) {
      Path dir = sim.nodeHome(node);
      Map<String, String> home = new LinkedHashMap<>(Snapshots.of(dir));
      home.keySet().removeIf(k -> k.startsWith("releases/" + NEW) || k.startsWith(".hoist"));
      // current is compared by the release it names (hoist writes the link absolute; the
      // simulated install wrote it relative).
      try {
        home.put("current", "link to " + dir.resolve("current").toRealPath());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      all.put(node + " home", home);
      all.put(node + " data", Snapshots.of(data.resolve(node)));
    }
    return all;
  }

  private void assertCurrent(String node, String version) throws IOException {
    Path link = Files.readSymbolicLink(sim.nodeHome(node).resolve("current"));
    assertTrue(link.toString().endsWith("releases/" + version), node + " current -> " + link);
  }

  // --- the event log

  private record Event(long ns, String node, String what, String version) {
    @Override
    public String toString() {
      return ns / 1_000_000 % 100_000 + "ms " + node + " " + what + " " + version;
    }
  }

  private List<Event> events() throws IOException {
    if (!Files.exists(events)) {
      return List.of();
    }
    List<Event> all = new ArrayList<>();
    for (String line : Files.readAllLines(events)) {
      String[] f = line.split(" ");
      assertEquals(4, f.length, line);
      all.add(new Event(Long.parseLong(f[0]), f[1], f[2], f[3]));
    }
    all.sort((a, b) -> Long.compare(a.ns(), b.ns()));
    return all;
  }

  private static List<String> eventsOf(List<Event> all, String node) {
    return all.stream()
        .filter(e -> e.node().equals(node))
        .map(e -> e.what() + " " + e.version())
        .toList();
  }

  private static List<String> firstSeen(List<Event> all, List<String> among) {
    Set<String> seen = new LinkedHashSet<>();
    all.stream().filter(e -> among.contains(e.node())).forEach(e -> seen.add(e.node()));
    return List.copyOf(seen);
  }

  private static List<String> reversed(List<String> list) {
    List<String> copy = new ArrayList<>(list);
    java.util.Collections.reverse(copy);
    return copy;
  }

  /** The nodes were down one at a time: each one's stop..start interval overlaps no other's. */
  private static void assertOneAtATime(List<Event> all, List<String> nodes) {
    List<long[]> down = new ArrayList<>();
    for (String node : nodes) {
      Long stop = null;
      for (Event e : all) {
        if (!e.node().equals(node)) {
          continue;
        }
        if (e.what().equals("stop")) {
          stop = e.ns();
        } else if (e.what().equals("start") && stop != null) {
          down.add(new long[] {stop, e.ns()});
          stop = null;
        }
      }
    }
    for (int i = 0; i < down.size(); i++) {
      for (int j = i + 1; j < down.size(); j++) {
        long[] x = down.get(i);
        long[] y = down.get(j);
        assertTrue(x[1] < y[0] || y[1] < x[0], "two serial nodes down at once: " + all);
      }
    }
  }
}
