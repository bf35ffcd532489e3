package io.hoist.cli;

import static io.hoist.cli.UpgradeJson.assertState;
import static io.hoist.cli.UpgradeJson.node;
import static io.hoist.cli.UpgradeJson.phase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.testing.SimulatedCluster;
import io.hoist.testing.Snapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
 * The rolling {@code hoist upgrade --cluster --yes} end to end: six simulated nodes over SSH (roles
 * {@code web} x2 upgraded two at a time with retire/rejoin, {@code db} x3 serial with a leader and
 * a settle time, {@code mq} x1 with no place in the role order), listed in a file order that is not
 * the plan's order.
 *
 * <p>The product ({@code bin/ctl} in every release) appends {@code <ns> NODE COMMAND VERSION} to
 * one event log shared by the whole cluster, {@code VERSION} being the release the script belongs
 * to (the running one for {@code stop}, the started one for {@code start}): a node is down between
 * its {@code stop} and its next {@code start}. Its {@code migrate} (db and mq) rewrites, deletes
 * and adds files in the node's part of the backed-up data directory; its health check passes when
 * the release it was asked about runs and no {@code fail-health-VERSION} marker is in the node's
 * home.
 */
class RollingUpgradeIT {

  private static final String OLD = "1.0.0";
  private static final String NEW = "1.1.0";

  /** A simulated node: its name and its one role. */
  private record Member(String name, String role) {}

  /** The nodes in file order (deliberately not the plan's order). */
  private static final List<Member> MEMBERS =
      List.of(
          new Member("db-1", "db"),
          new Member("web-1", "web"),
          new Member("db-2", "db"),
          new Member("mq-1", "mq"),
          new Member("web-2", "web"),
          new Member("db-3", "db"));

  private static final List<String> ALL = MEMBERS.stream().map(Member::name).toList();

  private static final List<String> DB = List.of("db-1", "db-2", "db-3");

  /** The db role's settle time, in the cluster file and in nanoseconds. */
  private static final String SETTLE = "500ms";

  private static final long SETTLE_NS = 500_000_000L;

  private static final String CTL =
      "#!/bin/bash\n"
          + "# ctl COMMAND NODE HOME EVENTS DATA\n"
          + "v=$(cat \"$(dirname \"$0\")/../VERSION\")\n"
          + "cmd=$1 node=$2 home=$3 events=$4 data=$5/$2\n"
          + "rc=0\n"
          + "case \"$cmd\" in\n"
          + "  start)\n"
          + "    if [ -f \"$home/delete-on-start\" ]; then\n"
          + "      rm -rf -- \"$(cat \"$home/delete-on-start\")\"\n"
          + "    fi\n"
          + "    echo \"$v\" > \"$home/running\" ;;\n"
          + "  stop) rm -f \"$home/running\" ;;\n"
          + "  migrate)\n"
          + "    echo \"schema $v\" > \"$data/schema\"\n"
          + "    head -c 512 /dev/urandom >> \"$data/table.bin\"\n"
          + "    rm -f \"$data/sub/old.log\"\n"
          + "    : > \"$data/notes.txt\" ;;\n"
          + "  retire) if [ -f \"$home/stuck\" ]; then rc=1; fi ;;\n"
          + "  rejoin) ;;\n"
          + "  *) echo \"ctl: unknown command $cmd\" >&2; exit 2 ;;\n"
          + "esac\n"
          + "echo \"$(date +%s%N) $node $cmd $v\" >> \"$events\"\n"
          + "exit $rc\n";

  @TempDir Path root;
  SimulatedCluster sim;
  CliRunner cli;
  Path events;
  Path data;
  Path after;

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
    after = root.resolve("after");
    pack(OLD);
    pack(NEW);
    for (Member member : MEMBERS) {
      sim.node(member.name(), member.role(), OLD);
      ctl(sim.nodeHome(member.name()).resolve("releases").resolve(OLD));
      fillData(member.name());
    }
    writeCluster(null);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  // --- order

