package io.hoist.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.config.ClusterLoader;
import io.hoist.error.ValidationException;
import io.hoist.model.Cluster;
import io.hoist.release.Bundles;
import io.hoist.release.DownloadProgress;
import io.hoist.release.ReleaseCache;
import io.hoist.release.ReleaseRepository;
import io.hoist.release.Version;
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
}
