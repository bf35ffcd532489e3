package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoist retire} on local nodes whose drain script appends to an event log and drains on the
 * first try, or never (a marker file).
 */
class RetireCommandTest {

  @TempDir Path root;
  private CliRunner cli;
  private Path events;

  @BeforeEach
  void cluster() throws IOException {
    Path home = Files.createDirectories(root.resolve("home"));
    events = root.resolve("events");
    cli = new CliRunner(home, root).env("HOIST_STATE_DIR", root.resolve("state").toString());
    for (String node : List.of("db-1", "db-2", "web-1")) {
      Path nodeHome = Files.createDirectories(root.resolve(node).resolve("current"));
      Files.writeString(nodeHome.resolve("VERSION"), "1.0.0\n");
    }
    Files.writeString(
        root.resolve("cluster.yaml"),
        "cluster: test\n"
            + "release: { repository: file:repo, bundle: \"acme-${version}.tar.gz\" }\n"
            + "roles:\n"
            + "  db:\n"
            + "    retire: \"echo retire ${node} >> "
            + events
            + "; test ! -f ${home}/stuck\"\n"
            + "    rejoin: \"echo rejoin ${node} >> "
            + events
            + "\"\n"
            + "  web: {}\n"
            + "nodes:\n"
            + "  - { name: db-1, transport: local, roles: [db], layout: { home: \""
            + root.resolve("db-1")
            + "\" } }\n"
            + "  - { name: db-2, transport: local, roles: [db], layout: { home: \""
            + root.resolve("db-2")
            + "\" } }\n"
            + "  - { name: web-1, transport: local, roles: [web], layout: { home: \""
            + root.resolve("web-1")
            + "\" } }\n");
  }

  @Test
  void drainsTheNodesInTheOrderGiven() throws IOException {
    CliRunner.Result result = cli.run("--output", "json", "retire", "db-2", "db-1");

    assertEquals(0, result.code(), result.toString());
    assertEquals(List.of("retire db-2", "retire db-1"), Files.readAllLines(events));
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertTrue(json.get("ok").asBoolean());
    assertEquals("db-2", json.get("nodes").get(0).get("node").asText());
    assertEquals("drained", json.get("nodes").get(0).get("state").asText());
    assertEquals("db", json.get("nodes").get(0).get("roles").get(0).asText());
    assertEquals("drained", json.get("nodes").get(1).get("state").asText());
  }

  @Test
  void aNodeThatNeverDrainsIsLeftForAPersonAndTheNextIsNotTouched() throws IOException {
    Files.writeString(root.resolve("db-1/stuck"), "");

    CliRunner.Result result = cli.run("retire", "db-1", "db-2", "--timeout", "1s");

    assertEquals(5, result.code(), result.toString());
    assertEquals(List.of("retire db-1"), Files.readAllLines(events), "no rejoin, no db-2");
    assertTrue(result.out().contains("did not drain within 1000ms"), result.out());
    assertTrue(result.out().lines().anyMatch(l -> l.matches("db-2\\s+db\\s+not-started.*")));
    assertTrue(
        result.out().contains("db-1 is left partly drained; to put it back run on it: echo rejoin"),
        result.out());
  }

  @Test
  void aNodeWithoutARoleThatRetiresIsRefusedBeforeAnythingRuns() {
    CliRunner.Result result = cli.run("retire", "db-1", "web-1");

    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("no role of web-1 has a retire command"), result.err());
    assertTrue(result.err().contains("roles that retire: db"), result.err());
    assertTrue(
        result.err().contains("give a role of each a retire command in the cluster file"),
        result.err());
    assertFalse(Files.exists(events), "nothing was drained");
  }

  @Test
  void anUnknownNodeIsAUsageErrorWithASuggestion() {
    CliRunner.Result result = cli.run("retire", "db-3x");

    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("no node 'db-3x'"), result.err());
    assertFalse(Files.exists(events));
  }
}