  @Test
  void nodesGoInThePlansOrderBatchByBatch() throws IOException {
    // No node answers the leader command: the run keeps the plan's order, with a warning.
    List<List<String>> batches = planBatches();
    assertEquals(
        List.of(List.of("web-1", "web-2"), List.of("db-1"), List.of("db-2"), List.of("db-3")),
        batches.subList(0, 4),
        "role order web, db; web two at a time; db one at a time");
    assertEquals(List.of(List.of("mq-1")), batches.subList(4, batches.size()), "no role: last");

    JsonNode json = upgrade();

    assertEquals(0, json.get("exit_code").asInt(), json.toPrettyString());
    assertEquals(1, json.get("warnings").size(), json.toPrettyString());
    assertTrue(
        json.get("warnings").get(0).asText().contains("no node answered the leader command"),
        json.toPrettyString());
    assertInBatchOrder(batches, events());
    for (String node : ALL) {
      assertState(json, node, "upgraded");
      assertCurrent(node, NEW);
    }
    assertEquals(
        List.of("retire " + OLD, "stop " + OLD, "start " + NEW, "rejoin " + NEW),
        eventsOf("web-1"));
    assertEquals(List.of("stop " + OLD, "start " + NEW, "migrate " + NEW), eventsOf("db-2"));
    assertEquals(1, afterRuns());
  }

  @Test
  void neverTwoSerialNodesDownAtOnceAndSettleIsKept() throws IOException {
    leader("db-1");

    JsonNode json = upgrade();

    assertEquals(0, json.get("exit_code").asInt(), json.toPrettyString());
    List<Event> all = events();
    Map<String, List<long[]>> down = new LinkedHashMap<>();
    for (String node : DB) {
      down.put(node, downIntervals(all, node));
      assertEquals(1, down.get(node).size(), node + " went down once: " + all);
    }
    for (String a : DB) {
      for (String b : DB) {
        if (a.compareTo(b) < 0) {
          long[] x = down.get(a).get(0);
          long[] y = down.get(b).get(0);
          assertTrue(
              x[1] < y[0] || y[1] < x[0], a + " and " + b + " were down at the same time: " + all);
        }
      }
    }
    // settle: the next db node goes down at least SETTLE after the previous one's last event.
    List<String> dbOrder = firstSeen(all.stream().filter(e -> DB.contains(e.node())).toList());
    assertEquals(3, dbOrder.size(), all.toString());
    for (int i = 1; i < dbOrder.size(); i++) {
      long previousLast = lastEvent(all, dbOrder.get(i - 1)).ns();
      long nextStop = down.get(dbOrder.get(i)).get(0)[0];
      assertTrue(
          nextStop - previousLast >= SETTLE_NS * 9 / 10,
          dbOrder.get(i)
              + " went down "
              + (nextStop - previousLast) / 1_000_000
              + "ms after "
              + dbOrder.get(i - 1)
              + " was back; settle is "
              + SETTLE);
    }
  }

  @Test
  void theLeaderOfTheSerialRoleGoesLast() throws IOException {
    leader("db-1");
    JsonNode plan = plan();
    // The plan lists db-1 first (file order) and says the leader is found at run time.
    List<List<String>> batches = planBatches(plan);
    assertEquals(List.of("db-1"), batches.get(1));
    JsonNode dbBatch = plan.get("hops").get(0).get("batches").get(1);
    assertTrue(dbBatch.get("serial").asBoolean(), dbBatch.toPrettyString());
    assertFalse(dbBatch.get("leader_probe").isNull(), dbBatch.toPrettyString());

    JsonNode json = upgrade();

    assertEquals(0, json.get("exit_code").asInt(), json.toPrettyString());
    assertEquals(0, json.get("warnings").size(), json.toPrettyString());
    List<Event> all = events();
    assertEquals(
        List.of("web-1", "web-2", "db-2", "db-3", "db-1", "mq-1"),
        normalizeFirstBatch(firstSeen(all)),
        all.toString());
    long leaderFirst =
        all.stream().filter(e -> e.node().equals("db-1")).findFirst().orElseThrow().ns();
    for (String other : List.of("db-2", "db-3")) {
      assertTrue(lastEvent(all, other).ns() < leaderFirst, other + " ended before db-1: " + all);
    }
    for (String node : ALL) {
      assertCurrent(node, NEW);
    }
  }

  // --- a failed node

