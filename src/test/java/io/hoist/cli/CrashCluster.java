package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.testing.HoistJar;
import io.hoist.testing.Snapshots;
import io.hoist.testing.SshServerFixture;
import io.hoist.testing.TestKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The cluster of the crash tests ({@link CrashResumeIT}, {@link CrashRollbackIT}): four nodes, each
 * its own embedded SSH server on 127.0.0.1 that lets a command run on when its channel closes (as
 * OpenSSH does for a command without a pty), so that what a killed run had sent to a node completes
 * there. {@code web-1} and {@code web-2} are upgraded together (max_parallel 2, retire/rejoin);
 * {@code db-1} and {@code db-2} are serial, {@code db-1} the leader (last). Releases 1.0.0, 1.1.0
 * and 2.0.0 (2.0.0 only from 1.1.0 on). The cluster's {@code install} switches {@code current}
 * atomically and logs {@code switch VERSION} to the shared event log; the product script logs
 * {@code stop}, {@code start}, {@code migrate}, {@code retire} and {@code rejoin}; its {@code
 * start} and {@code migrate} change the backed-up data directory, idempotently (a rerun after a
 * crash leaves the same data); the hooks log {@code before} and {@code after}.
 *
 * <p>A crash point is the journal event a kill waits for: the upgrade starts on the reset fixture,
 * the journal is polled every 5 ms until it holds the event, and the JVM is killed with SIGKILL;
 * {@link #crash} then waits until the nodes' commands ended and records where the kill landed and
 * what {@code hoist status} says. The jar runs as a child JVM with {@code HOME} and {@code
 * HOIST_STATE_DIR} in the test's directory.
 */
final class CrashCluster implements AutoCloseable {

  static final String V1 = "1.0.0";
  static final String V2 = "1.1.0";
  static final String V3 = "2.0.0";
  static final List<String> HOPS = List.of(V2, V3);

  /** The nodes in file order, each with its role. */
  static final Map<String, String> NODES = new LinkedHashMap<>();

  static {
    NODES.put("db-1", "db");
    NODES.put("web-1", "web");
    NODES.put("db-2", "db");
    NODES.put("web-2", "web");
  }

  static final List<String> DB = List.of("db-1", "db-2");

  static final ObjectMapper JSON = new ObjectMapper();

  /** How long to wait for anything (a journal line, a node's command, a run). */
  private static final long LIMIT_NS = TimeUnit.SECONDS.toNanos(90);

  private static final String CTL =
      "#!/bin/bash\n"
          + "# ctl COMMAND NODE HOME EVENTS DATA\n"
          + "v=$(cat \"$(dirname \"$0\")/../VERSION\")\n"
          + "cmd=$1 node=$2 home=$3 events=$4 data=$5/$2\n"
          + "case \"$cmd\" in\n"
          // A start may change the data too (convert a file, say), and the old release's start
          // leaves that: a rollback must restore the backup when the new release started.
          + "  start) echo \"$v\" > \"$home/running\"; : > \"$data/started-by-$v\" ;;\n"
          + "  stop) rm -f \"$home/running\" ;;\n"
          + "  migrate)\n"
          // Idempotent: a rerun (after a crash) leaves the same data.
          + "    echo \"schema $v\" > \"$data/schema\"\n"
          + "    grep -qxF \"$v\" \"$data/history\" 2>/dev/null || echo \"$v\" >> \"$data/history\"\n"
          + "    rm -f \"$data/sub/old.log\"\n"
          + "    echo \"rows of $node, format $v\" > \"$data/notes.txt\" ;;\n"
          + "  retire|rejoin) ;;\n"
          + "  *) echo \"ctl: unknown command $cmd\" >&2; exit 2 ;;\n"
          + "esac\n"
          + "echo \"$(date +%s%N) $node $cmd $v\" >> \"$events\"\n";

  final Path root;
  final Path home;
  final Path events;
  final Path data;
  final Path hooks;
  final Path state;
  final Path clusterFile;

  /** The same cluster, but its install writes {@code current} as a relative link. */
  final Path relativeClusterFile;

  final HoistJar jar;
  final CliRunner cli;
  private final Path key;
  private final Map<String, SshServerFixture> servers = new LinkedHashMap<>();
  private final Map<String, Reference> references = new LinkedHashMap<>();

  /** Starts the nodes' servers in {@code root}, packs the releases, writes the cluster file. */
  CrashCluster(Path root) throws IOException {
    assertTrue(
        root.toString().matches("[A-Za-z0-9/._-]+"),
        "the test writes paths unquoted into commands: " + root);
    this.root = root;
    home = Files.createDirectories(root.resolve("home"));
    key = TestKeys.ed25519(home.resolve(".ssh"), "id_test");
    events = root.resolve("events");
    data = root.resolve("data");
    hooks = root.resolve("hooks");
    state = home.resolve(".hoist-state");
    // The jar runs about a hundred times: C1 only, serial GC (faster to start, less CPU).
    jar = HoistJar.in(home).withJvmOptions("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    cli = new CliRunner(home, root).env("HOIST_STATE_DIR", state.toString());
    Path knownHosts = home.resolve(".ssh/known_hosts");
    for (String node : NODES.keySet()) {
      Path nodeHome = Files.createDirectories(nodeHome(node));
      SshServerFixture server =
          SshServerFixture.builder(nodeHome, root.resolve("hostkeys").resolve(node))
              .authorize(TestKeys.publicKeyOf(key))
              // Like OpenSSH without a pty: a command goes on when hoist dies.
              .killOnClose(false)
              .start();
      servers.put(node, server);
      Files.writeString(
          knownHosts,
          server.knownHostsLine() + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
    Files.writeString(nodeHome("db-1").resolve("leader"), "");
    for (String version : List.of(V1, V2, V3)) {
      pack(version);
    }
    clusterFile = writeCluster("cluster.yaml", "${release_dir}");
    relativeClusterFile = writeCluster("cluster-relative.yaml", "releases/${version}");
  }

  @Override
  public void close() {
    servers.values().forEach(SshServerFixture::stop);
  }

  /** Where a run is killed: once its journal holds the {@code nth} event of kind {@code event}. */
  record CrashPoint(String event, int nth, String node, String phase) {
    String label() {
      return switch (event) {
        case "run-started" -> "run-started (staging, no node yet)";
        case "node-ended" -> "node-ended #" + nth + " (" + node + ")";
        case "on-node" ->
            node + " " + effect(phase) + " done on the node, phase-ended not yet journaled";
        default -> "phase-started #" + nth + " (" + node + " " + phase + ")";
      };
    }
  }

  /**
   * What happened at one crash point: the event the kill waited for as the killed run wrote it,
   * where the kill landed, what {@code hoist status} said of that node, how the run after the kill
   * (a resume, a rollback) exited, and what is wrong afterwards.
   */
  record Outcome(
      CrashPoint point,
      Killed killed,
      int exitAfter,
      long millis,
      List<String> problems,
      List<String> notes) {}

  /**
   * A killed run: its process, its journal, the crash point's event in it, where the kill landed
   * and what {@code hoist status} said of that node.
   */
  record Killed(
      Process process, List<JsonNode> journal, String hit, String landed, String statusAfterKill) {}

  /** What an uninterrupted run to a target did: its journal and the data it left on each node. */
  record Reference(List<JsonNode> journal, Map<String, Map<String, String>> data) {}

  // --- crash points

  /** The crash points at each event of kind {@code event} of the uninterrupted run, in order. */
  static List<CrashPoint> crashPoints(Reference reference, String event) {
    List<CrashPoint> points = new ArrayList<>();
    for (JsonNode e : reference.journal()) {
      if (e.path("event").asText().equals(event)) {
        points.add(
            new CrashPoint(
                event,
                points.size() + 1,
                e.path("node").asText(),
                e.hasNonNull("phase") ? e.path("phase").asText() : null));
      }
    }
    return points;
  }

  /** The {@code hop}-th crash point at {@code node}'s {@code phase}. */
  static CrashPoint find(List<CrashPoint> points, String node, String phase, int hop) {
    int seen = 0;
    for (CrashPoint p : points) {
      if (node.equals(p.node()) && phase.equals(p.phase()) && ++seen == hop) {
        return p;
      }
    }
    throw new AssertionError("no " + node + " " + phase + " in hop " + hop + ": " + points);
  }

  /**
   * Every phase boundary of the uninterrupted run to {@code target}: its run-started (staging, no
   * node yet), each phase-started, each node-ended (within a batch, between batches, after the last
   * node), and for each node the switch done on the node with its phase-ended not yet journaled.
   */
  static List<CrashPoint> everyBoundary(Reference reference) {
    List<CrashPoint> points = new ArrayList<>();
    points.add(new CrashPoint("run-started", 1, null, null));
    points.addAll(crashPoints(reference, "phase-started"));
    points.addAll(crashPoints(reference, "node-ended"));
    for (String node : NODES.keySet()) {
      points.add(new CrashPoint("on-node", 1, node, "install"));
    }
    return points;
  }

  /** A condition polled while a run goes on. */
  /** The event-log word of what {@code phase} does on a node. */
  static String effect(String phase) {
    return phase.equals("install") ? "switch" : phase;
  }

  interface Condition {
    boolean holds() throws IOException;
  }

  /**
   * Starts an upgrade to {@code target} on the reset fixture, waits (bounded, polling every 5 ms)
   * until its journal holds the crash point's event (for an "on-node" point: until the node's event
   * log shows what the phase did there, the phase's command slowed down after it, so that its
   * phase-ended is not journaled yet), and kills it with SIGKILL.
   */
  Process killAt(CrashPoint point, String target) throws Exception {
    return killAt(point, upgrade(target));
  }

  /** {@link #killAt(CrashPoint, String)} of the hoist command {@code args}. */
  Process killAt(CrashPoint point, String[] args) throws Exception {
    return killAt(point, 0, args);
  }

  /**
   * {@link #killAt(CrashPoint, String[])}, the kill coming {@code delayNanos} after the crash
   * point's event was seen (random timing inside a phase).
   */
  Process killAt(CrashPoint point, long delayNanos, String[] args) throws Exception {
    reset();
    Condition reached;
    if (point.event().equals("on-node")) {
      Files.writeString(nodeHome(point.node()).resolve("slow-" + point.phase()), "");
      String line = " " + point.node() + " " + effect(point.phase()) + " ";
      reached = () -> Files.exists(events) && Files.readString(events).contains(line);
    } else {
      reached = () -> count(journalText(), point.event()) >= point.nth();
    }
    if (delayNanos > 0) {
      Condition event = reached;
      long[] seenAt = {0};
      reached =
          () -> {
            if (seenAt[0] == 0 && event.holds()) {
              seenAt[0] = System.nanoTime();
            }
            return seenAt[0] != 0 && System.nanoTime() - seenAt[0] >= delayNanos;
          };
    }
    return kill(jar.start(root.resolve("killed.out"), root.resolve("killed.err"), args), reached);
  }

  /** Kills {@code run} with SIGKILL once {@code reached} holds (polled every 5 ms, bounded). */
  static Process kill(Process run, Condition reached) throws Exception {
    try {
      long deadline = System.nanoTime() + LIMIT_NS;
      while (System.nanoTime() < deadline && run.isAlive() && !reached.holds()) {
        Thread.sleep(5);
      }
    } finally {
      run.destroyForcibly();
      assertTrue(run.waitFor(30, TimeUnit.SECONDS), "the killed run is gone");
    }
    return run;
  }

  /**
   * Kills an upgrade to {@code target} at {@code point} ({@link #killAt}), waits until what it had
   * sent to the nodes ended there, and records where the kill landed and what {@code hoist status}
   * says; what is wrong goes to {@code problems}.
   */
  Killed crash(CrashPoint point, String target, List<String> problems) throws Exception {
    return crash(point, 0, target, problems);
  }

  /** {@link #crash(CrashPoint, String, List)}, killed {@code delayNanos} after the event. */
  Killed crash(CrashPoint point, long delayNanos, String target, List<String> problems)
      throws Exception {
    Process killed = killAt(point, delayNanos, upgrade(target));
    if (killed.exitValue() != 137) {
      problems.add(
          "the run ended before the crash point (exit "
              + killed.exitValue()
              + "): "
              + Files.readString(root.resolve("killed.err")));
    }
    // What the killed run had sent to a node completes there; what follows comes after that.
    awaitNodesQuiet();
    List<JsonNode> journal = journal(runs().get(0));
    List<String[]> killedEvents = events();
    String hit = "-";
    String landed = "-";
    int at;
    if (point.event().equals("on-node")) {
      at = -1;
      for (int i = 0; i < journal.size(); i++) {
        JsonNode e = journal.get(i);
        if (e.path("event").asText().equals("phase-started")
            && e.path("node").asText().equals(point.node())
            && e.path("phase").asText().equals(point.phase())) {
          at = i;
        }
      }
      hit = point.node() + " " + effect(point.phase()) + " (event log)";
      if (at < 0) {
        problems.add("the killed run's journal has no " + point.phase() + " of " + point.node());
      } else {
        landed = landed(journal, at, killedEvents);
        if (!landed.startsWith("inside")) {
          problems.add("the kill came too late: " + landed);
        }
      }
    } else {
      at = nth(journal, point.event(), point.nth());
      if (at < 0) {
        problems.add("the killed run's journal has no " + point.label());
      } else {
        hit = describe(journal.get(at));
        landed = landed(journal, at, killedEvents);
      }
    }
    String status = statusAfterKill(problems, at < 0 ? null : journal.get(at));
    return new Killed(killed, journal, hit, landed, status);
  }

  /** {@code hoist status} on the killed run: it did not end; where the hit node stands. */
  private String statusAfterKill(List<String> problems, JsonNode hit) throws IOException {
    CliRunner.Result status = cli.run("--output", "json", "status");
    if (status.code() != 0) {
      problems.add("status after the kill: " + status);
      return "exit " + status.code();
    }
    JsonNode json = JSON.readTree(status.out());
    // The kill is asynchronous: at the last node's end the run may finish (after_cluster, the
    // run-ended line) before SIGKILL lands. A run that ended must then be complete.
    if (json.path("ended").asBoolean() && !json.path("complete").asBoolean()) {
      problems.add("status after the kill says the run ended: " + status.out());
    }
    if (hit == null || !hit.hasNonNull("node")) {
      return json.path("complete").asBoolean() ? "complete" : "not complete";
    }
    JsonNode n = statusNode(json, hit.path("node").asText());
    if (n == null) {
      problems.add("status after the kill lacks " + hit.path("node").asText() + ": " + status);
      return "?";
    }
    String text = n.path("node").asText() + " " + n.path("state").asText();
    if (!n.path("phase").isNull()) {
      text += " " + n.path("phase").asText() + (n.path("phase_ended").asBoolean() ? "" : "*");
    }
    return text;
  }

  /** Where the kill landed relative to the crash point's event. */
  private static String landed(List<JsonNode> journal, int at, List<String[]> events) {
    JsonNode e = journal.get(at);
    String node = e.path("node").asText();
    String phase = e.path("phase").asText();
    List<JsonNode> later = journal.subList(at + 1, journal.size());
    String where;
    if (e.path("event").asText().equals("phase-started")) {
      boolean ended =
          later.stream()
              .anyMatch(
                  x ->
                      x.path("event").asText().equals("phase-ended")
                          && x.path("node").asText().equals(node)
                          && x.path("phase").asText().equals(phase));
      where = ended ? "after its end" : "inside";
      String effect =
          switch (phase) {
            case "install" -> "switch";
            case "stop", "start", "migrate", "retire", "rejoin" -> phase;
            default -> null;
          };
      if (!ended && effect != null) {
        // The node-side command completes after the kill: did the killed run send it?
        boolean ran = false;
        boolean hop2 = e.path("ts").asText().compareTo(hop2Start(journal)) >= 0;
        int seen = 0;
        for (String[] x : events) {
          if (x[1].equals(node) && x[2].equals(effect)) {
            seen++;
          }
        }
        ran = seen >= (hop2 ? 2 : 1);
        where += ran ? ", sent (" + effect + " done on the node)" : ", not sent";
      } else if (!ended && phase.equals("backup")) {
        boolean written =
            later.stream()
                .anyMatch(
                    x ->
                        x.path("event").asText().equals("backup-written")
                            && x.path("node").asText().equals(node));
        where += written ? ", archive recorded" : ", no archive recorded";
      }
    } else {
      where = "after";
    }
    return where
        + (later.isEmpty()
            ? ""
            : "; +" + later.size() + " more, last " + describe(later.get(later.size() - 1)));
  }

  /** The time the first node started its second hop ("~" when none did: after every time). */
  private static String hop2Start(List<JsonNode> journal) {
    for (JsonNode e : journal) {
      if (e.path("event").asText().equals("node-started") && e.path("to").asText().equals(V3)) {
        return e.path("ts").asText();
      }
    }
    return "~";
  }

  private static String describe(JsonNode e) {
    StringBuilder text = new StringBuilder();
    if (e.hasNonNull("node")) {
      text.append(e.path("node").asText()).append(' ');
    }
    text.append(e.path("event").asText());
    if (e.hasNonNull("phase")) {
      text.append(' ').append(e.path("phase").asText());
    }
    return text.toString();
  }

  static JsonNode statusNode(JsonNode status, String node) {
    for (JsonNode n : status.path("nodes")) {
      if (n.path("node").asText().equals(node)) {
        return n;
      }
    }
    return null;
  }

  // --- the final state

  /**
   * What is wrong with the cluster for an upgrade to {@code target} that ended (empty when
   * nothing): every node on the target (link and running product), one switch per node and hop, the
   * data as the uninterrupted run left it, the serial rule, after_cluster last.
   */
  List<String> upgradedTo(String target, Reference reference) throws IOException {
    List<String> problems = new ArrayList<>();
    List<String> hops = HOPS.subList(0, HOPS.indexOf(target) + 1);
    List<String[]> all = events();
    for (String node : NODES.keySet()) {
      Path nodeHome = nodeHome(node);
      String link = Files.readSymbolicLink(nodeHome.resolve("current")).toString();
      if (!link.endsWith("releases/" + target)) {
        problems.add(node + ": current -> " + link);
      }
      Path running = nodeHome.resolve("running");
      String runs = Files.exists(running) ? Files.readString(running).strip() : "nothing";
      if (!runs.equals(target)) {
        problems.add(node + " runs " + runs);
      }
      for (String hop : hops) {
        long switches =
            all.stream()
                .filter(e -> e[1].equals(node) && e[2].equals("switch") && e[3].equals(hop))
                .count();
        if (switches != 1) {
          problems.add(node + ": " + switches + " switches to " + hop + ": " + eventLog(all));
        }
      }
      Map<String, String> snapshot = snapshot(data.resolve(node));
      if (!snapshot.equals(reference.data().get(node))) {
        problems.add(
            node
                + ": data "
                + snapshot
                + " is not as the uninterrupted run left it: "
                + reference.data().get(node));
      }
    }
    problems.addAll(serialRule(all));
    problems.addAll(hooksProblem());
    return problems;
  }

  /**
   * after_cluster ran after the last before_cluster, if any ran (README: "always at the end once
   * before_cluster ran"); empty when it did.
   */
  List<String> hooksProblem() throws IOException {
    List<String> hookRuns = Files.exists(hooks) ? Files.readAllLines(hooks) : List.of();
    if (!hookRuns.isEmpty() && !hookRuns.get(hookRuns.size() - 1).equals("after")) {
      return List.of("after_cluster did not run after the last before_cluster: " + hookRuns);
    }
    return List.of();
  }

  /**
   * Never both db nodes down (from a stop to the next start) at the same time, across the killed
   * run and the run after it; neither left down.
   */
  static List<String> serialRule(List<String[]> all) {
    List<String> problems = new ArrayList<>();
    Map<String, List<long[]>> down = new LinkedHashMap<>();
    for (String node : DB) {
      List<long[]> intervals = new ArrayList<>();
      Long since = null;
      for (String[] e : all) {
        if (!e[1].equals(node)) {
          continue;
        }
        if (e[2].equals("stop") && since == null) {
          since = Long.parseLong(e[0]);
        } else if (e[2].equals("start") && since != null) {
          intervals.add(new long[] {since, Long.parseLong(e[0])});
          since = null;
        }
      }
      if (since != null) {
        problems.add(node + " was left down: " + eventLog(all));
      }
      down.put(node, intervals);
    }
    for (long[] a : down.get(DB.get(0))) {
      for (long[] b : down.get(DB.get(1))) {
        if (a[0] < b[1] && b[0] < a[1]) {
          problems.add("db-1 and db-2 were down at the same time: " + eventLog(all));
        }
      }
    }
    return problems;
  }

  static String eventLog(List<String[]> all) {
    List<String> lines = new ArrayList<>();
    for (String[] e : all) {
      lines.add(
          e[0].substring(Math.max(0, e[0].length() - 12)) + " " + e[1] + " " + e[2] + " " + e[3]);
    }
    return String.join("; ", lines);
  }

  /** The event log: {@code [ns, node, what, version]}, by time. */
  List<String[]> events() throws IOException {
    if (!Files.exists(events)) {
      return List.of();
    }
    List<String[]> all = new ArrayList<>();
    for (String line : Files.readAllLines(events)) {
      String[] fields = line.split(" ");
      assertEquals(4, fields.length, line);
      all.add(fields);
    }
    all.sort(Comparator.comparingLong(e -> Long.parseLong(e[0])));
    return all;
  }

  /**
   * What is wrong after a rollback to 1.0.0 of a killed upgrade to 1.1.0 (empty when nothing):
   * every node on 1.0.0 (link and running product), switched back once where the killed run
   * switched it and not at all elsewhere, its data as {@code before} the upgrade, the serial rule,
   * after_cluster last.
   */
  List<String> rolledBack(
      Map<String, Map<String, String>> before, List<String[]> killedEvents, List<String> notes)
      throws IOException {
    List<String> problems = new ArrayList<>();
    List<String[]> all = events();
    List<String> switchedBack = new ArrayList<>();
    for (String node : NODES.keySet()) {
      Path nodeHome = nodeHome(node);
      String link = Files.readSymbolicLink(nodeHome.resolve("current")).toString();
      if (!link.endsWith("releases/" + V1)) {
        problems.add(node + ": current -> " + link);
      }
      Path running = nodeHome.resolve("running");
      String runs = Files.exists(running) ? Files.readString(running).strip() : "nothing";
      if (!runs.equals(V1)) {
        problems.add(node + " runs " + runs);
      }
      long forward = countEvents(all, node, "switch", V2);
      long back = countEvents(all, node, "switch", V1);
      // Switched back once where it was switched, not at all elsewhere (a node already on 1.0.0 is
      // found switched, also through its relative current link).
      if (forward > 1
          || back != forward
          || countEvents(killedEvents, node, "switch", V2) != forward) {
        problems.add(
            node
                + ": switched to "
                + V2
                + " "
                + forward
                + " times, back "
                + back
                + " times: "
                + eventLog(all));
      }
      if (back == 1) {
        switchedBack.add(node);
      }
      Map<String, String> snapshot = snapshot(data.resolve(node));
      if (!snapshot.equals(before.get(node))) {
        problems.add(
            node + ": data " + snapshot + " is not as before the upgrade: " + before.get(node));
      }
    }
    problems.addAll(serialRule(all));
    problems.addAll(hooksProblem());
    notes.add(switchedBack.isEmpty() ? "no node was switched" : "switched back: " + switchedBack);
    return problems;
  }

  private static long countEvents(List<String[]> events, String node, String what, String version) {
    return events.stream()
        .filter(e -> e[1].equals(node) && e[2].equals(what) && e[3].equals(version))
        .count();
  }

  // --- the uninterrupted run

  /** Runs the upgrade to {@code target} once without a kill (once per target). */
  Reference reference(String target) throws IOException {
    Reference known = references.get(target);
    if (known != null) {
      return known;
    }
    reset();
    jar.run(upgrade(target)).exitsWith(0);
    List<String> hops = HOPS.subList(0, HOPS.indexOf(target) + 1);
    Map<String, Map<String, String>> snapshots = new LinkedHashMap<>();
    for (String node : NODES.keySet()) {
      snapshots.put(node, snapshot(data.resolve(node)));
      // Every hop's migration ran, once.
      assertEquals(
          hops, Files.readAllLines(data.resolve(node).resolve("history")), node + " migrated");
      assertEquals(
          "schema " + target, Files.readString(data.resolve(node).resolve("schema")).strip(), node);
      assertFalse(Files.exists(data.resolve(node).resolve("sub/old.log")), node);
    }
    Reference reference = new Reference(journal(runs().get(0)), snapshots);
    List<String> problems = upgradedTo(target, reference);
    assertTrue(problems.isEmpty(), "the uninterrupted run: " + problems);
    references.put(target, reference);
    return reference;
  }

  // --- the report

  static void report(String title, String after, List<Outcome> outcomes) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "#",
          "crash point (uninterrupted run's order)",
          "event the kill waited for",
          "where the kill landed",
          "status after kill",
          after,
          "ms",
          "result"
        });
    int failed = 0;
    int knownBugs = 0;
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome o = outcomes.get(i);
      if (!o.problems().isEmpty()) {
        failed++;
      }
      boolean bug = o.notes().stream().anyMatch(n -> n.startsWith("BUG"));
      if (bug && o.problems().isEmpty()) {
        knownBugs++;
      }
      List<String> result = new ArrayList<>();
      result.add(
          !o.problems().isEmpty()
              ? "FAILED: " + String.join("; ", o.problems())
              : bug ? "KNOWN BUG" : "ok");
      result.addAll(o.notes());
      rows.add(
          new String[] {
            Integer.toString(i + 1),
            o.point().label(),
            o.killed().hit(),
            o.killed().landed(),
            o.killed().statusAfterKill(),
            "exit " + o.exitAfter(),
            Long.toString(o.millis()),
            String.join("; ", result)
          });
    }
    StringBuilder out = new StringBuilder("\n" + title + "\n");
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length - 1; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        out.append(row[c]);
        if (c < row.length - 1) {
          out.append(" ".repeat(width[c] - row[c].length() + 2));
        }
      }
      out.append('\n');
    }
    out.append(outcomes.size() - failed - knownBugs)
        .append(" of ")
        .append(outcomes.size())
        .append(" crash points ok, ")
        .append(knownBugs)
        .append(" hit a known bug (a @Disabled test), ")
        .append(failed)
        .append(" failed (* = the phase had not ended)\n");
    System.out.println(out);
    assertEquals(0, failed, out.toString());
  }

  // --- the fixture

  String[] upgrade(String target) {
    return upgrade(clusterFile, target);
  }

  /** {@code -c FILE upgrade --cluster --yes --to TARGET}. */
  static String[] upgrade(Path file, String target) {
    return new String[] {"-c", file.toString(), "upgrade", "--cluster", "--yes", "--to", target};
  }

  /** Waits (bounded) until no command any run sent to a node still runs there. */
  void awaitNodesQuiet() throws InterruptedException {
    long deadline = System.nanoTime() + LIMIT_NS;
    while (servers.values().stream().anyMatch(s -> s.runningCommands() > 0)) {
      assertTrue(System.nanoTime() < deadline, "the nodes' commands did not end");
      Thread.sleep(10);
    }
  }

  Path nodeHome(String node) {
    return root.resolve("nodes").resolve(node);
  }

  /** Every node back on 1.0.0 (running), its data as before, no events, no hoist state. */
  void reset() throws IOException {
    for (String node : NODES.keySet()) {
      Path nodeHome = nodeHome(node);
      Path release = Files.createDirectories(nodeHome.resolve("releases").resolve(V1));
      Files.writeString(release.resolve("VERSION"), V1 + "\n");
      ctl(release);
      Files.deleteIfExists(nodeHome.resolve(".cur.tmp"));
      // A fresh fixture: no node marker of an earlier iteration's run (HOME/.hoist/ongoing).
      deleteTree(nodeHome.resolve(".hoist"));
      for (String phase : List.of("stop", "install", "start")) {
        Files.deleteIfExists(nodeHome.resolve("slow-" + phase));
      }
      Files.deleteIfExists(nodeHome.resolve("current"));
      Files.createSymbolicLink(nodeHome.resolve("current"), Path.of("releases", V1));
      Files.writeString(nodeHome.resolve("running"), V1 + "\n");
      deleteTree(data.resolve(node));
      fillData(node);
    }
    Files.deleteIfExists(events);
    Files.deleteIfExists(hooks);
    deleteTree(state);
  }

  /** Every node's data directory: relative path to sha256 (or "dir"). */
  Map<String, Map<String, String>> dataSnapshots() {
    Map<String, Map<String, String>> all = new LinkedHashMap<>();
    for (String node : NODES.keySet()) {
      all.put(node, snapshot(data.resolve(node)));
    }
    return all;
  }

  private void fillData(String node) throws IOException {
    Path dir = Files.createDirectories(data.resolve(node).resolve("sub"));
    byte[] table = new byte[4096];
    for (int i = 0; i < table.length; i++) {
      table[i] = (byte) (i * 31 + node.length());
    }
    Files.write(dir.resolveSibling("table.bin"), table);
    Files.writeString(dir.resolveSibling("notes.txt"), "rows of " + node + "\n");
    Files.write(dir.resolveSibling("empty"), new byte[0]);
    Files.write(dir.resolve("old.log"), new byte[] {'a', '\r', '\n', 0, (byte) 0xff, '\n'});
    // What the running 1.0.0's start left.
    Files.write(dir.resolveSibling("started-by-" + V1), new byte[0]);
  }

  private static void ctl(Path release) throws IOException {
    Path bin = Files.createDirectories(release.resolve("bin"));
    Files.writeString(bin.resolve("ctl"), CTL);
    Files.setPosixFilePermissions(bin.resolve("ctl"), PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private void pack(String version) throws IOException {
    Path src = Files.createDirectories(root.resolve("src").resolve(version));
    Files.writeString(src.resolve("VERSION"), version + "\n");
    ctl(src);
    CliRunner.Result result =
        cli.run(
            "version",
            "pack",
            src.toString(),
            "--version",
            version,
            "--product",
            "acme",
            "--into",
            Files.createDirectories(root.resolve("repo")).toString());
    assertEquals(0, result.code(), result.toString());
  }

  private String ctl(String command) {
    return "${home}/current/bin/ctl " + command + " ${node} ${home} " + events + " " + data;
  }

  /** Sleeps half a second after a phase's effect on a node that has a slow-PHASE file. */
  private static String slow(String phase) {
    return " && if test -f ${home}/slow-" + phase + "; then sleep 0.5; fi";
  }

  /**
   * Writes the cluster file {@code name}; its install links {@code current} to {@code link} (the
   * release directory, absolute or relative to the home).
   */
  private Path writeCluster(String name, String link) throws IOException {
    StringBuilder yaml = new StringBuilder();
    yaml.append("cluster: crash\n")
        .append("release:\n")
        .append("  repository: file:")
        .append(root.resolve("repo"))
        .append("\n  bundle: acme-${version}.tar.gz\n")
        .append("  upgrade_paths:\n    - { to: \"2.0.0\", from: \">=1.1.0\" }\n")
        .append("  cache: ")
        .append(root.resolve("cache"))
        .append("\nssh:\n  user: hoist\n  identity: ")
        .append(key)
        .append("\n  known_hosts: ")
        .append(home.resolve(".ssh/known_hosts"))
        .append("\n  connect_timeout: 5s\n")
        .append("layout: { min_free: 1MiB }\n")
        .append("role_order: [web, db]\n")
        .append("roles:\n")
        .append("  web:\n    max_parallel: 2\n")
        .append("    retire: \"")
        .append(ctl("retire"))
        .append("\"\n    rejoin: \"")
        .append(ctl("rejoin"))
        .append("\"\n")
        .append("  db:\n    serial: true\n    leader: \"test -f ${home}/leader\"\n")
        .append("commands:\n")
        .append("  version: \"cat ${home}/current/VERSION\"\n")
        // Each slowed down after its effect when the crash point asks for it (slow-PHASE).
        .append("  stop: \"")
        .append(ctl("stop"))
        .append(slow("stop"))
        .append("\"\n  start: \"")
        .append(ctl("start"))
        .append(slow("start"))
        .append("\"\n  migrate: \"")
        .append(ctl("migrate"))
        .append("\"\n")
        // The switch, atomic (a new link renamed over current), and logged once it happened.
        .append("  install: \"ln -sfn ")
        .append(link)
        .append(" ${home}/.cur.tmp && mv -Tf ${home}/.cur.tmp")
        .append(" ${home}/current && echo $(date +%s%N) ${node} switch ${version} >> ")
        .append(events)
        .append(slow("install"))
        .append("\"\n")
        .append("  health: { run: \"grep -qxF ${version} ${home}/running\", retries: 2,")
        .append(" interval: 200ms }\n")
        .append("checks:\n  - { name: home, run: \"test -d ${home}/releases\" }\n")
        .append("backup: { paths: [\"")
        .append(data)
        .append("/${node}\"], keep: 10 }\n")
        .append("hooks:\n  before_cluster: \"echo before >> ")
        .append(hooks)
        .append("\"\n  after_cluster: \"echo after >> ")
        .append(hooks)
        .append("\"\n")
        .append("nodes:\n");
    for (Map.Entry<String, String> node : NODES.entrySet()) {
      yaml.append("  - { name: ")
          .append(node.getKey())
          .append(", host: 127.0.0.1, roles: [")
          .append(node.getValue())
          .append("], ssh: { port: ")
          .append(servers.get(node.getKey()).port())
          .append(" }, layout: { home: \"")
          .append(nodeHome(node.getKey()))
          .append("\" } }\n");
    }
    Path file = root.resolve(name);
    Files.writeString(file, yaml.toString());
    return file;
  }

  // --- the journal

  /** The runs in the state directory, oldest first (the killed run, then the run after it). */
  List<Path> runs() throws IOException {
    Path runs = state.resolve("runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("journal.jsonl"))).sorted().toList();
    }
  }

  /** A run's journal: its complete lines (a torn last line left out). */
  static List<JsonNode> journal(Path run) throws IOException {
    List<JsonNode> all = new ArrayList<>();
    String text = Files.readString(run.resolve("journal.jsonl"), StandardCharsets.UTF_8);
    int start = 0;
    for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      all.add(JSON.readTree(text.substring(start, nl)));
      start = nl + 1;
    }
    return all;
  }

  /** How many complete lines of {@code text} are events of kind {@code event}. */
  static int count(String text, String event) {
    String needle = "\"event\":\"" + event + "\"";
    int n = 0;
    int start = 0;
    for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (text.substring(start, nl).contains(needle)) {
        n++;
      }
      start = nl + 1;
    }
    return n;
  }

  /** The index of the {@code nth} event of kind {@code event}, -1 when there is none. */
  static int nth(List<JsonNode> journal, String event, int nth) {
    int seen = 0;
    for (int i = 0; i < journal.size(); i++) {
      if (journal.get(i).path("event").asText().equals(event) && ++seen == nth) {
        return i;
      }
    }
    return -1;
  }

  /** The text of the first run's journal, empty before there is one. */
  private String journalText() throws IOException {
    List<Path> runs = runs();
    return runs.isEmpty()
        ? ""
        : Files.readString(runs.get(0).resolve("journal.jsonl"), StandardCharsets.UTF_8);
  }

  // --- files

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Every file and directory under {@code dir}: relative path to sha256 (or "dir"). */
  static Map<String, String> snapshot(Path dir) {
    return Snapshots.of(dir);
  }
}
