package io.hoist.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.model.TransportKind;
import io.hoist.release.Version;
import io.hoist.stage.StageResult.Status;
import io.hoist.testing.SshServerFixture;
import io.hoist.testing.TestHome;
import io.hoist.testing.TestKeys;
import io.hoist.transport.Transport;
import io.hoist.transport.ssh.SshTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Staging over SSH, against an embedded server running real bash, tar and df on this machine; the
 * bundle goes over SFTP and is checked with the node's sha256sum.
 */
class StagerIT extends StagerContract {

  private SshServerFixture server;
  private SshTransport transport;

  @BeforeEach
  void start() {
    TestHome testHome = TestHome.create(temp);
    Path key = TestKeys.ed25519(testHome.sshDir(), "id_ed25519");
    server =
        SshServerFixture.builder(temp.resolve("node"), temp.resolve("host_key"))
            .authorize(TestKeys.publicKeyOf(key))
            .environment(
                "PATH", fakeBin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"))
            .start();
    testHome.trust(server);
    node = node(TransportKind.SSH, "127.0.0.1", testHome.settings(server.port(), List.of(key)));
    transport = new SshTransport(node, testHome.context());
  }

  @AfterEach
  void stop() {
    transport.close();
    server.stop();
  }

  @Override
  Transport transport() {
    return transport;
  }

  @Test
  void anUploadThatArrivesCorruptedFailsWithoutLeftovers() throws IOException {
    // The node's sha256sum disagrees with the local one, as it would after a corrupted transfer.
    fake("sha256sum", "echo \"" + "0".repeat(64) + "  $2\"");

    StageResult result = stage(bundle("1.5.0"), "1.5.0", 3);

    assertEquals(Status.FAILED, result.status());
    assertTrue(result.message().startsWith("uploading the bundle failed: "), result.message());
    assertEquals(0, result.bytesSent());
    assertEquals(Set.of("1.0.0"), releases());
  }

  @Test
  void anUnreachableNodeIsAFailedResult() throws IOException {
    Path bundle = bundle("1.5.0");
    server.stop();

    StageResult result =
        stager.stage(node, transport, bundle, sha(bundle), Version.parse("1.5.0"), 3);

    assertEquals(Status.FAILED, result.status());
    assertEquals(Set.of("1.0.0"), releases());
  }
}