  @Test
  void aFailedHealthCheckRollsTheNodeBackRestoresItsDataAndLeavesLaterNodesUntouched()
      throws IOException {
    leader("db-1");
    Files.writeString(sim.nodeHome("db-2").resolve("fail-health-" + NEW), "");
    Map<String, String> before = snapshot(data);

    JsonNode json = upgrade();

    // web-1 and web-2 are on 1.1.0, db-2 rolled back, db-3, db-1, mq-1 left on 1.0.0: mixed.
    assertEquals(5, json.get("exit_code").asInt(), json.toPrettyString());
    assertFalse(json.get("ok").asBoolean());
    for (String node : List.of("web-1", "web-2")) {
      assertState(json, node, "upgraded");
      assertCurrent(node, NEW);
    }
    assertState(json, "db-2", "failed-rolled-back");
    assertCurrent("db-2", OLD);
    // Brought down, switched, started, migrated; then the new release stopped and the old one
    // started again.
    assertEquals(
        List.of("stop " + OLD, "start " + NEW, "migrate " + NEW, "stop " + NEW, "start " + OLD),
        eventsOf("db-2"));
    assertEquals(OLD, Files.readString(sim.nodeHome("db-2").resolve("running")).strip());
    assertPhase(json, "db-2", "post-validate", false, "failed");
    assertPhase(json, "db-2", "backup", true, "ok");
    for (String node : List.of("db-3", "db-1", "mq-1")) {
      assertState(json, node, "not-started");
      assertCurrent(node, OLD);
      assertEquals(List.of(), eventsOf(node), node + " was touched");
    }
    // The migrate of the new release rewrote, deleted and added files: all undone, byte for byte.
    assertEquals(before, snapshot(data));
    assertEquals(1, afterRuns());
  }

  @Test
  void aFailureOnTheLastNodeRolledBackCleanlyExitsFour() throws IOException {
    leader("db-1");
    Files.writeString(sim.nodeHome("mq-1").resolve("fail-health-" + NEW), "");
    Map<String, String> before = snapshot(data.resolve("mq-1"));

    JsonNode json = upgrade();

    // No node left out and the failed one rolled back cleanly.
    assertEquals(4, json.get("exit_code").asInt(), json.toPrettyString());
    for (String node : List.of("web-1", "web-2", "db-1", "db-2", "db-3")) {
      assertState(json, node, "upgraded");
      assertCurrent(node, NEW);
    }
    assertState(json, "mq-1", "failed-rolled-back");
    assertCurrent("mq-1", OLD);
    assertEquals(before, snapshot(data.resolve("mq-1")));
    for (String node : DB) {
      assertEquals("schema " + NEW, Files.readString(data.resolve(node).resolve("schema")).strip());
    }
    assertEquals(1, afterRuns());
  }

  @Test
  void aFailureOnTheFirstNodeLeavesTheOthersNotStartedAndExitsFive() throws IOException {
    Files.writeString(sim.nodeHome("web-1").resolve("fail-health-" + NEW), "");
    Map<String, String> before = snapshot(data);

    // One node at a time: web-1 is alone in the first batch.
    JsonNode json = upgrade("--max-parallel", "1");

    // web-1 was rolled back cleanly and no node changed release, but nodes were left out (not
    // started): the engine's exit code for that is 5, not 4 (README: 4 only when no node was left
    // out).
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
    for (String node : ALL) {
      assertCurrent(node, OLD);
      if (!node.equals("web-1")) {
        assertState(json, node, "not-started");
        assertEquals(List.of(), eventsOf(node), node + " was touched");
      }
    }
    assertEquals(before, snapshot(data));
    assertEquals(1, afterRuns());
  }

  @Test
  void aRetireThatNeverDrainsFailsBeforeTheStopAndRejoinsTheNode() throws IOException {
    Files.writeString(sim.nodeHome("web-1").resolve("stuck"), "");

    JsonNode json = upgrade("--max-parallel", "1");

    // web-1 rolled back cleanly, the other nodes left out (not started): 5.
    assertEquals(5, json.get("exit_code").asInt(), json.toPrettyString());
    assertState(json, "web-1", "failed-rolled-back");
    JsonNode retire = phase(json, "web-1", "retire", false);
    assertEquals("failed", retire.get("outcome").asText(), retire.toPrettyString());
    assertTrue(
        retire.get("message").asText().contains("did not drain within"), retire.toPrettyString());
    // Tried again 5 s later (within the 6 s stop time limit), never stopped, then rejoined.
    assertEquals(List.of("retire " + OLD, "retire " + OLD, "rejoin " + OLD), eventsOf("web-1"));
    List<Event> tries = events().stream().filter(e -> e.what().equals("retire")).toList();
    assertTrue(
        tries.get(1).ns() - tries.get(0).ns() >= 4_000_000_000L,
        "the retire command is retried every 5 s: " + tries);
    assertCurrent("web-1", OLD);
    for (String node : ALL) {
      if (!node.equals("web-1")) {
        assertState(json, node, "not-started");
        assertEquals(List.of(), eventsOf(node), node + " was touched");
        assertCurrent(node, OLD);
      }
    }
    assertEquals(1, afterRuns());
  }

