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
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoist inspect} and {@code upgrade --dry-run} over real SSH: five simulated nodes. */
class InspectIT {

  @TempDir Path root;
  SimulatedCluster sim;
  CliRunner cli;

  @BeforeEach
  void startNodes() throws IOException {
    sim =
        SimulatedCluster.in(root, false)
            .releases("1.0.0", "1.1.0", "1.2.0")
            .node("n1", "worker", "1.0.0")
            .node("n2", "worker", "1.0.0")
            .node("n3", "worker", "1.1.0")
            .node("n4", "db", "1.0.0")
            .node("n5", "db", "1.0.0");
    sim.writeClusterFile(
        """
        role_order: [worker, db]
        roles:
          worker: { max_parallel: 2 }
          db: { serial: true, leader: "test -f ${home}/leader" }
        checks:
          - { name: marker, run: "test -f ${home}/marker && echo marker ok" }
          - name: responsive
            run: "if [ -f ${home}/hang ]; then sleep 60; fi; echo responsive"
            timeout: 1s
        """);
    for (String node : new String[] {"n1", "n2", "n4", "n5"}) {
      Files.writeString(sim.nodeHome(node).resolve("marker"), "");
    }
    cli = new CliRunner(sim.home(), root);
  }

  @AfterEach
  void stopNodes() {
    sim.close();
  }

  @Test
  void inspectSendsEveryNodeItsChecksAsOneExecRequest() {
    CliRunner.Result result = cli.run("-c", sim.clusterFile().toString(), "inspect");
    assertEquals(3, result.code(), result.toString()); // n3 fails its marker check
    for (String node : new String[] {"n1", "n2", "n3", "n4", "n5"}) {
      // version (with the marker's read), disk, marker, responsive: one round trip
      assertEquals(1, sim.server(node).commandsStarted(), node + ": " + result);
    }
  }

  @Test
  void oneFailingCheckAndOneNodeDownExitWithValidationFailed() throws IOException {
    sim.stop("n5");
    CliRunner.Result text = cli.run("-c", sim.clusterFile().toString(), "inspect");
    assertEquals(3, text.code(), text.toString());
    assertTrue(text.out().contains("3 of 5 nodes passed every check; failed: n3, n5"), text.out());
    assertTrue(text.out().matches("(?s).*\\n\\s+marker\\s+fail\\s+check exited 1.*"), text.out());

    CliRunner.Result json =
        cli.run("-c", sim.clusterFile().toString(), "--output", "json", "inspect");
    assertEquals(3, json.code(), json.toString());
    JsonNode report = new ObjectMapper().readTree(json.out());
    assertFalse(report.get("ok").asBoolean());
    Map<String, JsonNode> nodes = new HashMap<>();
    report.get("nodes").forEach(n -> nodes.put(n.get("node").asText(), n));
    assertTrue(nodes.get("n1").get("ok").asBoolean());
    assertEquals("1.0.0", nodes.get("n1").get("version").asText());
    assertEquals("1.1.0", nodes.get("n3").get("version").asText());
    assertEquals("fail", check(nodes.get("n3"), "marker").get("status").asText());
    assertEquals("pass", check(nodes.get("n3"), "disk").get("status").asText());
    assertEquals("fail", check(nodes.get("n5"), "reachable").get("status").asText());
    assertEquals("skip", check(nodes.get("n5"), "version").get("status").asText());
    assertEquals("skip", check(nodes.get("n5"), "marker").get("status").asText());
    assertEquals(2, report.get("summary").get("failed").asInt());
  }

  @Test
  void aHangingNodeTimesOutWithoutHoldingBackTheOthers() throws IOException {
    Files.writeString(sim.nodeHome("n1").resolve("hang"), "");
    CliRunner.Result result =
        cli.run(
            "-c",
            sim.clusterFile().toString(),
            "--output",
            "json",
            "inspect",
            "--max-parallel",
            "2");
    assertEquals(3, result.code(), result.toString());
    JsonNode report = new ObjectMapper().readTree(result.out());
    for (JsonNode node : report.get("nodes")) {
      JsonNode responsive = check(node, "responsive");
      if (node.get("node").asText().equals("n1")) {
        assertEquals("fail", responsive.get("status").asText());
        assertTrue(
            responsive.get("message").asText().startsWith("check timed out after 1."),
            responsive.toString());
      } else {
        assertEquals("pass", responsive.get("status").asText(), node.toString());
      }
    }
  }

