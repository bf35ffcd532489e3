package io.hoist.transport.local;

import io.hoist.model.Commands;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.SshSettings;
import io.hoist.model.TransportKind;
import io.hoist.transport.Transport;
import io.hoist.transport.TransportContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

class LocalTransportTest extends TransportContract {

  @TempDir Path temp;
  private Path nodeDir;
  private Path localDir;
  private LocalTransport transport;

  @BeforeEach
  void open() throws Exception {
    nodeDir = Files.createDirectories(temp.resolve("node"));
    localDir = Files.createDirectories(temp.resolve("local"));
    Node node =
        new Node(
            "self",
            TransportKind.LOCAL,
            null,
            List.of("router"),
            SshSettings.defaults(),
            new Layout(nodeDir.toString(), 0),
            Commands.none());
    transport = new LocalTransport(node, temp.resolve("no-such-home"));
  }

  @AfterEach
  void close() {
    transport.close();
  }

  @Override
  protected Transport transport() {
    return transport;
  }

  @Override
  protected Path nodeDir() {
    return nodeDir;
  }

  @Override
  protected Path localDir() {
    return localDir;
  }
}
