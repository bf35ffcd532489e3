package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hoist.command.ShellCommand;
import io.hoist.testing.SshServerFixture;
import io.hoist.testing.TestHome;
import io.hoist.testing.TestKeys;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import io.hoist.transport.TimedCommand;
import io.hoist.transport.Transport;
import io.hoist.transport.TransportContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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

  @Test
  void aLoginWithAKeyFileIsSentSignedWithoutAskingTheNodeFirst() {
    transport.connect();
    assertEquals(1, server.users().size(), "logged in");
    assertEquals(1, server.publicKeyChecks(), "the key was looked up once: no query before");
  }

  @Test
  void execEachSendsItsCommandsAsOneExecRequest() {
    int before = server.commandsStarted();
    List<ExecResult> results =
        transport.execEach(
            List.of(
                new TimedCommand(ShellCommand.of("echo one"), Duration.ofSeconds(30)),
                new TimedCommand(ShellCommand.of("echo two; exit 2"), Duration.ofSeconds(30)),
                new TimedCommand(ShellCommand.of("echo three"), Duration.ofSeconds(30))),
            OutputSink.NONE);
    assertEquals(1, server.commandsStarted() - before, "one round trip for three commands");
    assertEquals(
        List.of("one", "two", "three"), results.stream().map(ExecResult::stdoutTail).toList());
    assertEquals(List.of(0, 2, 0), results.stream().map(ExecResult::exitCode).toList());
  }

  @Test
  void execEachTellsACommandEndedAtItsLimitFromOneThatExited124() {
    List<ExecResult> results =
        transport.execEach(
            List.of(
                new TimedCommand(ShellCommand.of("exit 124"), Duration.ofSeconds(30)),
                new TimedCommand(ShellCommand.of("sleep 30"), Duration.ofMillis(300)),
                new TimedCommand(ShellCommand.of("echo after"), Duration.ofSeconds(30))),
            OutputSink.NONE);
    assertEquals(List.of(false, true, false), results.stream().map(ExecResult::timedOut).toList());
    assertEquals(124, results.get(0).exitCode());
    assertEquals("after", results.get(2).stdoutTail());
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