  @Test
  void onFailureStopLeavesTheFailedNodeOnTheNewRelease() throws IOException {
    leader("db-1");
    Files.writeString(sim.nodeHome("db-2").resolve("fail-health-" + NEW), "");

    JsonNode json = upgrade("--on-failure", "stop");

    assertEquals(5, json.get("exit_code").asInt(), json.toPrettyString());
    assertState(json, "db-2", "failed-needs-attention");
    assertCurrent("db-2", NEW);
    assertEquals(List.of("stop " + OLD, "start " + NEW, "migrate " + NEW), eventsOf("db-2"));
    assertEquals("schema " + NEW, Files.readString(data.resolve("db-2").resolve("schema")).strip());
    for (JsonNode p : node(json, "db-2").get("phases")) {
      assertFalse(p.get("undo").asBoolean(), "nothing undone: " + p);
    }
    for (String node : List.of("db-3", "db-1", "mq-1")) {
      assertState(json, node, "not-started");
      assertEquals(List.of(), eventsOf(node), node + " was touched");
    }
    assertEquals(1, afterRuns());
  }

  // --- hooks and failed rollbacks

  @Test
  void afterClusterRunsWhenBeforeClusterFailsAndNoNodeIsTouched() throws IOException {
    writeCluster("echo before >> " + root.resolve("before") + "; exit 1");

    JsonNode json = upgrade();

    assertEquals(3, json.get("exit_code").asInt(), json.toPrettyString());
    assertEquals(List.of("before"), Files.readAllLines(root.resolve("before")));
    assertEquals(List.of(), events(), "no node touched");
    for (String node : ALL) {
      assertState(json, node, "not-started");
      assertCurrent(node, OLD);
    }
    JsonNode hooks = json.get("hooks");
    assertEquals(2, hooks.size(), hooks.toPrettyString());
    assertEquals("before_cluster", hooks.get(0).get("hook").asText());
    assertFalse(hooks.get(0).get("ok").asBoolean());
    assertEquals("after_cluster", hooks.get(1).get("hook").asText());
    assertTrue(hooks.get(1).get("ok").asBoolean());
    assertEquals(1, afterRuns());
  }

  @Test
  void aRollbackWhoseOldReleaseIsUnhealthyNeedsAttention() throws IOException {
    leader("db-1");
    // mq-1, the last node: 1.1.0 fails its health check, and so does 1.0.0 once rolled back.
    Files.writeString(sim.nodeHome("mq-1").resolve("fail-health-" + NEW), "");
    Files.writeString(sim.nodeHome("mq-1").resolve("fail-health-" + OLD), "");

    JsonNode json = upgrade();

    // No node left out: the 5 is the failed rollback's.
    assertEquals(5, json.get("exit_code").asInt(), json.toPrettyString());
    assertState(json, "mq-1", "failed-needs-attention");
    for (String node : List.of("web-1", "web-2", "db-1", "db-2", "db-3")) {
      assertState(json, node, "upgraded");
    }
    assertPhase(json, "mq-1", "stop", true, "failed");
    assertEquals(
        List.of("stop " + OLD, "start " + NEW, "migrate " + NEW, "stop " + NEW, "start " + OLD),
        eventsOf("mq-1"));
    assertEquals(1, afterRuns());
  }

