package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import io.hoist.testing.Processes;
import io.hoist.testing.SshServerFixture;
import io.hoist.testing.TestHome;
import io.hoist.testing.TestKeys;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timeouts against a server that behaves like OpenSSH for a login as root: the SSH signal request
 * is ignored, a command outlives its closed channel, and a connection has at most 10 sessions.
 */
class SshTimeoutIT {

  private static final Duration SHORT = Duration.ofSeconds(1);
  private static final Duration GONE_WITHIN = Duration.ofSeconds(15);

  @TempDir Path temp;
  private SshServerFixture server;
  private SshTransport transport;

  @BeforeEach
  void start() {
    TestHome home = TestHome.create(temp);
    Path key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    server =
        SshServerFixture.builder(temp.resolve("node"), temp.resolve("host_key"))
            .authorize(TestKeys.publicKeyOf(key))
            .killOnClose(false)
            .maxSessions(10)
            .start();
    home.trust(server);
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

  private ExecResult exec(String script, Duration timeout) {
    return transport.exec(ShellCommand.of(script), timeout, OutputSink.NONE);
  }

  @Test
  void aTimedOutCommandAndItsChildrenAreGoneFromTheNode() throws Exception {
    Path pids = server.nodeDir().resolve("pids");
    ExecResult result =
        exec("echo $$ > " + pids + "; sleep 300 & echo $! >> " + pids + "; wait", SHORT);
    assertTrue(result.timedOut());
    assertEquals(-1, result.exitCode());
    List<String> lines = Files.readAllLines(pids);
    assertEquals(2, lines.size(), "the command wrote its own and the sleep's pid: " + lines);
    for (String pid : lines) {
      assertTrue(
          Processes.awaitGone(Long.parseLong(pid.strip()), GONE_WITHIN),
          "process " + pid + " still runs on the node");
    }
  }

  @Test
  void fifteenTimedOutCommandsInARowLeaveTheTransportUsable() {
    for (int i = 0; i < 15; i++) {
      ExecResult result = exec("sleep 1000" + i, SHORT);
      assertTrue(result.timedOut(), "command " + i + ": " + result);
    }
    ExecResult after = exec("echo still here", Duration.ofSeconds(30));
    assertTrue(after.isSuccess(), after.toString());
    assertEquals(1, server.runningCommands(), "the node's command shell runs, nothing else");
    assertEquals(1, server.sessionsOpened(), "the session was replaced");
  }

  @Test
  void aCommandThatExits124BeforeItsTimeoutIsNotATimeout() {
    ExecResult result = exec("exit 124", Duration.ofSeconds(30));
    assertFalse(result.timedOut());
    assertEquals(124, result.exitCode());
  }

  @Test
  void aRefusedChannelIsTriedOnceMoreOnANewSession() {
    // connected, no channel yet: the refusal meets the channel of the node's command shell
    transport.connect();
    server.refuseChannels(1);
    ExecResult result = exec("echo ran", Duration.ofSeconds(30));
    assertTrue(result.isSuccess(), result.toString());
    assertEquals("ran", result.stdoutTail());
    assertEquals(2, server.sessionsOpened());
  }

  @Test
  void aChannelRefusedAlsoOnANewSessionFailsSayingTheCommandDidNotRun() {
    Path marker = server.nodeDir().resolve("marker");
    server.refuseChannels(2);
    TransportException e =
        assertThrows(
            TransportException.class, () -> exec("touch " + marker, Duration.ofSeconds(30)));
    assertEquals(TransportException.Kind.UNREACHABLE, e.kind());
    assertTrue(e.getMessage().contains("did not run"), e.getMessage());
    assertTrue(e.getMessage().contains("MaxSessions"), e.getMessage());
    assertFalse(Files.exists(marker));
    assertTrue(exec("true", Duration.ofSeconds(30)).isSuccess(), "usable afterwards");
  }

  @Test
  void aRefusedExecIsTriedOnceMoreOnANewSession() {
    transport.connect();
    server.refuseExecs(1);
    long start = System.nanoTime();
    ExecResult result = exec("echo ran", Duration.ofSeconds(20));
    assertTrue(result.isSuccess(), result.toString());
    assertEquals("ran", result.stdoutTail());
    assertEquals(2, server.sessionsOpened());
    // Known at the node's answer, not at the command's limit (20 s, and 10 s of backstop).
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, took.toString());
  }

  @Test
  void anExecRefusedAlsoOnANewSessionFailsSayingTheCommandDidNotRun() {
    Path marker = server.nodeDir().resolve("marker");
    server.refuseExecs(2);
    TransportException e =
        assertThrows(
            TransportException.class, () -> exec("touch " + marker, Duration.ofSeconds(20)));
    assertEquals(TransportException.Kind.UNREACHABLE, e.kind());
    assertTrue(e.getMessage().contains("did not run"), e.getMessage());
    assertFalse(Files.exists(marker));
    assertTrue(exec("true", Duration.ofSeconds(30)).isSuccess(), "usable afterwards");
  }
}
