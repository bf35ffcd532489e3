package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.demo.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoist status} after real upgrades of the demo's local cluster, in-process. */
class StatusCommandTest {

  @TempDir Path root;
  private CliRunner cli;
  private Sandbox sandbox;

  @BeforeEach
  void sandbox() throws IOException {
    sandbox = Sandbox.create(root.resolve("sandbox"));
    cli =
        new CliRunner(Files.createDirectories(root.resolve("home")), root)
            .env("HOIST_STATE_DIR", root.resolve("state").toString());
  }

  @Test
  void withoutAnyRunItSaysSo() {
    CliRunner.Result result = cli.run("status");

    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("no run is recorded in "), result.err());
    assertTrue(result.err().contains("set HOIST_STATE_DIR to read them"), result.err());
  }

  @Test
  void aFinishedRunIsCompleteAndAFailedOneSaysWhatAResumeWouldDo() throws IOException {
    CliRunner.Result first = upgrade("1.1.0");
    assertEquals(0, first.code(), first.toString());

    JsonNode done = json(cli.run("--output", "json", "status"));
    assertTrue(done.get("ended").asBoolean());
    assertTrue(done.get("complete").asBoolean(), done.toPrettyString());
    assertEquals(0, done.get("exit_code").asInt());
    assertEquals(0, done.get("next").size());
    assertTrue(
        done.get("args")
            .toString()
            .endsWith("\"upgrade\",\"--cluster\",\"--yes\",\"--to\",\"1.1.0\"]"),
        done.get("args").toString());
    String firstRun = done.get("run").asText();

    sandbox.failHealthAt("db-1");
    Files.writeString(
        sandbox.home("db-1").resolve("state/unhealthy"), "2.0.0\n"); // 1.1.0 stays healthy
    CliRunner.Result second = upgrade("2.0.0");
    assertEquals(5, second.code(), second.toString());

    JsonNode failed = json(cli.run("--output", "json", "status"));
    assertFalse(failed.get("complete").asBoolean());
    assertEquals(5, failed.get("exit_code").asInt());
    JsonNode db1 = node(failed, "db-1");
    assertEquals("failed", db1.get("state").asText());
    assertEquals("failed-rolled-back", db1.get("status").asText());
    assertEquals("1.1.0", db1.get("reached").asText());
    assertTrue(db1.get("message").asText().contains("replicas lagging"), db1.toPrettyString());
    assertEquals(1, db1.get("backups").size(), "the backup taken before the switch is journaled");
    assertEquals("not-started", node(failed, "db-2").get("state").asText());
    assertTrue(failed.get("next").toString().contains("db-2: upgrade 1.1.0 -> 2.0.0"));

    // The first run is still there by its id.
    CliRunner.Result byId = cli.run("status", firstRun);
    assertEquals(0, byId.code(), byId.toString());
    assertTrue(byId.out().contains("nothing to resume"), byId.out());
    assertTrue(byId.out().contains("upgrade --cluster --yes --to 1.1.0"), byId.out());
    CliRunner.Result unknown = cli.run("status", "20990101T000000Z");
    assertEquals(2, unknown.code(), unknown.toString());
    assertTrue(unknown.err().contains("recent runs: " + firstRun), unknown.err());
  }

  private CliRunner.Result upgrade(String to) {
    return cli.run(
        "-c", sandbox.clusterFile().toString(), "upgrade", "--cluster", "--yes", "--to", to);
  }

  private static JsonNode json(CliRunner.Result result) throws IOException {
    assertEquals(0, result.code(), result.toString());
    return new ObjectMapper().readTree(result.out());
  }

  private static JsonNode node(JsonNode json, String name) {
    for (JsonNode node : json.get("nodes")) {
      if (node.get("node").asText().equals(name)) {
        return node;
      }
    }
    throw new AssertionError("no node " + name + " in " + json.toPrettyString());
  }
}
