package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RemoteShell}'s script and lines run by the shells a login can have here, bash and dash as
 * {@code sh}, as real processes: what they print is what the transport reads.
 */
class RemoteShellTest {

  private static final String SPECIAL = "'\"\\$`!\n\r\t{}()*?[]#~ ";
  private static final String NONCE = "hoist-frame-0123456789abcdef0123456789abcdef";

  @TempDir Path dir;

  private String run(List<String> command, String stdin) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    try (var in = process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the shell ended without reading its input
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the shell did not end within 60 s");
    }
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void everyCharacterButNulSurvivesTheQuotingThroughBash() throws Exception {
    Random random = new Random(42);
    List<String> values = new ArrayList<>();
    StringBuilder script = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      StringBuilder value = new StringBuilder();
      int length = random.nextInt(40);
      for (int j = 0; j < length; j++) {
        int kind = random.nextInt(4);
        char c =
            switch (kind) {
              case 0 -> (char) (1 + random.nextInt(0x7f)); // ASCII, controls included
              case 1 -> SPECIAL.charAt(random.nextInt(SPECIAL.length()));
              case 2 -> (char) (0xa0 + random.nextInt(0x2000)); // beyond ASCII
              default -> (char) ('a' + random.nextInt(26));
            };
        value.append(c);
      }
      values.add(value.toString());
      script
          .append("printf '%s\\0' ")
          .append(RemoteShell.ansiQuoted(value.toString()))
          .append('\n');
    }
    String out = run(List.of("bash", "-c", script.toString()), "");
    String[] printed = out.split("\0", -1);
    assertEquals(values.size() + 1, printed.length, out);
    for (int i = 0; i < values.size(); i++) {
      assertEquals(values.get(i), printed[i], "value " + i);
    }
  }

  @Test
  void aLineIsOneLineWhateverTheScript() {
    String line = RemoteShell.line(7, "a\nb\r\nc", Duration.ofSeconds(2));
    assertEquals("__hoist_i=7 __hoist_l=2000; __hoist_c=$'a\\nb\\r\\nc'; __hoist_go\n", line);
    assertFalse(RemoteShell.fits("x\0y"));
    assertFalse(RemoteShell.fits("x".repeat(RemoteShell.MAX_SCRIPT_CHARS + 1)));
    assertTrue(RemoteShell.fits("x".repeat(RemoteShell.MAX_SCRIPT_CHARS)));
  }

  @Test
  void bashRunsEachLineAndFramesItsOutputAndStatus() throws Exception {
    String out =
        run(
            List.of("bash", "-c", RemoteShell.script(NONCE)),
            RemoteShell.line(1, "echo one; exit 3", Duration.ofSeconds(10))
                + RemoteShell.line(2, "sleep 5", Duration.ofMillis(200))
                + RemoteShell.line(3, "printf two", Duration.ofSeconds(10)));
    assertEquals(
        List.of(
            NONCE + " ready",
            NONCE + "-1 started",
            "one",
            "",
            NONCE + "-1 0 3",
            "",
            NONCE + "-1 0",
            NONCE + "-2 started",
            "",
            NONCE + "-2 0 124",
            "",
            NONCE + "-2 0",
            NONCE + "-3 started",
            "two",
            NONCE + "-3 0 0",
            "",
            NONCE + "-3 0"),
        out.lines().toList());
  }

  @Test
  void dashAsTheLoginShellHandsTheShellToBash() throws Exception {
    String out =
        run(
            List.of("sh", "-c", RemoteShell.script(NONCE)),
            RemoteShell.line(1, "echo \"$BASH_VERSION\" | cut -c1", Duration.ofSeconds(10)));
    List<String> lines = out.lines().toList();
    assertEquals(NONCE + " ready", lines.get(0), out);
    assertEquals(NONCE + "-1 started", lines.get(1), out);
    assertTrue(lines.get(2).matches("[5-9]"), out);
    assertEquals(NONCE + "-1 0 0", lines.get(4), out);
  }

  @Test
  void aShellWithoutTheClockSaysSoAndRunsNothing() throws Exception {
    Path marker = dir.resolve("marker");
    String out =
        run(
            List.of(
                "bash",
                "-c",
                "unset EPOCHREALTIME; eval \"$1\"",
                "bash",
                RemoteShell.script(NONCE)),
            RemoteShell.line(1, "touch " + marker, Duration.ofSeconds(10)));
    assertEquals(NONCE + " unsupported\n", out);
    assertFalse(Files.exists(marker), "nothing read from stdin ran");
  }

  @Test
  void theWatcherIsGoneWhenACommandEndsInTime() throws Exception {
    Path pids = dir.resolve("pids");
    long start = System.nanoTime();
    String out =
        run(
            List.of("bash", "-c", RemoteShell.script(NONCE)),
            RemoteShell.line(1, "true", Duration.ofSeconds(30))
                + RemoteShell.line(2, "ps -o pid= --ppid $PPID > " + pids, Duration.ofSeconds(30)));
    assertTrue(out.contains(NONCE + "-2 0 0"), out);
    // the shell ended at once after its input ended: no watcher kept it (or its output) waiting
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20));
    List<String> children = readLines(pids);
    assertEquals(2, children.size(), "the running command and its watcher only: " + children);
  }

  @Test
  void noWatcherOutlivesItsCommand() throws Exception {
    // A watcher that outlived its command would hold the shell at its `wait` for the command's
    // whole limit (60 s). (The shell kills it with SIGKILL: a SIGTERM that arrives before the
    // forked watcher has reset the shell's trap is lost. That showed when commands ran in a
    // subshell without starting bash, about 1 in 100; with bash started per command it is rare.)
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= 300; i++) {
      lines.append(RemoteShell.line(i, "true", Duration.ofSeconds(60)));
    }
    long start = System.nanoTime();
    String out = run(List.of("bash", "-c", RemoteShell.script(NONCE)), lines.toString());
    assertTrue(out.contains(NONCE + "-300 0 0"), out);
    assertTrue(
        System.nanoTime() - start < TimeUnit.SECONDS.toNanos(50),
        "300 commands took "
            + Duration.ofNanos(System.nanoTime() - start).toSeconds()
            + " s: a watcher held the shell");
  }

  private static List<String> readLines(Path file) throws IOException {
    return Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
