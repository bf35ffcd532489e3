package io.hoist.run;

import io.hoist.error.ValidationException;
import io.hoist.inspect.CheckResult;
import io.hoist.inspect.CheckStatus;
import io.hoist.inspect.InspectReport;
import io.hoist.inspect.Inspector;
import io.hoist.inspect.NodeReport;
import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.release.Version;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@link Inspector} over many nodes at once, at most {@code maxParallel} in flight. */
public final class ClusterInspection {

  private final Cluster cluster;
  private final Inspector inspector;
  private final int maxParallel;

  public ClusterInspection(Cluster cluster, Inspector inspector, int maxParallel) {
    this.cluster = cluster;
    this.inspector = inspector;
    this.maxParallel = maxParallel;
  }

  /** Every check on every given node. Blocks until all are done; never throws for a node. */
  public InspectReport inspect(List<Node> nodes) {
    return new InspectReport(cluster.name(), FanOut.map(nodes, maxParallel, inspector::inspect));
  }

  /**
   * The running version of every given node, read in parallel.
   *
   * @throws ValidationException naming every node that could not be reached or whose version could
   *     not be read (as Aviatrix's dry run: a plan needs every node); nothing was changed
   */
  public Map<String, Version> versions(List<Node> nodes) {
    return versions(nodes, report -> {});
  }

  /**
   * As {@link #versions(List)}, and hands each node's report to {@code onReport} (the marker its
   * version command read, say) before any failure is thrown.
   */
  public Map<String, Version> versions(
      List<Node> nodes, java.util.function.Consumer<NodeReport> onReport) {
    List<NodeReport> reports = FanOut.map(nodes, maxParallel, inspector::probe);
    reports.forEach(onReport);
    List<String> failures = new ArrayList<>();
    Map<String, Version> versions = new LinkedHashMap<>();
    for (NodeReport report : reports) {
      if (report.isOk()) {
        versions.put(report.node(), Version.parse(report.version()));
      } else {
        String reason =
            report.checks().stream()
                .filter(c -> c.status() == CheckStatus.FAIL)
                .map(CheckResult::message)
                .findFirst()
                .orElse("unknown failure");
        failures.add("  " + report.node() + " (" + report.address() + "): " + reason);
      }
    }
    if (!failures.isEmpty()) {
      throw new ValidationException(
          "cannot read the running version of "
              + failures.size()
              + (failures.size() == 1 ? " node" : " nodes")
              + "; nothing was changed:\n"
              + String.join("\n", failures)
              + "\nRun 'hoist inspect' for details.");
    }
    return versions;
  }
}
