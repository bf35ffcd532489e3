package io.hoist.run;

import io.hoist.error.ValidationException;
import io.hoist.inspect.Inspector;
import io.hoist.inspect.NodeReport;
import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.release.Bundles;
import io.hoist.release.DownloadProgress;
import io.hoist.release.Manifest;
import io.hoist.release.ReleaseCache;
import io.hoist.release.ReleaseRepository;
import io.hoist.release.Version;
import io.hoist.stage.StageResult;
import io.hoist.stage.StagedReleases;
import io.hoist.stage.Stager;
import io.hoist.transport.TransportFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Releases between the repository, the core node's cache and the nodes: {@code version get}, {@code
 * version prepare} (and {@code upgrade --prepare-only}) and {@code version list}.
 *
 * <p>A bundle is verified (sha256, manifest, every entry inside the release root) before it is used
 * anywhere; a bundle that cannot be installed on this cluster (hoist too old, a node's version
 * outside its upgrade-from range) is refused before any node is touched.
 */
public final class ReleaseService {

  private final Cluster cluster;
  private final TransportFactory transports;
  private final Map<String, String> secretValues;
  private final ReleaseRepository repository;
  private final ReleaseCache cache;
  private final Version hoistVersion;

  /**
   * @param repository the cluster's release repository
   * @param cache the core node's bundle cache
   * @param hoistVersion this hoist's version, for the bundles' {@code min_hoist}
   */
  public ReleaseService(
      Cluster cluster,
      TransportFactory transports,
      Map<String, String> secretValues,
      ReleaseRepository repository,
      ReleaseCache cache,
      Version hoistVersion) {
    this.cluster = cluster;
    this.transports = transports;
    this.secretValues = Map.copyOf(secretValues);
    this.repository = repository;
    this.cache = cache;
    this.hoistVersion = hoistVersion;
  }

  /** A bundle in the cache, verified. */
  public record Fetched(Version version, Path bundle, String sha256, Manifest manifest) {}

  /**
   * Downloads a release into the cache unless it is there already, then verifies it.
   *
   * @throws ValidationException for a release the repository does not offer, a failed or corrupt
   *     download, a bundle that fails verification, or one this hoist is too old to install
   */
  public Fetched get(Version version, DownloadProgress progress) {
    if (!repository.releases().contains(version)) {
      throw new ValidationException(
          "release "
              + version
              + " is not in the repository "
              + repository.location()
              + " (it offers: "
              + String.join(", ", repository.releases().stream().map(Version::text).toList())
              + ")");
    }
    String sha256 = repository.sha256(version);
    Path bundle = cache.get(version, progress);
    Manifest manifest = verifiedBefore(bundle, sha256, version);
    if (manifest == null) {
      try {
        manifest = Bundles.verify(bundle, sha256, version);
      } catch (ValidationException e) {
        // Its checksum matched, so the cache kept it; a refused bundle must not look valid there.
        cache.evict(version);
        throw e;
      }
      rememberVerified(bundle, sha256, manifest);
    }
    if (!manifest.installableBy(hoistVersion)) {
      throw new ValidationException(
          "release "
              + version
              + " needs hoist "
              + manifest.minHoist()
              + " or newer to install it; this is hoist "
              + hoistVersion
              + ". Upgrade hoist first.");
    }
    return new Fetched(version, bundle, sha256, manifest);
  }

  /**
   * The manifest recorded when this exact bundle (by sha256, which the cache has just confirmed)
   * passed {@link Bundles#verify} before, or {@code null}: the nightly rerun need not unpack-check
   * 50 MB again. The record sits beside the bundle in the cache (0700, the admin's own).
   */
  private static Manifest verifiedBefore(Path bundle, String sha256, Version version) {
    Path record = verifiedRecord(bundle);
    try {
      if (!Files.isRegularFile(record)) {
        return null;
      }
      String text = Files.readString(record, StandardCharsets.UTF_8);
      int newline = text.indexOf('\n');
      if (newline < 0 || !text.substring(0, newline).equals(sha256)) {
        return null;
      }
      Manifest manifest =
          Manifest.parse(
              text.substring(newline + 1).getBytes(StandardCharsets.UTF_8), record.toString());
      return manifest.version().equals(version) ? manifest : null;
    } catch (IOException | ValidationException e) {
      return null; // verify again; the record is only a shortcut
    }
  }

