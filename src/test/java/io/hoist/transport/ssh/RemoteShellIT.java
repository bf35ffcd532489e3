package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import io.hoist.testing.Fault;
import io.hoist.testing.SshServerFixture;
import io.hoist.testing.TestHome;
import io.hoist.testing.TestKeys;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's command shell ({@link RemoteShell}) behind {@link SshTransport#exec}, against an
 * embedded server running real bash: one exec request for many commands, each command as isolated
 * as on an exec channel of its own, and every way the shell can break ending as an exec channel's
 * would.
 */
class RemoteShellIT {

  private static final Duration LONG = Duration.ofSeconds(30);

  @TempDir Path temp;
  private SshServerFixture server;
  private SshTransport transport;

  @BeforeEach
  void start() throws Exception {
    start(temp, options -> {});
  }

  /** Starts the server (with {@code options}) and a transport to it, in {@code dir}. */
  private void start(Path dir, Consumer<SshServerFixture.Builder> options) throws Exception {
    TestHome home = TestHome.create(dir);
    Path key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    SshServerFixture.Builder builder =
        SshServerFixture.builder(dir.resolve("node"), dir.resolve("host_key"))
            .authorize(TestKeys.publicKeyOf(key));
    options.accept(builder);
    server = builder.start();
    home.trust(server);
    transport =
        new SshTransport(
            TestHome.node(
                "dea-1", "127.0.0.1", home.settings(server.port(), List.of(key)), server.nodeDir()),
            home.context());
  }

  /** Stops the server of {@link #start()} and starts one with {@code options} instead. */
  private void restart(Consumer<SshServerFixture.Builder> options) throws Exception {
    stop();
    start(Files.createDirectories(temp.resolve("second")), options);
  }

  @AfterEach
  void stop() {
    transport.close();
    server.stop();
  }

  private ExecResult exec(String script) {
    return transport.exec(ShellCommand.of(script), LONG, OutputSink.NONE);
  }

  @Test
  void manyCommandsAreOneExecRequest() {
    for (int i = 0; i < 20; i++) {
      ExecResult result = exec("echo out " + i + "; echo err " + i + " >&2; exit " + (i % 3));
      assertEquals(i % 3, result.exitCode(), result.toString());
      assertEquals("out " + i, result.stdoutTail());
      assertEquals("err " + i, result.stderrTail());
      assertFalse(result.timedOut());
    }
    assertEquals(1, server.commandsStarted(), "the shell's exec request, and no other");
    assertEquals(1, server.sessionsOpened());
  }

  @Test
  void eachCommandRunsInABashOfItsOwn() throws Exception {
    Path pids = server.nodeDir().resolve("pids");
    exec("cd /; export LEAK=1; leak=2; trap 'echo trapped' EXIT; umask 077; echo $$ >> " + pids);
    ExecResult second =
        exec(
            "pwd; echo \"${LEAK:-unset} ${leak:-unset} $# ${__hoist_c:-none}\"; umask; echo $$ >> "
                + pids);
    assertEquals(0, second.exitCode(), second.toString());
    assertEquals(
        List.of(server.nodeDir().toString(), "unset unset 0 none", "0022"),
        second.stdoutTail().lines().toList());
    List<String> ids = Files.readAllLines(pids);
    assertEquals(2, ids.size());
    assertNotEquals(ids.get(0), ids.get(1), "each command has a $$ of its own");
  }

  @Test
  void aCommandThatReadsStdinReadsNothing() {
    ExecResult result = exec("cat; echo \"read: $(wc -c)\"");
    assertEquals("read: 0", result.stdoutTail());
  }

  @Test
  void outputIsPassedOnAsOnAnExecChannel() {
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    ExecResult result =
        transport.exec(
            ShellCommand.of("printf 'a\\n\\n\\nb'; printf '\\n' >&2; printf 'no newline' >&2"),
            LONG,
            (stream, line) -> lines.add(stream + ":" + line));
    assertEquals(List.of("STDOUT:a", "STDOUT:", "STDOUT:", "STDOUT:b"), stdout(lines));
    assertEquals("a\n\n\nb", result.stdoutTail());
    assertEquals("\nno newline", result.stderrTail());
  }

