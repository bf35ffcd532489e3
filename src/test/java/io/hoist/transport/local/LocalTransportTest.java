package io.hoist.transport.local;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.ShellCommand;
import io.hoist.model.Commands;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.SshSettings;
import io.hoist.model.TransportKind;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import io.hoist.transport.SecretVariables;
import io.hoist.transport.Transport;
import io.hoist.transport.TransportContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTransportTest extends TransportContract {

  @TempDir Path temp;
  private Path nodeDir;
  private Path localDir;
  private Node node;
  private LocalTransport transport;

  @BeforeEach
  void open() throws Exception {
    nodeDir = Files.createDirectories(temp.resolve("node"));
    localDir = Files.createDirectories(temp.resolve("local"));
    node =
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

  @Test
  void theSshPasswordDoesNotReachCommands() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put(SecretVariables.SSH_PASSWORD, "s3cret-pw");
    env.put("HOIST_TEST_VISIBLE", "yes");
    RecordingSink sink = new RecordingSink();
    try (LocalTransport withSecret = new LocalTransport(node, temp, env)) {
      ExecResult result = withSecret.exec(ShellCommand.of("env"), Duration.ofSeconds(30), sink);
      assertTrue(result.isSuccess());
    }
    List<String> lines = sink.lines(OutputSink.Stream.STDOUT);
    assertTrue(lines.contains("HOIST_TEST_VISIBLE=yes"), () -> "environment: " + lines);
    assertTrue(
        lines.stream().noneMatch(line -> line.contains("s3cret-pw")), () -> "leaked: " + lines);
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