  @Test
  void aRollbackWhoseOldReleaseIsGoneNeedsAttention() throws IOException {
    leader("db-1");
    // db-2's new release deletes the old release's directory when it starts.
    Path home = sim.nodeHome("db-2");
    Files.writeString(
        home.resolve("delete-on-start"), home.resolve("releases").resolve(OLD) + "\n");
    Files.writeString(home.resolve("fail-health-" + NEW), "");

    CliRunner.Result result = run("--output", "json", "upgrade", "--cluster", "--yes", "--to", NEW);
    JsonNode json = new ObjectMapper().readTree(result.out());

    assertEquals(5, json.get("exit_code").asInt(), json.toPrettyString());
    assertState(json, "db-2", "failed-needs-attention");
    // Loud, on stderr, with what to do by hand.
    assertTrue(result.err().contains("hoist: NODE db-2 NEEDS ATTENTION: "), result.err());
    assertTrue(result.err().contains("then its rollback failed: "), result.err());
    assertTrue(result.err().contains("is gone"), result.err());
    assertTrue(result.err().contains("By hand: read "), result.err());
    assertTrue(result.err().contains("/releases/" + OLD + ", restore the data"), result.err());
    JsonNode install = phase(json, "db-2", "install", true);
    assertEquals("failed", install.get("outcome").asText(), install.toPrettyString());
    assertTrue(install.get("message").asText().contains("is gone"), install.toPrettyString());
    // current could not be switched back, and nothing was started on the node afterwards.
    assertCurrent("db-2", NEW);
    assertEquals(
        List.of("stop " + OLD, "start " + NEW, "migrate " + NEW, "stop " + NEW), eventsOf("db-2"));
    for (String node : List.of("db-3", "db-1", "mq-1")) {
      assertState(json, node, "not-started");
      assertEquals(List.of(), eventsOf(node), node + " was touched");
    }
    assertEquals(1, afterRuns());
  }

  @Test
  void aStagingFailureSwitchesNothing() throws IOException {
    // A 1.1.0 directory hoist did not stage: staging fails on db-3 and leaves it alone.
    Files.createDirectories(sim.nodeHome("db-3").resolve("releases").resolve(NEW));

    JsonNode json = upgrade();

    assertEquals(3, json.get("exit_code").asInt(), json.toPrettyString());
    assertFalse(json.get("ok").asBoolean());
    assertEquals(List.of(), events(), "no node touched");
    for (String node : ALL) {
      assertCurrent(node, OLD);
    }
    // Neither hook is asserted here: this build runs before_cluster and after_cluster only once
    // staging succeeded (the cluster run holds both), so after_cluster does not run after a
    // staging failure. Whether it should is an open question (README: "always at the end").
  }

  @Test
  void aNodeWhoseOldReleaseFailsItsHealthCheckOnRollbackIsNotRejoined() throws IOException {
    Files.writeString(sim.nodeHome("web-1").resolve("fail-health-" + NEW), "");
    Files.writeString(sim.nodeHome("web-1").resolve("fail-health-" + OLD), "");

    JsonNode json = upgrade("--max-parallel", "1");

    assertEquals(5, json.get("exit_code").asInt(), json.toPrettyString());
    assertState(json, "web-1", "failed-needs-attention");
    assertPhase(json, "web-1", "stop", true, "failed");
    // README: "A rollback step that fails stops the rollback there, leaves the node to a person".
    // The old release started but is unhealthy: the node must not be put back into service.
    assertEquals(
        List.of("retire " + OLD, "stop " + OLD, "start " + NEW, "stop " + NEW, "start " + OLD),
        eventsOf("web-1"));
    assertEquals(1, afterRuns());
  }

  // --- fixture

  @Test
  void oneShotStopsEveryNodeBeforeAnyNodeStartsAndUpgradesThemAll() throws IOException {
    JsonNode json = upgrade("--mode", "one-shot");

    assertEquals(0, json.get("exit_code").asInt(), json.toPrettyString());
    List<Event> all = events();
    long lastStop =
        all.stream().filter(e -> e.what().equals("stop")).mapToLong(Event::ns).max().orElseThrow();
    long firstStart =
        all.stream().filter(e -> e.what().equals("start")).mapToLong(Event::ns).min().orElseThrow();
    assertTrue(lastStop < firstStart, "every node stopped before any started: " + all);
    for (String node : ALL) {
      assertState(json, node, "upgraded");
      assertCurrent(node, NEW);
      assertEquals(List.of("stop " + OLD, "start " + NEW), withoutMigrate(eventsOf(node)), node);
    }
    assertTrue(all.stream().noneMatch(e -> e.what().equals("retire")), "no retire in one-shot");
    assertEquals(1, afterRuns());
  }

