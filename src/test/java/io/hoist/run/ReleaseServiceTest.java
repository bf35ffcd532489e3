package io.hoist.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.config.ClusterLoader;
import io.hoist.error.TransportException;
import io.hoist.error.ValidationException;
import io.hoist.model.Cluster;
import io.hoist.release.Bundles;
import io.hoist.release.DownloadProgress;
import io.hoist.release.ReleaseCache;
import io.hoist.release.ReleaseRepository;
import io.hoist.release.Version;
import io.hoist.stage.StageResult;
import io.hoist.transport.local.LocalTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** get() with a real file repository, cache and bundles; no node is involved. */
class ReleaseServiceTest {

  @TempDir Path root;
  ReleaseService service;
  Path repo;
  Cluster twoNodes;

  @BeforeEach
  void setUp() throws IOException {
    repo = Files.createDirectories(root.resolve("repo"));
    Path build = Files.createDirectories(root.resolve("build"));
    Files.writeString(build.resolve("VERSION"), "1.1.0\n");
    Bundles.pack(build, Version.parse("1.1.0"), "acme", null, "9.0.0", repo, "acme-1.1.0.tar.gz");
    Bundles.pack(build, Version.parse("1.2.0"), "acme", null, null, repo, "acme-1.2.0.tar.gz");
    Path file = root.resolve("cluster.yaml");
    Files.writeString(
        file,
        """
        cluster: t
        release: { repository: "file:REPO", bundle: "acme-${version}.tar.gz", cache: "CACHE" }
        layout: { home: /opt/acme }
        nodes: [ { name: a, transport: local } ]
        """
            .replace("REPO", repo.toString())
            .replace("CACHE", root.resolve("cache").toString()));
    Cluster cluster = new ClusterLoader().load(file);
    ReleaseRepository repository = ReleaseRepository.open(cluster.release(), root);
    service =
        new ReleaseService(
            cluster,
            LocalTransport::new,
            Map.of(),
            repository,
            new ReleaseCache(root.resolve("cache"), repository),
            Version.parse("1.0.0-SNAPSHOT"));
  }

  @Test
  void aVerificationIsRememberedForThatSha256Only() throws IOException {
    ReleaseService.Fetched first = service.get(Version.parse("1.2.0"), DownloadProgress.NONE);
    Path record = first.bundle().resolveSibling("acme-1.2.0.tar.gz.verified");
    assertTrue(Files.readString(record).startsWith(first.sha256() + "\n"));

    // A record for another sha256 is not trusted: the bundle is verified again, the record fixed.
    Files.writeString(
        record, "0".repeat(64) + "\n{\"product\":\"forged\",\"version\":\"1.2.0\"}\n");
    ReleaseService.Fetched again = service.get(Version.parse("1.2.0"), DownloadProgress.NONE);
    assertEquals("acme", again.manifest().product());
    assertTrue(Files.readString(record).startsWith(first.sha256() + "\n"));
  }

