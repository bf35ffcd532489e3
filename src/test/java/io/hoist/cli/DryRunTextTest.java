package io.hoist.cli;

import static io.hoist.testing.Clusters.cluster;
import static io.hoist.testing.Clusters.inZone;
import static io.hoist.testing.Clusters.node;
import static io.hoist.testing.Clusters.ramped;
import static io.hoist.testing.Clusters.serial;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.model.BatchSize;
import io.hoist.model.Cluster;
import io.hoist.plan.Plan;
import io.hoist.plan.PlanRequest;
import io.hoist.plan.Planner;
import io.hoist.release.Version;
import io.hoist.run.DryRunReport;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text of {@code upgrade --dry-run}: zones in the plan, then impact and what was not checked.
 */
class DryRunTextTest {

  @TempDir Path state;

  @Test
  void theDryRunShowsZonesImpactDowntimeAndWhatItCouldNotVerify() {
    Cluster cluster =
        cluster("prod")
            .acmeCommands()
            .roleOrder(List.of("web", "db"))
            .roles(ramped("web", true, BatchSize.of(2)), serial("db", "acme-ctl is-leader"))
            .nodes(
                inZone(node("web-1", "web"), "a"),
                inZone(node("web-2", "web"), "b"),
                inZone(node("web-3", "web"), "a"),
                node("db-1", "db"))
            .build();
    Map<String, Version> current = new HashMap<>();
    cluster.nodes().forEach(n -> current.put(n.name(), Version.parse("1.0.0")));
    Plan plan =
        new Planner(cluster)
            .plan(
                new PlanRequest(
                    List.of(),
                    current,
                    List.of(Version.parse("1.1.0")),
                    Optional.empty(),
                    List.of(),
                    false,
                    0,
                    Map.of()));

    List<String> lines = Text.plan(plan, DryRunReport.of(cluster, plan, state));
    String text = String.join("\n", lines);

    assertEquals(Text.plan(plan), lines.subList(0, Text.plan(plan).size()), "the plan unchanged");
    assertTrue(text.contains("  Batch 1 (role web, zone a, 2 nodes at once): web-1, web-3"), text);
    assertTrue(text.contains("    web-2 (web-2.test, zone b): 1.0.0 -> 1.1.0"), text);
    assertTrue(text.contains("Impact (what goes down on each node):"), text);
    assertTrue(text.contains("systemctl stop acme"), text);
    assertTrue(
        text.contains(
            "  role web: 3 nodes in 2 batches; one node at most 10m30s, the role at most 21m0s"
                + " (upper bound from timeouts: stop 90s + switch 3m + start 5m + health 30 x 2s)"),
        text);
    assertTrue(text.contains("Not verified by this dry run:"), text);
    assertTrue(text.contains("  - the leader of serial role db is asked at run time"), text);
  }
}