  @Test
  void oneShotWithANodeNeverHealthyRevertsEveryNodeAtTheEndOfTheWindow() throws IOException {
    Files.writeString(sim.nodeHome("db-2").resolve("fail-health-" + NEW), "");
    Map<String, String> before = snapshot(data);

    JsonNode json = upgrade("--mode", "one-shot", "--window", "5s");

    assertEquals(4, json.get("exit_code").asInt(), json.toPrettyString());
    assertState(json, "db-2", "failed-rolled-back");
    for (String node : ALL) {
      assertCurrent(node, OLD);
      assertEquals(OLD, Files.readString(sim.nodeHome(node).resolve("running")).strip(), node);
      if (!node.equals("db-2")) {
        assertState(json, node, "reverted");
      }
    }
    assertTrue(
        node(json, "db-2").get("message").asText().contains("at the end of the window"),
        json.toPrettyString());
    // The window opened with the first stop; db-2's health was tried until no further try fitted
    // in it, then every node was reverted (the revert starts inside the window, not 10m later).
    String message = node(json, "db-2").get("message").asText();
    java.util.regex.Matcher tries =
        java.util.regex.Pattern.compile("after (\\d+) tries").matcher(message);
    // More than one try (how many fit depends on the machine's load: each try is an SSH command).
    assertTrue(tries.find() && Integer.parseInt(tries.group(1)) >= 2, message);
    List<Event> all = events();
    long firstStop = all.get(0).ns();
    long firstRevert =
        all.stream()
            .filter(e -> e.what().equals("stop") && e.version().equals(NEW))
            .mapToLong(Event::ns)
            .min()
            .orElseThrow();
    assertTrue(firstRevert - firstStop < 12_000_000_000L, all.toString());
    // The migrations of the new release on every node are undone byte for byte.
    assertEquals(before, snapshot(data));
    assertEquals(1, afterRuns());
  }

  private static List<String> withoutMigrate(List<String> events) {
    return events.stream().filter(e -> !e.startsWith("migrate ")).toList();
  }

  private void writeCluster(String beforeCluster) {
    String health =
        "      health: { run: \"grep -qxF ${version} ${home}/running"
            + " && test ! -f ${home}/fail-health-${version}\", retries: 1, interval: 300ms }\n";
    String product =
        "      stop: \"" + ctl("stop") + "\"\n" + "      start: \"" + ctl("start") + "\"\n";
    String migrate = "      migrate: \"" + ctl("migrate") + "\"\n";
    sim.writeClusterFile(
        "role_order: [web, db]\n"
            + "roles:\n"
            + "  web:\n"
            + "    max_parallel: 2\n"
            + "    retire: \""
            + ctl("retire")
            + "\"\n"
            + "    rejoin: \""
            + ctl("rejoin")
            + "\"\n"
            + "    commands:\n"
            + product
            + health
            + "  db:\n"
            + "    serial: true\n"
            + "    settle: "
            + SETTLE
            + "\n"
            + "    leader: \"test -f ${home}/leader\"\n"
            + "    commands:\n"
            + product
            + health
            + migrate
            + "  mq:\n"
            + "    commands:\n"
            + product
            + health
            + migrate
            // Each node backs up its own directory (the nodes share this machine's disk).
            + "backup: { paths: [\""
            + data
            + "/${node}\"] }\n"
            + "hooks:\n"
            + (beforeCluster == null ? "" : "  before_cluster: \"" + beforeCluster + "\"\n")
            + "  after_cluster: \"echo ran >> "
            + after
            + "\"\n"
            + "timeouts: { stop: 6s }\n");
  }

  private String ctl(String command) {
    return "${home}/current/bin/ctl " + command + " ${node} ${home} " + events + " " + data;
  }

  private void leader(String node) throws IOException {
    Files.writeString(sim.nodeHome(node).resolve("leader"), "");
  }