  @Test
  void aBundleForANewerHoistIsRefused() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> service.get(Version.parse("1.1.0"), DownloadProgress.NONE));
    assertTrue(e.getMessage().contains("needs hoist 9.0.0 or newer"), e.getMessage());
  }

  @Test
  void aReleaseTheRepositoryDoesNotOfferIsNamedWithWhatItOffers() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> service.get(Version.parse("3.0.0"), DownloadProgress.NONE));
    assertTrue(e.getMessage().contains("it offers: 1.1.0, 1.2.0"), e.getMessage());
  }

  /**
   * Two local nodes, a and b, running 1.0.0 except that a has no VERSION file (its version cannot
   * be read); b's transport is {@code bTransport}.
   */
  private ReleaseService twoNodes(io.hoist.transport.TransportFactory bTransport)
      throws IOException {
    Bundles.pack(
        root.resolve("build"),
        Version.parse("1.3.0"),
        "acme",
        ">=1.0.0",
        null,
        repo,
        "acme-1.3.0.tar.gz");
    for (String name : java.util.List.of("a", "b")) {
      Path release = Files.createDirectories(root.resolve(name).resolve("releases/1.0.0"));
      if (name.equals("b")) {
        Files.writeString(release.resolve("VERSION"), "1.0.0\n");
      }
      Files.createSymbolicLink(root.resolve(name).resolve("current"), Path.of("releases/1.0.0"));
    }
    Path file = root.resolve("two.yaml");
    Files.writeString(
        file,
        """
        cluster: t
        release: { repository: "file:REPO", bundle: "acme-${version}.tar.gz", cache: "CACHE" }
        layout: { min_free: 0 }
        nodes:
          - { name: a, transport: local, layout: { home: "ROOT/a" } }
          - { name: b, transport: local, layout: { home: "ROOT/b" } }
        """
            .replace("REPO", repo.toString())
            .replace("CACHE", root.resolve("cache").toString())
            .replace("ROOT", root.toString()));
    twoNodes = new ClusterLoader().load(file);
    ReleaseRepository repository = ReleaseRepository.open(twoNodes.release(), root);
    return new ReleaseService(
        twoNodes,
        node -> node.name().equals("b") ? bTransport.open(node) : new LocalTransport(node),
        Map.of(),
        repository,
        new ReleaseCache(root.resolve("cache"), repository),
        Version.parse("1.0.0-SNAPSHOT"));
  }

  private ReleaseService.Prepared prepare(ReleaseService service, Map<String, Version> from) {
    return service.prepare(
        Version.parse("1.3.0"), twoNodes.nodes(), 4, DownloadProgress.NONE, r -> {}, from);
  }

  @Test
  void aVersionTheCallerKnowsIsNotReadAgain() throws IOException {
    ReleaseService two = twoNodes(LocalTransport::new);
    // a's version cannot be read: asked, a fails; known from the plan, a is staged.
    ReleaseService.Prepared asked = prepare(two, Map.of());
    assertEquals(StageResult.Status.FAILED, asked.nodes().get(0).status());
    assertEquals(StageResult.Status.STAGED, asked.nodes().get(1).status());

    ReleaseService.Prepared known = prepare(two, Map.of("a", Version.parse("1.0.0")));
    assertEquals(StageResult.Status.STAGED, known.nodes().get(0).status(), known.toString());
    assertTrue(Files.isRegularFile(root.resolve("a/releases/1.3.0/VERSION")));
  }

  @Test
  void aKnownVersionOutsideTheUpgradeFromRangeRefusesTheRelease() throws IOException {
    ReleaseService two = twoNodes(LocalTransport::new);
    ValidationException e =
        assertThrows(
            ValidationException.class, () -> prepare(two, Map.of("a", Version.parse("0.9.0"))));
    assertTrue(e.getMessage().contains("a runs 0.9.0"), e.getMessage());
    assertFalse(Files.exists(root.resolve("b/releases/1.3.0")), "no node touched");
  }

  @Test
  void aNodeGoneSinceThePlanFailsItsStagingAndTheOthersAreStaged() throws IOException {
    ReleaseService two = twoNodes(GoneNode::new);
    ReleaseService.Prepared prepared =
        prepare(two, Map.of("a", Version.parse("1.0.0"), "b", Version.parse("1.0.0")));
    assertEquals(StageResult.Status.STAGED, prepared.nodes().get(0).status());
    StageResult b = prepared.nodes().get(1);
    assertEquals(StageResult.Status.FAILED, b.status());
    assertTrue(b.message().contains("connection refused"), b.message());
    assertFalse(prepared.isOk());
  }

  /** A node that went away: every call fails as a refused connection does. */
  private record GoneNode(io.hoist.model.Node target) implements io.hoist.transport.Transport {
    private TransportException refused() {
      return new TransportException(
          TransportException.Kind.UNREACHABLE, target.name(), "node b: connection refused");
    }

    @Override
    public String node() {
      return target.name();
    }

    @Override
    public void connect() {
      throw refused();
    }

    @Override
    public io.hoist.transport.ExecResult exec(
        io.hoist.command.ShellCommand command,
        java.time.Duration timeout,
        io.hoist.transport.OutputSink sink) {
      throw refused();
    }

    @Override
    public String upload(Path local, String remotePath) {
      throw refused();
    }

    @Override
    public String upload(Path local, String remotePath, String knownSha256) {
      throw refused();
    }

    @Override
    public String download(String remotePath, Path local) {
      throw refused();
    }

    @Override
    public void close() {}
  }
}
