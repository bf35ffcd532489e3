package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hoist.command.ShellCommand;
import io.hoist.transport.TimedCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RemoteBatch}'s script run by the shells a login can have here: bash (it runs the commands
 * itself) and dash as {@code sh} (it hands the script to bash). Real processes, real signals.
 */
class RemoteBatchTest {

  private static final String NONCE = "hoist-frame-0123456789abcdef0123456789abcdef";
  private static final Duration LONG = Duration.ofSeconds(30);

  @TempDir Path dir;

  /** One command's part of the output: its stdout lines and its status. */
  private record Part(List<String> stdout, int status) {}

  private record Run(List<Part> parts, String stderr, Duration took, String stdout) {}

  private Run run(String shell, TimedCommand... commands) throws Exception {
    return run(shell, false, commands);
  }

  /** {@code stdinAtEnd}: the shell's stdin is /dev/null, else an open pipe nobody writes to. */
  private Run run(String shell, boolean stdinAtEnd, TimedCommand... commands) throws Exception {
    String script = RemoteBatch.script(List.of(commands), NONCE);
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    long start = System.nanoTime();
    Process p =
        new ProcessBuilder(shell, "-c", script)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(
                stdinAtEnd
                    ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
                    : ProcessBuilder.Redirect.PIPE)
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the batch did not end");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(0, p.exitValue(), Files.readString(err));
    String stdout = Files.readString(out);
    return new Run(parse(stdout), Files.readString(err), took, stdout);
  }