  /** A node's data: binary, text, an empty file and a file in a subdirectory. */
  private void fillData(String node) throws IOException {
    Path dir = Files.createDirectories(data.resolve(node).resolve("sub"));
    byte[] table = new byte[4096];
    new Random(node.hashCode()).nextBytes(table);
    for (int i = 0; i < 256; i++) {
      table[i] = (byte) i;
    }
    Files.write(dir.resolveSibling("table.bin"), table);
    Files.writeString(dir.resolveSibling("notes.txt"), "rows of " + node + "\n");
    Files.write(dir.resolveSibling("empty"), new byte[0]);
    Files.write(dir.resolve("old.log"), new byte[] {'a', '\r', '\n', 0, (byte) 0xff, '\n'});
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

  /** {@code hoist --output json upgrade --cluster --yes --to 1.1.0 EXTRA...}, its JSON. */
  private JsonNode upgrade(String... extra) throws IOException {
    List<String> args =
        new ArrayList<>(List.of("--output", "json", "upgrade", "--cluster", "--yes", "--to", NEW));
    args.addAll(List.of(extra));
    CliRunner.Result result = run(args.toArray(String[]::new));
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertNotNull(json, result.toString());
    assertEquals(result.code(), json.get("exit_code").asInt(), result.toString());
    return json;
  }

  private JsonNode plan() throws IOException {
    CliRunner.Result result =
        run("--output", "json", "upgrade", "--cluster", "--dry-run", "--to", NEW);
    assertEquals(0, result.code(), result.toString());
    return new ObjectMapper().readTree(result.out());
  }

  private List<List<String>> planBatches() throws IOException {
    return planBatches(plan());
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

  /** One line of the event log. */
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
    // Appended by several processes: order by time (each node's own events are in order anyway).
    all.sort((a, b) -> Long.compare(a.ns(), b.ns()));
    return all;
  }

  /** A node's events as {@code COMMAND VERSION}, in order. */
  private List<String> eventsOf(String node) throws IOException {
    return events().stream()
        .filter(e -> e.node().equals(node))
        .map(e -> e.what() + " " + e.version())
        .toList();
  }

  private static Event lastEvent(List<Event> all, String node) {
    Event last = null;
    for (Event e : all) {
      if (e.node().equals(node)) {
        last = e;
      }
    }
    assertNotNull(last, "no event of " + node + ": " + all);
    return last;
  }

  /** The nodes in the order of their first event. */
  private static List<String> firstSeen(List<Event> all) {
    Set<String> seen = new LinkedHashSet<>();
    all.forEach(e -> seen.add(e.node()));
    return List.copyOf(seen);
  }

  /** web-1 and web-2 share a batch: either may be seen first. */
  private static List<String> normalizeFirstBatch(List<String> order) {
    List<String> copy = new ArrayList<>(order);
    if (copy.size() >= 2 && copy.get(0).equals("web-2") && copy.get(1).equals("web-1")) {
      copy.set(0, "web-1");
      copy.set(1, "web-2");
    }
    return copy;
  }

  /** When the node was down: {@code [stop, next start]} pairs, in order. */
  private static List<long[]> downIntervals(List<Event> all, String node) {
    List<long[]> intervals = new ArrayList<>();
    Long down = null;
    for (Event e : all) {
      if (!e.node().equals(node)) {
        continue;
      }
      if (e.what().equals("stop") && down == null) {
        down = e.ns();
      } else if (e.what().equals("start") && down != null) {
        intervals.add(new long[] {down, e.ns()});
        down = null;
      }
    }
    assertNull(down, node + " was left down: " + all);
    return intervals;
  }

  /**
   * Every node of the plan has events, and the events go batch by batch: the batch index of the
   * events never decreases (the nodes of one batch may interleave).
   */
  private static void assertInBatchOrder(List<List<String>> batches, List<Event> all) {
    Map<String, Integer> batchOf = new HashMap<>();
    for (int i = 0; i < batches.size(); i++) {
      for (String node : batches.get(i)) {
        batchOf.put(node, i);
      }
    }
    assertEquals(Set.copyOf(batchOf.keySet()), Set.copyOf(firstSeen(all)), all.toString());
    int current = 0;
    for (Event e : all) {
      int batch = batchOf.get(e.node());
      assertTrue(
          batch >= current, "event of batch " + batch + " after batch " + current + ": " + all);
      current = batch;
    }
  }

  // --- results

  private int afterRuns() throws IOException {
    return Files.exists(after) ? Files.readAllLines(after).size() : 0;
  }

  private static void assertPhase(
      JsonNode json, String name, String phase, boolean undo, String outcome) {
    JsonNode p = phase(json, name, phase, undo);
    assertEquals(outcome, p.get("outcome").asText(), p.toPrettyString());
  }

  private void assertCurrent(String node, String version) throws IOException {
    Path link = Files.readSymbolicLink(sim.nodeHome(node).resolve("current"));
    assertTrue(link.toString().endsWith("releases/" + version), node + " current -> " + link);
  }

  /** Every file and directory under {@code dir}: relative path to sha256 (or "dir"). */
  private static Map<String, String> snapshot(Path dir) {
    return Snapshots.of(dir);
  }
}
