package io.hoist.transport.ssh;

import io.hoist.testing.SshServerFixture;
import io.hoist.testing.TestHome;
import io.hoist.testing.TestKeys;
import io.hoist.transport.Transport;
import io.hoist.transport.TransportContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The transport contract over SSH, against an embedded server running real bash. */
class SshTransportIT extends TransportContract {

  @TempDir Path temp;
  private SshServerFixture server;
  private SshTransport transport;
  private Path localDir;

  @BeforeEach
  void start() throws Exception {
    TestHome home = TestHome.create(temp);
    Path key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    server =
        SshServerFixture.builder(temp.resolve("node"), temp.resolve("host_key"))
            .authorize(TestKeys.publicKeyOf(key))
            .start();
    home.trust(server);
    localDir = Files.createDirectories(temp.resolve("local"));
    transport =
        new SshTransport(
            TestHome.node(
                "dea-1", "127.0.0.1", home.settings(server.port(), List.of(key)), server.nodeDir()),
            home.context());
  }

  @AfterEach
  void stop() {
    transport.close();
    server.stop();
  }

  @Override
  protected Transport transport() {
    return transport;
  }

  @Override
  protected Path nodeDir() {
    return server.nodeDir();
  }

  @Override
  protected Path localDir() {
    return localDir;
  }
}