  private static List<Part> parse(String stdout) {
    List<Part> parts = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    for (String line : stdout.split("\n", -1)) {
      if (line.startsWith(NONCE + " ")) {
        String[] words = line.split(" ");
        assertEquals(String.valueOf(parts.size()), words[1], "frames in order");
        // drop the empty line the frame's leading newline adds
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
          lines.remove(lines.size() - 1);
        }
        parts.add(new Part(List.copyOf(lines), Integer.parseInt(words[2])));
        lines.clear();
      } else {
        lines.add(line);
      }
    }
    return parts;
  }

  private static TimedCommand timed(String script, Duration limit) {
    return new TimedCommand(ShellCommand.of(script), limit);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bash", "sh"})
  void keepsEachCommandsOutputAndStatusApart(String shell) throws Exception {
    Run run =
        run(
            shell,
            timed("echo one; echo two", LONG),
            timed("echo x; exit 3", LONG),
            timed("true", LONG),
            timed("echo \"[$#][${1:-}][$0]\"; [[ 1 == 1 ]] && echo bash-syntax", LONG),
            timed("cd /; v=set; exit 0", LONG),
            timed("echo \"[${v:-}]\" \"$PWD\"", LONG));
    assertEquals(6, run.parts().size(), run.toString());
    assertAll(
        () -> assertEquals(new Part(List.of("one", "two"), 0), run.parts().get(0)),
        () -> assertEquals(new Part(List.of("x"), 3), run.parts().get(1)),
        () -> assertEquals(new Part(List.of(), 0), run.parts().get(2)),
        () -> assertEquals(List.of("[0][][bash]", "bash-syntax"), run.parts().get(3).stdout()),
        // each command in a subshell of its own: cd and variables end with it
        () -> assertEquals(List.of("[] " + dir.toRealPath()), run.parts().get(5).stdout()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"bash", "sh"})
  void endsACommandAtItsLimitAndGoesOn(String shell) throws Exception {
    Path pid = dir.resolve("child.pid");
    Run run =
        run(
            shell,
            // a command that started a child of its own: the whole group ends
            timed("sleep 40 & echo $! > child.pid; sleep 40", Duration.ofMillis(300)),
            timed("echo after", LONG));
    assertEquals(124, run.parts().get(0).status(), run.toString());
    // the frame says the batch ended it (under dash too, which hands the script to bash)
    assertTrue(run.stdout().contains(NONCE + " 0 124 limit\n"), run.stdout());
    assertTrue(run.stdout().contains(NONCE + " 1 0\n"), run.stdout());
    assertEquals(new Part(List.of("after"), 0), run.parts().get(1));
    assertTrue(run.took().compareTo(Duration.ofSeconds(10)) < 0, "took " + run.took());
    long child = Long.parseLong(Files.readString(pid).trim());
    assertFalse(alive(child), "the command's child " + child + " still runs");
  }

  @Test
  void aZombieCountsAsEndedThoughKillZeroReachesIt() throws Exception {
    // What a batch's shell met when bash 5.2 left SIGCHLD blocked: its ended command not reaped, a
    // zombie, which kill -0 still reaches. Here a zombie of perl's (perl does not reap), a live
    // sleep, and a process that is gone.
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "perl");
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "/proc");
    String script =
        RemoteBatch.PRELUDE
            + """
            perl -e '$| = 1; my $c = fork(); if ($c == 0) { exit 0 } print "$c\n"; sleep 20' >z.pid &
            parent=$!
            for _ in $(seq 200); do
              z=$(<z.pid)
              if [ -n "$z" ] && read -r s <"/proc/$z/stat" && [ "${s##*) }" != "${s##*) Z}" ]; then break; fi
              sleep 0.05
            done
            kill -0 "$z" && echo "kill-0 reaches $z"
            __hoist_running "$z" && echo "zombie running" || echo "zombie ended"
            sleep 20 & live=$!
            __hoist_running "$live" && echo "sleep running" || echo "sleep ended"
            kill "$live" "$parent"; wait "$live" "$parent" 2>/dev/null
            __hoist_running "$live" && echo "gone running" || echo "gone ended"
            """;
    Process p =
        new ProcessBuilder("bash", "-c", script)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the script did not end");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(out.contains("kill-0 reaches"), out);
    assertTrue(out.contains("zombie ended"), out);
    assertTrue(out.contains("sleep running"), out);
    assertTrue(out.contains("gone ended"), out);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aCommandReadsNothingWhateverTheShellsStdin(boolean stdinAtEnd) throws Exception {
    // With stdin open the shell sleeps on it; with stdin at its end on a pipe of its own.
    Run run =
        run(
            "bash",
            stdinAtEnd,
            timed("cat; echo read-done", Duration.ofSeconds(5)),
            timed("sleep 0.3; echo slept", LONG),
            timed("ls /proc/$BASHPID/fd", LONG));
    assertEquals(new Part(List.of("read-done"), 0), run.parts().get(0), run.toString());
    assertEquals(new Part(List.of("slept"), 0), run.parts().get(1), run.toString());
    List<Integer> fds = run.parts().get(2).stdout().stream().map(Integer::parseInt).toList();
    assertTrue(fds.stream().allMatch(fd -> fd < 10), "descriptors " + fds);
    assertTrue(run.took().compareTo(Duration.ofSeconds(4)) < 0, "took " + run.took());
  }

  @Test
  void killsACommandThatIgnoresSigterm() throws Exception {
    Run run =
        run(
            "bash",
            timed("trap '' TERM; sleep 40; echo survived", Duration.ofMillis(200)),
            timed("echo after", LONG));
    assertEquals(137, run.parts().get(0).status(), run.toString());
    assertTrue(run.stdout().contains(NONCE + " 0 137 limit\n"), run.stdout());
    assertEquals(List.of(), run.parts().get(0).stdout());
    assertEquals(new Part(List.of("after"), 0), run.parts().get(1));
    Duration killAfter = SshTransport.KILL_AFTER;
    assertTrue(run.took().compareTo(killAfter) >= 0, "SIGKILL came before KILL_AFTER");
    assertTrue(run.took().compareTo(killAfter.plusSeconds(10)) < 0, "took " + run.took());
  }

  @Test
  void aCommandDoesNotInheritTheShellsPipe() throws Exception {
    Run run = run("bash", timed("ls /proc/$BASHPID/fd", LONG), timed("true", LONG));
    List<Integer> fds = run.parts().get(0).stdout().stream().map(Integer::parseInt).toList();
    assertTrue(fds.stream().allMatch(fd -> fd < 10), "descriptors " + fds);
  }

  @Test
  void sigtermToTheShellEndsTheRunningCommandsGroup() throws Exception {
    String script =
        RemoteBatch.script(
            List.of(timed("echo $$ > /dev/null; sleep 40 & echo $! > child.pid; wait", LONG)),
            NONCE);
    Process shell =
        new ProcessBuilder("bash", "-c", script)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out").toFile())
            .start();
    Path pid = dir.resolve("child.pid");
    for (int i = 0; i < 200 && !(Files.exists(pid) && Files.size(pid) > 0); i++) {
      Thread.sleep(25);
    }
    long child = Long.parseLong(Files.readString(pid).trim());
    assertTrue(alive(child));
    new ProcessBuilder("kill", "-TERM", String.valueOf(shell.pid())).start().waitFor();
    assertTrue(shell.waitFor(10, TimeUnit.SECONDS), "the shell did not end");
    assertEquals(143, shell.exitValue());
    for (int i = 0; i < 100 && alive(child); i++) {
      Thread.sleep(20);
    }
    assertFalse(alive(child), "the running command's child " + child + " survived");
  }

  @Test
  void anAlarmThatCameBeforeTheShellWaitedStillEndsTheCommand() throws Exception {
    // The shell held up between arming the watchdog and its wait (a loaded node): here each of its
    // printf calls sleeps 0.3 s, six times the command's limit, so the alarm comes before the wait.
    String script =
        RemoteBatch.PRELUDE
            + """
            printf() { builtin printf "$@"; sleep 0.3; return 0; }
            __hoist_c='sleep 30; echo survived'
            __hoist_l=50
            __hoist_run
            echo "status $__hoist_s"
            """;
    long start = System.nanoTime();
    Process p =
        new ProcessBuilder("bash", "-c", script)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    boolean ended = p.waitFor(20, TimeUnit.SECONDS);
    if (!ended) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    assertTrue(ended, "the command was not ended at its limit");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals("status 124\n", out);
    assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "took " + took);
  }

  @Test
  void anAlarmMeantForTheCommandBeforeDoesNotEndTheNext() throws Exception {
    // The watchdog's alarm alternates: SIGUSR2 for the first command, SIGUSR1 for the second, and
    // so on. An alarm that arrives late, once the next command runs, has the other signal. Each
    // command here sends its shell the other command's alarm, and runs on.
    Run run =
        run(
            "bash",
            timed("kill -USR1 $$; sleep 0.2; echo first", LONG),
            timed("kill -USR2 $$; sleep 0.2; echo second", LONG),
            timed("echo third", LONG));
    assertEquals(
        List.of(
            new Part(List.of("first"), 0),
            new Part(List.of("second"), 0),
            new Part(List.of("third"), 0)),
        run.parts(),
        run.toString());
  }

  @Test
  void aKilledWatchdogDoesNotTakeTheShellDownWithIt() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/ps")), "ps");
    // The batch shell's children: the running command's subshell and the watchdog.
    Run run =
        run(
            "bash",
            timed(
                "for c in $(ps -o pid= --ppid $$); do [ $c = $BASHPID ] || kill -KILL $c; done;"
                    + " echo killed",
                LONG),
            timed("echo after", LONG));
    assertEquals(
        List.of(new Part(List.of("killed"), 0), new Part(List.of("after"), 0)),
        run.parts(),
        run.toString());
  }

  @Test
  void aCommandGetsTheSignalsDefaultHandling() throws Exception {
    // The batch's shell traps SIGPIPE, SIGUSR1 and SIGUSR2; a command's subshell has them back.
    Run run =
        run(
            "bash",
            timed("yes | head -n 1; echo \"${PIPESTATUS[0]}\"", LONG),
            timed("kill -USR1 $BASHPID; echo survived", LONG));
    assertEquals(new Part(List.of("y", "141"), 0), run.parts().get(0), run.toString());
    assertEquals(new Part(List.of(), 128 + 10), run.parts().get(1), run.toString());
  }

  @Test
  void noProcessOfTheBatchOutlivesIt() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "/proc");
    String nonce = NONCE.substring(0, NONCE.length() - 6) + "f00d42";
    String script =
        RemoteBatch.script(List.of(timed("true", LONG), timed("sleep 0.1", LONG)), nonce);
    Process shell = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).start();
    assertTrue(shell.waitFor(30, TimeUnit.SECONDS), "the batch did not end");
    List<Long> left = withCommandLineContaining(nonce);
    for (int i = 0; i < 100 && !left.isEmpty(); i++) {
      Thread.sleep(20);
      left = withCommandLineContaining(nonce);
    }
    assertEquals(List.of(), left, "processes of the batch still running");
  }

  /** The live processes whose command line holds {@code text} (the batch's script does). */
  private static List<Long> withCommandLineContaining(String text) throws IOException {
    List<Long> found = new ArrayList<>();
    try (var entries = Files.list(Path.of("/proc"))) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmdline = Files.readString(entry.resolve("cmdline"), StandardCharsets.ISO_8859_1);
          if (cmdline.contains(text) && alive(Long.parseLong(name))) {
            found.add(Long.parseLong(name));
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    }
    return found;
  }

  @Test
  void aCommandRunsInAForkOfTheBatchShellNotInAFreshBash() throws Exception {
    // The process running a command is the batch's own shell, forked: its command line is the
    // batch script. Under `timeout ... bash -c CMD` it would be CMD alone.
    Run run =
        run(
            "bash",
            timed("grep -aq __hoist_run /proc/$BASHPID/cmdline && echo fork", LONG),
            timed("true", LONG));
    assertEquals(new Part(List.of("fork"), 0), run.parts().get(0), run.toString());
  }

  private static boolean alive(long pid) throws IOException {
    Path stat = Path.of("/proc", String.valueOf(pid), "stat");
    if (!Files.exists(stat)) {
      return false;
    }
    String text = Files.readString(stat, StandardCharsets.UTF_8);
    return !text.substring(text.lastIndexOf(')') + 2).startsWith("Z");
  }
}
