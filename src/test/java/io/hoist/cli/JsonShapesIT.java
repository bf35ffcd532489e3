package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoist.testing.HoistJar;
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
 * The built jar with {@code --output json} over SSH to embedded servers, as a script runs it
 * ({@code hoist -o json inspect | jq}): stdout of every command is one document valid against its
 * schema in docs/json, also with {@code -vv} writing slf4j's debug lines to stderr and when a node
 * is down.
 */
class JsonShapesIT {

  @TempDir Path root;
  private SimulatedCluster sim;
  private HoistJar jar;
  private final List<HoistJar.Result> results = new ArrayList<>();

  @BeforeEach
  void cluster() throws IOException {
    sim = SimulatedCluster.in(root, false);
    CliRunner packer = new CliRunner(sim.home(), root);
    for (String version : List.of("1.0.0", "1.1.0")) {
      Path src = Files.createDirectories(root.resolve("src").resolve(version));
      Files.writeString(src.resolve("VERSION"), version + "\n");
      CliRunner.Result packed =
          packer.run(
              "version",
              "pack",
              src.toString(),
              "--version",
              version,
              "--product",
              "acme",
              "--into",
              Files.createDirectories(sim.repositoryDir()).toString());
      assertEquals(0, packed.code(), packed.toString());
    }
    sim.node("n1", "worker", "1.0.0").node("n2", "worker", "1.0.0");
    sim.writeClusterFile(
        "role_order: [worker]\n"
            + "roles:\n"
            + "  worker:\n"
            + "    retire: \"true\"\n"
            + "    rejoin: \"true\"\n"
            + "    commands: { stop: \"true\", start: \"true\" }\n");
    // -XX:TieredStopAtLevel=1: the jar starts a dozen times.
    jar = HoistJar.in(sim.home()).withJvmOptions("-XX:TieredStopAtLevel=1");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void everyCommandWritesOneValidDocumentWhileDebugLogsGoToStderr() {
    document("inspect", 0, "inspect");
    // -vv: slf4j-simple's debug lines (SSH connections, commands), all on stderr.
    assertTrue(results.get(0).err().contains("[DEBUG]"), results.get(0).toString());
    document("version-list", 0, "version", "list");
    document("version-get", 0, "version", "get", "1.1.0");
    JsonNode prepared = document("version-prepare", 0, "version", "prepare", "1.1.0");
    assertEquals(2, prepared.at("/summary/staged").asInt(), prepared.toPrettyString());
    document("plan", 0, "upgrade", "--cluster", "--dry-run", "--to", "1.1.0");
    JsonNode upgraded = document("upgrade", 0, "upgrade", "--cluster", "--yes", "--to", "1.1.0");
    assertEquals("upgraded", upgraded.at("/nodes/1/state").asText(), upgraded.toPrettyString());
    document("status", 0, "status");
    document("retire", 0, "retire", "n1");
    JsonNode plan = document("plan", 0, "rollback", "--cluster", "--dry-run");
    assertTrue(plan.get("rollback").asBoolean());
    JsonNode rolledBack = document("rollback", 0, "rollback", "--cluster", "--yes");
    assertEquals("rolled-back", rolledBack.at("/nodes/0/state").asText());
  }

  @Test
  void aNodeThatIsDownStillGivesOneDocument() {
    sim.stop("n2");

    JsonNode inspect = document("inspect", 3, "inspect");
    assertEquals("fail", inspect.at("/nodes/1/checks/0/status").asText(), inspect.toString());
    JsonNode list = document("version-list", 3, "version", "list");
    assertFalse(list.at("/nodes/1/error").isNull(), list.toString());
    JsonNode error = document("error", 3, "upgrade", "--cluster", "--dry-run", "--to", "1.1.0");
    assertEquals("validation", error.at("/error/kind").asText());
    assertTrue(error.at("/error/message").asText().contains("n2"), error.toString());
  }

  /** {@code hoist -vv -c FILE -o json ARGS}: its one document, checked against SCHEMA. */
  private JsonNode document(String schema, int code, String... args) {
    List<String> all = new ArrayList<>(List.of("-vv", "-c", sim.clusterFile().toString()));
    all.addAll(List.of("-o", "json"));
    all.addAll(List.of(args));
    HoistJar.Result result = jar.run(all.toArray(String[]::new)).exitsWith(code);
    results.add(result);
    return JsonShapes.assertDocument(schema, result.out(), result.err(), result.toString());
  }
}