  private static void rememberVerified(Path bundle, String sha256, Manifest manifest) {
    Path record = verifiedRecord(bundle);
    Path temp = record.resolveSibling(record.getFileName() + ".tmp");
    try {
      byte[] json = manifest.toJson();
      byte[] head = (sha256 + "\n").getBytes(StandardCharsets.UTF_8);
      byte[] all = new byte[head.length + json.length];
      System.arraycopy(head, 0, all, 0, head.length);
      System.arraycopy(json, 0, all, head.length, json.length);
      Files.deleteIfExists(temp);
      Files.createFile(
          temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(temp, all);
      Files.move(temp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | UnsupportedOperationException e) {
      // Not fatal: the next run verifies the bundle again.
    }
  }

  private static Path verifiedRecord(Path bundle) {
    return bundle.resolveSibling(bundle.getFileName() + ".verified");
  }

  /** The outcome of staging one release on the selected nodes. */
  public record Prepared(Fetched release, List<StageResult> nodes) {

    public Prepared {
      nodes = List.copyOf(nodes);
    }

    /** Whether every node holds the release now. */
    public boolean isOk() {
      return nodes.stream().allMatch(n -> n.status() != StageResult.Status.FAILED);
    }
  }

  /**
   * Stages a release on nodes, in parallel: gets and verifies the bundle, reads the version of
   * every node not in {@code fromVersions} and refuses the whole run when one is outside the
   * bundle's upgrade-from range (nothing touched), then stages it on each reachable node. Never
   * touches {@code current}.
   *
   * @param onNode called as each node is done (from the node's worker thread)
   * @param fromVersions the version each node will run when this release is installed, for the
   *     bundle's upgrade-from range (a later hop of a plan); a node not in it: its running version
   * @throws ValidationException when the bundle is refused (before any node is touched)
   */
  public Prepared prepare(
      Version version,
      List<Node> nodes,
      int maxParallel,
      DownloadProgress progress,
      Consumer<StageResult> onNode,
      Map<String, Version> fromVersions) {
    Fetched release = get(version, progress);
    try (SharedTransports shared = new SharedTransports(transports)) {
      Inspector inspector = new Inspector(cluster, shared, secretValues);
      // A node whose version the caller knows (the plan read it moments ago) is not asked again:
      // staging connects to it anyway, and a node gone since fails its staging.
      List<Node> unknown =
          nodes.stream().filter(node -> !fromVersions.containsKey(node.name())).toList();
      Map<String, NodeReport> probed = new HashMap<>();
      for (NodeReport probe : FanOut.map(unknown, maxParallel, inspector::probe)) {
        probed.put(probe.node(), probe);
      }
      List<String> excluded = new ArrayList<>();
      for (Node node : nodes) {
        NodeReport probe = probed.get(node.name());
        String name = node.name();
        Version current =
            probe == null
                ? fromVersions.get(name)
                : probe.isOk() ? Version.parse(probe.version()) : null;
        if (current != null
            && !current.equals(version)
            && !release.manifest().allowsUpgradeFrom(current)) {
          excluded.add(name + " runs " + current);
        }
      }
      if (!excluded.isEmpty()) {
        throw new ValidationException(
            "release "
                + version
                + " can be installed only on nodes running "
                + release.manifest().upgradeFrom()
                + ", and "
                + String.join(", ", excluded)
                + "; no node was touched. Stage an intermediate release first"
                + " ('hoist upgrade --cluster --dry-run --to "
                + version
                + "' shows the path).");
      }
      Stager stager = new Stager(cluster.timeouts().command(), transferTimeout(release.bundle()));
      // By position, not nodes.indexOf(node): that is a scan of every node for each node.
      List<Integer> positions = java.util.stream.IntStream.range(0, nodes.size()).boxed().toList();
      List<StageResult> results =
          FanOut.map(
              positions,
              maxParallel,
              at -> {
                Node node = nodes.get(at);
                NodeReport probe = probed.get(node.name());
                StageResult result =
                    probe == null || probe.isOk()
                        ? stager.stage(
                            node,
                            shared.open(node),
                            release.bundle(),
                            release.sha256(),
                            version,
                            cluster.release().keep())
                        : StageResult.failed(node.name(), unreachable(probe));
                onNode.accept(result);
                return result;
              });
      return new Prepared(release, results);
    }
  }

  /** What the repository offers, what the cache holds, and what each node has. */
  public record Listing(
      String repository, List<Version> offered, List<Version> cached, List<StagedReleases> nodes) {

    public Listing {
      offered = List.copyOf(offered);
      cached = List.copyOf(cached);
      nodes = List.copyOf(nodes);
    }
  }

  /** Lists releases everywhere; a node that cannot be read is listed with its error. */
  public Listing list(List<Node> nodes, int maxParallel) {
    try (SharedTransports shared = new SharedTransports(transports)) {
      List<StagedReleases> staged =
          FanOut.map(
              nodes,
              maxParallel,
              node -> StagedReleases.read(node, shared.open(node), cluster.timeouts().command()));
      return new Listing(repository.location(), repository.releases(), cache.cached(), staged);
    }
  }

  private static String unreachable(NodeReport probe) {
    return probe.checks().stream()
        .filter(c -> c.status() != io.hoist.inspect.CheckStatus.PASS)
        .map(c -> c.name() + ": " + c.message())
        .findFirst()
        .orElse("not reachable");
  }

  /** A generous limit for one node's upload: 1 MiB/s plus a minute, at most a day. */
  private static Duration transferTimeout(Path bundle) {
    long bytes = bundle.toFile().length();
    return Duration.ofSeconds(Math.min(86_400, 60 + bytes / (1024 * 1024)));
  }
}
