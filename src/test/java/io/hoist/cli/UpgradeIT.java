package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.testing.SimulatedCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoist upgrade} switching nodes for real: simulated nodes over SSH running real bash, a
 * tiny product script in each release that records its starts and stops in {@code HOME/events},
 * releases packed by {@code hoist version pack} into the cluster's file repository.
 */
class UpgradeIT {

  private static final String CTL =
      "#!/bin/bash\n"
          + "v=$(cat \"$(dirname \"$0\")/../VERSION\")\n"
          + "case \"$1\" in\n"
          + "  start) echo \"start $v\" >> \"$2/events\" ;;\n"
          + "  stop) echo stop >> \"$2/events\" ;;\n"
          + "esac\n"
          + "echo \"$(basename \"$2\") $1 $v\" >> \"$2/../all-events\"\n";

  @TempDir Path root;
  SimulatedCluster sim;
  CliRunner cli;
  Path state;

  @BeforeEach
  void start() throws IOException {
    sim = SimulatedCluster.in(root, false);
    state = root.resolve("xdg-state");
    cli =
        new CliRunner(sim.home(), root)
            .env("XDG_STATE_HOME", state.toString())
            .env("XDG_CACHE_HOME", root.resolve("xdg-cache").toString());
    Files.createDirectories(root.resolve("data"));
    Files.writeString(root.resolve("data/db.txt"), "precious\n");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void clusterUpgradeSwitchesEveryNodeInPlanOrderWithBackups() throws IOException {
    threeNodes();

    CliRunner.Result result =
        run("--output", "json", "upgrade", "--cluster", "--yes", "--to", "1.1.0");

    assertEquals(0, result.code(), result.toString());
    for (String node : List.of("n1", "n2", "n3")) {
      assertCurrent(node, "1.1.0");
      assertEquals(List.of("stop", "start 1.1.0"), events(node), node);
      try (Stream<Path> backups = Files.walk(state.resolve("hoist/backups"))) {
        assertTrue(
            backups.anyMatch(p -> p.toString().contains(node) && Files.isRegularFile(p)),
            "a backup of " + node);
      }
    }
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertTrue(json.get("ok").asBoolean(), json.toString());
    assertEquals("1.1.0", json.get("target").asText());
    List<String> order = new ArrayList<>();
    for (JsonNode node : json.get("nodes")) {
      order.add(node.get("node").asText());
      assertEquals("upgraded", node.get("state").asText(), node.toString());
      List<String> phases = new ArrayList<>();
      node.get("phases").forEach(p -> phases.add(p.get("phase").asText()));
      assertTrue(phases.indexOf("backup") >= 0, phases.toString());
      assertEquals(phases.indexOf("backup") + 1, phases.indexOf("install"), phases.toString());
    }
    assertEquals(List.of("n1", "n2", "n3"), order);
    // Plan order, one node at a time: each node stopped only after the previous one started.
    // The product is stopped before the switch: the stop runs the previous release's script.
    assertEquals(
        List.of(
            "n1 stop 1.0.0",
            "n1 start 1.1.0",
            "n2 stop 1.0.0",
            "n2 start 1.1.0",
            "n3 stop 1.0.0",
            "n3 start 1.1.0"),
        Files.readAllLines(sim.nodeHome("n1").resolveSibling("all-events")));
    assertTrue(Files.exists(root.resolve("after")), "after_cluster ran");
  }

  @Test
  void failedHealthCheckRollsTheNodeBackAndStopsTheRun() throws IOException {
    threeNodes();
    Files.writeString(sim.nodeHome("n2").resolve("fail-health-1.1.0"), "");

    CliRunner.Result result = run("upgrade", "--cluster", "--yes", "--to", "1.1.0");

    // n1 is on 1.1.0, n2 rolled back, n3 never started: a mixed cluster needs attention.
    assertEquals(5, result.code(), result.toString());
    assertCurrent("n1", "1.1.0");
    assertCurrent("n2", "1.0.0");
    assertCurrent("n3", "1.0.0");
    assertEquals(List.of(), events("n3"));
    List<String> n2 = events("n2");
    assertEquals("start 1.0.0", n2.get(n2.size() - 1), n2.toString());
    assertTrue(Files.exists(root.resolve("after")), "after_cluster ran");
    assertTrue(
        result
            .out()
            .lines()
            .anyMatch(
                l ->
                    l.matches(
                        "n2\\s+worker\\s+1\\.0\\.0\\s+1\\.1\\.0\\s+1\\.0\\.0"
                            + "\\s+failed-rolled-back\\s+yes.*")),
        result.out());
    assertTrue(
        result
            .out()
            .lines()
            .anyMatch(
                l ->
                    l.matches(
                        "n3\\s+worker\\s+1\\.0\\.0\\s+1\\.1\\.0\\s+1\\.0\\.0"
                            + "\\s+not-started\\s+-.*")),
        result.out());
  }

  @Test
  void withoutYesAndWithoutATerminalNothingChanges() throws IOException {
    threeNodes();

    CliRunner.Result result = run("upgrade", "--cluster", "--to", "1.1.0");

    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("add --yes"), result.err());
    for (String node : List.of("n1", "n2", "n3")) {
      assertCurrent(node, "1.0.0");
      assertEquals(List.of(), events(node));
      assertFalse(Files.exists(sim.nodeHome(node).resolve("releases/1.1.0")), node);
    }
    assertFalse(Files.exists(root.resolve("after")));
  }

  private void threeNodes() throws IOException {
    pack("1.0.0");
    pack("1.1.0");
    sim.node("n1", "worker", "1.0.0").node("n2", "worker", "1.0.0").node("n3", "worker", "1.0.0");
    for (String node : List.of("n1", "n2", "n3")) {
      ctl(sim.nodeHome(node).resolve("releases/1.0.0"));
    }
    sim.writeClusterFile(
        "role_order: [worker]\n"
            + "roles:\n"
            + "  worker:\n"
            + "    commands:\n"
            + "      stop: \"${home}/current/bin/ctl stop ${home}\"\n"
            + "      start: \"${home}/current/bin/ctl start ${home}\"\n"
            + "      health: { run: \"test ! -f ${home}/fail-health-${version}\", retries: 0, interval: 1s }\n"
            + "backup: { paths: [\""
            + root.resolve("data")
            + "\"] }\n"
            + "hooks: { after_cluster: \"touch "
            + root.resolve("after")
            + "\" }\n");
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
    Path repo = Files.createDirectories(sim.repositoryDir());
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
            repo.toString());
    assertEquals(0, result.code(), result.toString());
  }

  private CliRunner.Result run(String... args) {
    List<String> all = new ArrayList<>(List.of("-c", sim.clusterFile().toString()));
    all.addAll(List.of(args));
    return cli.run(all.toArray(String[]::new));
  }

  private List<String> events(String node) throws IOException {
    Path events = sim.nodeHome(node).resolve("events");
    return Files.exists(events) ? Files.readAllLines(events) : List.of();
  }

  private void assertCurrent(String node, String version) throws IOException {
    Path link = Files.readSymbolicLink(sim.nodeHome(node).resolve("current"));
    assertTrue(link.toString().endsWith("releases/" + version), node + " current -> " + link);
  }
}
