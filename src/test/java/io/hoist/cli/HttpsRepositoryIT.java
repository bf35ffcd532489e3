package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.testing.HoistJar;
import io.hoist.testing.SimulatedCluster;
import io.hoist.testing.TlsRepositoryServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/security.md, "Release repositories": the jar refuses an https repository whose certificate
 * no CA in Java's trust store issued, and accepts it once the admin names a trust store holding it
 * ({@code -Djavax.net.ssl.trustStore}, as {@code HOIST_JAVA_OPTS} passes it in the Debian
 * launcher).
 */
class HttpsRepositoryIT {

  @TempDir Path root;
  private TlsRepositoryServer server;
  private SimulatedCluster sim;

  @BeforeEach
  void start() throws IOException {
    Path src = Files.createDirectories(root.resolve("src"));
    Files.writeString(src.resolve("VERSION"), "1.0.0\n");
    Path repo = Files.createDirectories(root.resolve("repo"));
    CliRunner.Result packed =
        new CliRunner(root, root)
            .env("XDG_STATE_HOME", root.resolve("packer-state").toString())
            .run(
                "version",
                "pack",
                src.toString(),
                "--version",
                "1.0.0",
                "--product",
                "acme",
                "--into",
                repo.toString());
    assertEquals(0, packed.code(), packed.toString());
    server = new TlsRepositoryServer().directory(repo);
    sim = SimulatedCluster.in(root, false).repository(server.url());
    sim.node("n1", "worker", "1.0.0").writeClusterFile("role_order: [worker]\n");
  }

  @AfterEach
  void stop() {
    sim.close();
    server.close();
  }

  @Test
  void anUntrustedCertificateIsRefusedUntilItIsInTheTrustStoreHoistIsGiven() {
    Path bundle = root.resolve("cache/acme-1.0.0.tar.gz");
    String[] get = {"-c", sim.clusterFile().toString(), "version", "get", "1.0.0"};

    HoistJar.Result refused = HoistJar.in(sim.home()).run(get).noStackTrace();

    assertEquals(3, refused.code(), refused.toString());
    refused.errContains("the server's TLS certificate is not trusted");
    refused.errContains("-Djavax.net.ssl.trustStore=FILE");
    assertFalse(Files.exists(bundle));

    Path trustStore = TlsRepositoryServer.trustStore(root.resolve("truststore.p12"));
    HoistJar.Result trusted =
        HoistJar.in(sim.home()).withJvmOptions("-Djavax.net.ssl.trustStore=" + trustStore).run(get);

    assertEquals(0, trusted.code(), trusted.toString());
    assertTrue(Files.isRegularFile(bundle), trusted.toString());
  }
}
