package io.hoist.run;

import io.hoist.inspect.Inspector;
import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.plan.Plan;
import io.hoist.plan.PlanRequest;
import io.hoist.plan.Planner;
import io.hoist.release.ReleaseRepository;
import io.hoist.release.Version;
import io.hoist.transport.TransportFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Computes the plan of an upgrade from the live cluster: reads every selected node's version (read
 * only; a node that cannot be read stops the plan), lists the repository's releases, and hands both
 * to the {@link Planner}.
 */
public final class PlanService {

  private final Cluster cluster;
  private final TransportFactory transports;
  private final Map<String, String> secretValues;
  private final Path baseDir;
  private volatile Map<String, io.hoist.command.NodeMarker.Read> markers = Map.of();

  /**
   * @param baseDir the directory a relative {@code file:} repository is resolved against (the
   *     cluster file's)
   */
  public PlanService(
      Cluster cluster,
      TransportFactory transports,
      Map<String, String> secretValues,
      Path baseDir) {
    this.cluster = cluster;
    this.transports = transports;
    this.secretValues = Map.copyOf(secretValues);
    this.baseDir = baseDir;
  }

  /**
   * The plan for these nodes.
   *
   * @param nodes the selected nodes (the whole cluster for {@code --cluster})
   * @param target {@code --to}, or empty for the newest reachable release
   * @param roleOrder {@code --role-order}, or empty for the file's
   * @param force also upgrade nodes already at the target
   * @param maxParallel nodes contacted at once to read versions
   * @param batchCap cap on batch sizes (0: the roles' own max_parallel)
   */
  public Plan plan(
      List<Node> nodes,
      Optional<Version> target,
      List<String> roleOrder,
      boolean force,
      int maxParallel,
      int batchCap) {
    return plan(nodes, target, roleOrder, force, maxParallel, batchCap, Map.of());
  }

  /**
   * The plan, with some nodes planned from another version than the one they report: a resume plans
   * a node caught inside a hop from that hop's start ({@code current} may already name the hop's
   * release).
   */
  public Plan plan(
      List<Node> nodes,
      Optional<Version> target,
      List<String> roleOrder,
      boolean force,
      int maxParallel,
      int batchCap,
      Map<String, Version> overrides) {
    Planner planner = new Planner(cluster);
    Map<String, io.hoist.command.NodeMarker.Read> read = new java.util.HashMap<>();
    Map<String, Version> current =
        new java.util.HashMap<>(
            new ClusterInspection(
                    cluster, new Inspector(cluster, transports, secretValues), maxParallel)
                .versions(nodes, report -> read.put(report.node(), report.marker())));
    markers = Map.copyOf(read);
    current.putAll(overrides);
    List<Version> available = ReleaseRepository.open(cluster.release(), baseDir).releases();
    return planner.plan(
        new PlanRequest(
            nodes.stream().map(Node::name).toList(),
            current,
            available,
            target,
            roleOrder,
            force,
            batchCap,
            secretValues));
  }

  /**
   * The node markers the last {@link #plan} read along with the versions (the version command reads
   * both), by node name; empty before a plan.
   */
  public Map<String, io.hoist.command.NodeMarker.Read> markers() {
    return markers;
  }
}
