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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoist rollback} on the demo's local cluster, in-process: after a real two-hop upgrade
 * whose releases migrated every node's data, every node goes back to 1.0.0 in the reverse order
 * with the data from before the upgrade.
 */
class RollbackCommandTest {

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
  void withoutAnUpgradeItNeedsTo() {
    CliRunner.Result result = run("rollback", "--cluster", "--yes");

    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("no upgrade is recorded"), result.err());
    assertTrue(result.err().contains("--to"), result.err());
  }

  @Test
  void theClusterGoesBackInTheReverseOrderWithItsDataFromBeforeTheUpgrade() throws IOException {
    assertEquals(0, run("upgrade", "--cluster", "--yes").code());
    for (String node : Sandbox.NODES.keySet()) {
      assertEquals("schema 2.0.0\n", Files.readString(sandbox.home(node).resolve("data/schema")));
    }

    JsonNode plan = json(run("--output", "json", "rollback", "--cluster", "--dry-run"));
    List<String> order = new ArrayList<>();
    plan.get("hops")
        .get(0)
        .get("batches")
        .forEach(b -> b.get("nodes").forEach(n -> order.add(n.get("node").asText())));
    // The upgrade went routers, controller, primaries: the rollback goes the other way.
    assertEquals(List.of("db-3", "db-2", "db-1", "ctl-1", "router-2", "router-1"), order);

    CliRunner.Result result = run("--output", "json", "rollback", "--cluster", "--yes");
    JsonNode json = json(result);

    assertEquals(0, json.get("exit_code").asInt(), json.toPrettyString());
    // The progress lines on stderr say what happened to each node: rolled back, not "upgraded".
    assertTrue(result.err().contains("db-3: rolled-back ("), result.err());
    assertFalse(result.err().contains(": upgraded ("), result.err());
    for (JsonNode node : json.get("nodes")) {
      assertEquals("rolled-back", node.get("state").asText(), node.toPrettyString());
      List<String> phases = new ArrayList<>();
      node.get("phases").forEach(p -> phases.add(p.get("phase").asText()));
      assertEquals(
          List.of("version-check", "stop", "restore", "install", "start", "post-validate"), phases);
    }
    for (String node : Sandbox.NODES.keySet()) {
      Path home = sandbox.home(node);
      assertEquals(home.resolve("releases/1.0.0"), Files.readSymbolicLink(home.resolve("current")));
      assertEquals("schema 1.0.0\n", Files.readString(home.resolve("data/schema")), node);
      assertEquals("1.0.0\n", Files.readString(home.resolve("state/running")), node);
    }
    // Journaled: status reads the rollback.
    JsonNode status = json(run("--output", "json", "status"));
    assertEquals("rollback", status.get("command").asText());
    assertTrue(status.get("complete").asBoolean());

    // Done already: nothing left.
    CliRunner.Result again = run("rollback", "--cluster", "--yes", "--to", "1.0.0");
    assertEquals(0, again.code(), again.toString());
    assertTrue(again.out().contains("Nothing to roll back"), again.out());
  }

  @Test
  void oneNodeToAnIntermediateReleaseKeepsItsDataWhenTheBackupIsOfAnotherRelease()
      throws IOException {
    assertEquals(0, run("upgrade", "--cluster", "--yes").code());

    CliRunner.Result result = run("rollback", "db-1", "--to", "1.1.0", "--yes");

    assertEquals(0, result.code(), result.toString());
    assertTrue(
        result
            .err()
            .contains(
                "db-1: its data is not restored: the backup from before the"
                    + " upgrade is of 1.0.0, not 1.1.0"),
        result.err());
    Path db1 = sandbox.home("db-1");
    assertEquals(db1.resolve("releases/1.1.0"), Files.readSymbolicLink(db1.resolve("current")));
    assertEquals("schema 2.0.0\n", Files.readString(db1.resolve("data/schema")));
    Path db2 = sandbox.home("db-2");
    assertEquals(db2.resolve("releases/2.0.0"), Files.readSymbolicLink(db2.resolve("current")));
  }

  private CliRunner.Result run(String... args) {
    List<String> all = new ArrayList<>(List.of("-c", sandbox.clusterFile().toString()));
    all.addAll(List.of(args));
    return cli.run(all.toArray(String[]::new));
  }

  private static JsonNode json(CliRunner.Result result) throws IOException {
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertTrue(json != null, result.toString());
    return json;
  }
}