  private static List<String> stdout(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("STDOUT:")).toList();
  }

  @Test
  void quotesBackslashesControlCharactersAndUnicodeReachTheCommandIntact() {
    String text = "it's \"quoted\" \\ back\\\\slash $HOME `x` \t tab \u00e9\u4e2d\u0007 end";
    ExecResult result = exec("cat <<'EOF'\n" + text + "\nEOF\nprintf '%s' \"$(printf x)\"");
    assertEquals(text.replace("\u0007", "\\u0007") + "\nx", result.stdoutTail());
  }

  @Test
  void aShellThatEndedWhileIdleIsReplacedAndTheNextCommandRuns() throws Exception {
    long shell = Long.parseLong(exec("echo $PPID").stdoutTail().strip());
    ProcessHandle.of(shell).ifPresent(ProcessHandle::destroyForcibly);
    assertTrue(io.hoist.testing.Processes.awaitGone(shell, Duration.ofSeconds(10)));
    ExecResult next = exec("echo next");
    assertEquals("next", next.stdoutTail(), next.toString());
    assertEquals(2, server.commandsStarted(), "a second shell");
  }

  @Test
  void aLongScriptRunsOnAnExecChannelOfItsOwn() {
    exec("true");
    StringBuilder script = new StringBuilder("x=0\n");
    while (script.length() <= RemoteShell.MAX_SCRIPT_CHARS) {
      script.append("x=$((x + 1))\n");
    }
    script.append("echo $x");
    ExecResult result = exec(script.toString());
    assertEquals(0, result.exitCode(), result.toString());
    assertEquals(2, server.commandsStarted(), "the shell, and the long script's channel");
  }

  @Test
  void aSinkThatThrowsFailsItsCommandOnlyAndTheShellGoesOn() {
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                transport.exec(
                    ShellCommand.of("echo one; echo two; sleep 0.2; echo three"),
                    LONG,
                    (stream, line) -> {
                      throw new IllegalStateException("sink failed at " + line);
                    }));
    assertEquals("sink failed at one", thrown.getMessage());
    ExecResult next = exec("echo next");
    assertEquals("next", next.stdoutTail(), "no line of the first command leaks into the next");
    assertEquals(1, server.commandsStarted());
  }

  @Test
  void aTimedOutCommandLeavesTheShellUsable() {
    ExecResult slow =
        transport.exec(ShellCommand.of("sleep 30"), Duration.ofMillis(300), OutputSink.NONE);
    assertTrue(slow.timedOut(), slow.toString());
    assertEquals(-1, slow.exitCode());
    ExecResult next = exec("echo next");
    assertEquals("next", next.stdoutTail());
    assertEquals(1, server.commandsStarted(), "the same shell ran both");
  }

  @Test
  void aCommandThatKillsItsShellIsReportedAsDroppedAndTheNextCommandGetsANewShell() {
    TransportException e = assertThrows(TransportException.class, () -> exec("kill -KILL $PPID"));
    assertEquals(TransportException.Kind.DROPPED, e.kind());
    assertTrue(e.getMessage().contains("unknown"), e.getMessage());
    assertEquals("again", exec("echo again").stdoutTail());
  }

  @Test
  void aConnectionDroppedAfterTheCommandRanIsReportedAsDroppedAndTheEffectStays() {
    Path marker = server.nodeDir().resolve("marker");
    server.inject(Fault.on("touch ", 1, Fault.Action.DROP_AFTER));
    exec("true");
    TransportException e = assertThrows(TransportException.class, () -> exec("touch " + marker));
    assertEquals(TransportException.Kind.DROPPED, e.kind());
    assertTrue(Files.exists(marker), "the command ran");
    assertEquals("again", exec("echo again").stdoutTail());
    assertEquals(2, server.sessionsOpened());
  }

  @Test
  void aConnectionDroppedBeforeTheCommandRanIsReportedAsDropped() {
    Path marker = server.nodeDir().resolve("marker");
    server.inject(Fault.on("touch ", 1, Fault.Action.DROP));
    exec("true");
    TransportException e = assertThrows(TransportException.class, () -> exec("touch " + marker));
    assertEquals(TransportException.Kind.DROPPED, e.kind());
    assertFalse(Files.exists(marker));
  }

  @Test
  void aShellThatNeverAnswersEndsAtTheBackstopAsATimeout() {
    server.inject(Fault.on("sleep 0.1", 1, Fault.Action.STALL));
    exec("true");
    long start = System.nanoTime();
    ExecResult result =
        transport.exec(ShellCommand.of("sleep 0.1"), Duration.ofMillis(200), OutputSink.NONE);
    assertTrue(result.timedOut(), result.toString());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(25));
    assertEquals("again", exec("echo again").stdoutTail(), "a new shell runs the next command");
    assertEquals(2, server.commandsStarted(), "the stalled shell was replaced");
  }

  @Test
  void twoThreadsAtOnceBothGetTheirOwnResults() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch both = new CountDownLatch(2);
      List<Future<ExecResult>> results = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        int n = i;
        results.add(
            pool.submit(
                () -> {
                  both.countDown();
                  both.await();
                  return exec("sleep 0.3; echo thread " + n);
                }));
      }
      assertEquals("thread 0", results.get(0).get(20, TimeUnit.SECONDS).stdoutTail());
      assertEquals("thread 1", results.get(1).get(20, TimeUnit.SECONDS).stdoutTail());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aNodeWithoutBash5RunsEveryCommandOnAnExecChannel() throws Exception {
    // The login shell is dash; the bash it finds first on PATH has no EPOCHREALTIME, as bash 4.
    Path bin = Files.createDirectories(temp.resolve("old-bash"));
    Path fake = bin.resolve("bash");
    Files.writeString(fake, "#!/bin/sh\nexec /bin/bash -c \"unset EPOCHREALTIME; $2\"\n");
    fake.toFile().setExecutable(true);
    restart(o -> o.loginShell("sh").environment("PATH", bin + ":" + System.getenv("PATH")));
    for (int i = 0; i < 3; i++) {
      ExecResult result = exec("echo \"${EPOCHREALTIME:-old}\"; exit " + i);
      assertEquals(i, result.exitCode(), result.toString());
      assertEquals("old", result.stdoutTail());
    }
    assertEquals(4, server.commandsStarted(), "the shell that said no, then a channel each");
    ExecResult slow =
        transport.exec(ShellCommand.of("sleep 30"), Duration.ofMillis(300), OutputSink.NONE);
    assertTrue(slow.timedOut(), slow.toString());
  }

  @Test
  void theShellEndsWhenTheConnectionClosesAndARunningCommandAtItsLimit() throws Exception {
    // As OpenSSH for a root login: closing a channel neither signals nor kills its processes.
    restart(o -> o.killOnClose(false));
    Path pids = server.nodeDir().resolve("pids");
    exec("echo $PPID > " + pids);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      pool.submit(
          () ->
              transport.exec(
                  ShellCommand.of("echo $$ >> " + pids + "; sleep 60"),
                  Duration.ofSeconds(2),
                  OutputSink.NONE));
      List<String> lines = List.of();
      for (int i = 0; i < 100 && lines.size() < 2; i++) {
        TimeUnit.MILLISECONDS.sleep(50);
        lines = Files.readAllLines(pids);
      }
      assertEquals(2, lines.size(), "the shell's and the command's pid: " + lines);
      transport.close();
      for (String pid : lines) {
        assertTrue(
            io.hoist.testing.Processes.awaitGone(
                Long.parseLong(pid.strip()), Duration.ofSeconds(15)),
            "process " + pid + " still runs on the node");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void closingTheTransportEndsARunningCommandAsDropped() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<ExecResult> running = pool.submit(() -> exec("echo started; sleep 20"));
      TimeUnit.MILLISECONDS.sleep(500);
      transport.close();
      java.util.concurrent.ExecutionException e =
          assertThrows(
              java.util.concurrent.ExecutionException.class,
              () -> running.get(15, TimeUnit.SECONDS));
      assertSame(TransportException.class, e.getCause().getClass());
      assertEquals(TransportException.Kind.DROPPED, ((TransportException) e.getCause()).kind());
    } finally {
      pool.shutdownNow();
    }
  }
}