  @Test
  void allChecksPassingExitsZero() {
    CliRunner.Result result =
        cli.run("-c", sim.clusterFile().toString(), "inspect", "n1", "n2", "n4");
    assertEquals(0, result.code(), result.toString());
    assertTrue(result.out().contains("All 3 nodes passed every check."), result.out());
  }

  @Test
  void dryRunPlansEveryNodeAndChangesNothing() throws IOException {
    String before = snapshot();
    CliRunner.Result result =
        cli.run("-c", sim.clusterFile().toString(), "upgrade", "--cluster", "--dry-run");
    assertEquals(0, result.code(), result.toString());
    assertTrue(result.out().contains("upgrade to 1.2.0"), result.out());
    assertTrue(result.out().contains("Hop 1 of 2: to 1.1.0"), result.out());
    assertTrue(result.out().contains("Hop 2 of 2: to 1.2.0"), result.out());
    assertTrue(
        result.out().contains("$ cat " + sim.nodeHome("n1") + "/current/VERSION"), result.out());
    assertEquals(before, snapshot(), "the dry run changed a node");
  }

  @Test
  void dryRunJsonMasksSecretsThatTheNodeStillReceives() throws IOException {
    sim.writeClusterFile(
        """
        role_order: [worker, db]
        roles:
          worker: { max_parallel: 2 }
          db: { serial: true }
        secrets: [API_TOKEN]
        checks:
          - { name: token, run: "printf %s ${secret.API_TOKEN} > ${home}/received" }
        """);
    cli.env("API_TOKEN", "tok en");
    CliRunner.Result inspect = cli.run("-c", sim.clusterFile().toString(), "inspect", "n1");
    assertEquals(0, inspect.code(), inspect.toString());
    assertEquals("tok en", Files.readString(sim.nodeHome("n1").resolve("received")));
    assertFalse(inspect.out().contains("tok en"), "secret leaked: " + inspect.out());
    CliRunner.Result result =
        cli.run(
            "-c",
            sim.clusterFile().toString(),
            "--output",
            "json",
            "upgrade",
            "n1",
            "n4",
            "--dry-run",
            "--to",
            "1.1.0");
    assertEquals(0, result.code(), result.toString());
    assertFalse(result.out().contains("tok en"), "secret leaked: " + result.out());
    JsonNode plan = new ObjectMapper().readTree(result.out());
    assertEquals("1.1.0", plan.get("target").asText());
    JsonNode batches = plan.get("hops").get(0).get("batches");
    assertEquals("worker", batches.get(0).get("role").asText());
    assertEquals("db", batches.get(1).get("serial_role").asText());
    JsonNode steps = batches.get(0).get("nodes").get(0).get("steps");
    assertEquals("version-check", steps.get(0).get("phase").asText());
    assertEquals("pre-validate", steps.get(1).get("phase").asText());
    assertEquals(
        "printf %s '***' > " + sim.nodeHome("n1") + "/received",
        steps.get(1).get("commands").get(0).asText());
  }

  @Test
  void dryRunStopsWhenANodeIsDown() {
    sim.stop("n5");
    CliRunner.Result result =
        cli.run("-c", sim.clusterFile().toString(), "upgrade", "--cluster", "--dry-run");
    assertEquals(3, result.code(), result.toString());
    assertTrue(result.err().contains("n5 (hoist@127.0.0.1:"), result.err());
    assertTrue(result.out().isEmpty(), "no plan on stdout: " + result.out());
  }

  private static JsonNode check(JsonNode node, String name) {
    for (JsonNode check : node.get("checks")) {
      if (check.get("name").asText().equals(name)) {
        return check;
      }
    }
    throw new AssertionError("no check " + name + " in " + node);
  }

  private String snapshot() throws IOException {
    StringBuilder all = new StringBuilder();
    try (var files = Files.walk(root.resolve("nodes"))) {
      files
          .sorted()
          .forEach(
              p -> {
                all.append(p).append(Files.isSymbolicLink(p) ? " link" : "").append('\n');
              });
    }
    return all.toString();
  }
}
