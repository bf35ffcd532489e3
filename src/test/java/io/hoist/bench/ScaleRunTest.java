package io.hoist.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale benchmark's machinery on a small cluster: the command line upgrades every simulated
 * node, the wire sees exactly the commands the critical path counts, and the report holds each
 * node's phases.
 */
class ScaleRunTest {

  @TempDir Path work;

  @Test
  void aSmallClusterIsUpgradedByTheCommandLineOverTheSimulatedWire() throws IOException {
    ScaleRun run = new ScaleRun(work, Duration.ZERO, 4, 1, false);

    ScaleRun.Result result = run.measure(40, run.repository());

    assertEquals(40, result.nodes());
    assertEquals(result.expectedCommands(), result.commands(), "commands on the wire");
    // 35 non-db nodes in batches of up to 4 in role order, then the 5 db nodes one by one.
    assertTrue(result.batches() > 10, result.batches() + " batches");
    JsonNode report = new ObjectMapper().readTree(work.resolve("n40/report.json").toFile());
    Map<String, List<String>> phases = new LinkedHashMap<>();
    for (JsonNode node : report.path("nodes")) {
      List<String> own = new ArrayList<>();
      node.path("phases").forEach(p -> own.add(p.path("phase").asText()));
      phases.put(node.path("node").asText(), own);
      assertEquals("upgraded", node.path("state").asText(), node.toString());
    }
    assertEquals(
        List.of(
            "version-check",
            "pre-validate",
            "retire",
            "stop",
            "install",
            "start",
            "post-validate",
            "rejoin"),
        phases.get("edge-1"));
    assertEquals(
        List.of(
            "version-check",
            "pre-validate",
            "stop",
            "install",
            "start",
            "migrate",
            "post-validate"),
        phases.get("db-3"));
    assertEquals(List.of("worker", "app"), roles(report, "worker-10"));
    // One journal line per node start and end, phase start and end, a retired node's retire and
    // rejoin (node-retired, node-rejoined), plus the run's start and end.
    long phaseEvents = phases.values().stream().mapToLong(List::size).sum() * 2;
    long retired = phases.values().stream().filter(p -> p.contains("retire")).count();
    assertEquals(2 + 40 * 2 + phaseEvents + 2 * retired, result.journalEvents());
    assertTrue(Files.size(work.resolve("n40/stderr.log")) > 0, "the plain progress lines");
  }

  private static List<String> roles(JsonNode report, String name) {
    for (JsonNode node : report.path("nodes")) {
      if (node.path("node").asText().equals(name)) {
        List<String> roles = new ArrayList<>();
        node.path("roles").forEach(r -> roles.add(r.asText()));
        return roles;
      }
    }
    throw new AssertionError("no node " + name + " in the report");
  }
}
