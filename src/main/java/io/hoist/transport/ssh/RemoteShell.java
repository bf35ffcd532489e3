package io.hoist.transport.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.Session;
import io.hoist.command.ShellCommand;
import io.hoist.command.ShellQuote;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputPump;
import io.hoist.transport.OutputSink;
import io.hoist.transport.TimedCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bash per node, started once on its own exec channel, that runs {@link SshTransport#exec}'s
 * commands one after another: each command is one line written to the shell's stdin, its output
 * comes back on the channel's streams followed by a frame line ({@link Framing}).
 *
 * <p><b>Why:</b> an exec channel per command costs the node a channel, a fork and three programs
 * started (the login shell, coreutils' {@code timeout}, a fresh bash) before the command's own
 * work, and the client two round trips (bench/README.md, eighth round). A node's upgrade runs its
 * phases' commands one after the other, so this is time on the run's critical path.
 *
 * <p><b>What a command sees</b> is what it sees on an exec channel: it runs in a {@code bash -c} of
 * its own (its {@code $$}, {@code exit}, {@code cd}, variables and traps are its own), with stdin
 * from {@code /dev/null}, no positional parameters, the login's environment, in a process group of
 * its own. The shell forks once and starts bash once per command, where an exec channel starts
 * three programs.
 *
 * <p><b>Time limit:</b> the shell starts the command under job control (its own process group) and
 * a watcher subshell that sleeps in {@code read -t} on a pipe nobody writes to, then sends the
 * group SIGTERM at the limit and SIGKILL {@link SshTransport#KILL_AFTER} later, as {@code timeout
 * -k} does; the shell waits for the command itself ({@code wait}: its end is seen at once) and then
 * kills the watcher with SIGKILL (a SIGTERM that arrives before the forked watcher has reset the
 * shell's traps would be lost). A command that ran past its limit reports 124 (137 when SIGKILL
 * ended it). A SIGTERM to the shell ends the running command's group the same way, and a shell
 * whose channel closes leaves its running command to its watcher. The watcher holds none of the
 * channel's streams, and kills nothing once the shell is gone (the command's process id may then be
 * reused): a shell killed under its command leaves the command without a limit, as a {@code
 * timeout} killed under its command would.
 *
 * <p><b>Where it is not used</b>, the transport uses an exec channel as before: a login shell
 * without bash 5 or newer ({@code EPOCHREALTIME} measures the time, {@code {fd}} redirections hold
 * the watcher's pipe); a script longer than {@link #MAX_SCRIPT_CHARS} (bash reads a line from a
 * pipe one byte per system call) or holding a NUL character; a shell that is busy with another
 * thread's command.
 *
 * <p>A shell that ended before it started a command (killed while idle, say) is seen as such: it
 * prints a line as it takes a command, before forking it, and a channel that closed with nothing
 * read after the command was sent means the command did not run; {@link SshTransport} then runs it
 * on an exec channel. A shell that ends after that line is a dropped connection for its command.
 *
 * <p>Output that a command's background processes print after its frame is dropped while no command
 * runs, and goes with the next command's output if it comes while one does.
 */
final class RemoteShell implements OutputSink {

  /** The longest script sent to the shell; a longer one gets an exec channel of its own. */
  static final int MAX_SCRIPT_CHARS = 4096;

  private static final Logger LOG = LoggerFactory.getLogger(RemoteShell.class);
  private static final long CLOSE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final ChannelExec channel;
  private final Session session;
  private final OutputStream stdin;
  private final String nonce;
  private final String node;
  private final ReentrantLock user = new ReentrantLock();
  private final Object readiness = new Object();
  private Boolean supported; // guarded by readiness; null until the shell said
  private volatile Running running;
  private OutputPump pump; // set once by start, before any command
  private long sequence; // guarded by user

  private RemoteShell(ChannelExec channel, Session session, String nonce, String node)
      throws IOException {
    this.channel = channel;
    this.session = session;
    this.stdin = channel.getOutputStream();
    this.nonce = nonce;
    this.node = node;
  }

  /**
   * Starts the shell's output pump on an exec channel started with {@link #script(String)} (its
   * stdin left open) and waits, at most {@code waitMillis}, until the shell says it runs.
   *
   * @return the shell, or {@code null} (the channel is closed then) when the node's shell cannot do
   *     it, did not say so in time, or the channel closed: nothing was sent to it
   */
  static RemoteShell start(
      ChannelExec channel,
      Session session,
      InputStream stdout,
      InputStream stderr,
      String nonce,
      String node,
      long waitMillis)
      throws IOException, InterruptedException {
    RemoteShell shell = new RemoteShell(channel, session, nonce, node);
    OutputPump pump = new OutputPump(shell);
    shell.pump = pump;
    pump.start(OutputSink.Stream.STDOUT, stdout, "hoist-shell-" + node + "-stdout");
    pump.start(OutputSink.Stream.STDERR, stderr, "hoist-shell-" + node + "-stderr");
    if (!shell.awaitReady(waitMillis)) {
      channel.disconnect();
      return null;
    }
    return shell;
  }

  /** Whether {@code script} may be sent to a shell (else it needs an exec channel). */
  static boolean fits(String script) {
    return script.length() <= MAX_SCRIPT_CHARS && script.indexOf('\0') < 0;
  }

  /**
   * The script the shell's exec channel runs: under a login shell that is not bash it starts bash
   * once; it prints {@code NONCE unsupported} and ends when bash is older than 5, else {@code NONCE
   * ready}, and then runs each line of its stdin (as {@link #line} writes them).
   */
  static String script(String nonce) {
    String body =
        BODY.replace("NONCE", nonce)
            .replace("KILL_AFTER_MS", String.valueOf(SshTransport.KILL_AFTER.toMillis()))
            .replace(
                "KILL_AFTER_S",
                String.format(
                    Locale.ROOT,
                    "%d.%03d",
                    SshTransport.KILL_AFTER.toSeconds(),
                    SshTransport.KILL_AFTER.toMillisPart()));
    return "if [ -z \"${BASH_VERSION:-}\" ]; then exec bash -c "
        + ShellQuote.quote(body)
        + "; fi\n"
        + body;
  }

  /** The line that runs {@code script} as command number {@code index}, at most {@code limit}. */
  static String line(long index, String script, Duration limit) {
    return "__hoist_i="
        + index
        + " __hoist_l="
        + Math.max(1, limit.toMillis())
        + "; __hoist_c="
        + ansiQuoted(script)
        + "; __hoist_go\n";
  }

  /**
   * {@code value} as one line of bash: {@code $'...'} with backslash, quote and every control
   * character escaped (a newline as {@code \n}); other characters as they are.
   */
  static String ansiQuoted(String value) {
    StringBuilder out = new StringBuilder(value.length() + 8).append("$'");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\'' -> out.append("\\'");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('\'').toString();
  }

  /** Takes the shell for one command; {@code false} when another thread has it. */
  boolean tryAcquire() {
    return user.tryLock();
  }

  /** Gives the shell back after {@link #tryAcquire()}. */
  void release() {
    user.unlock();
  }

  /**
   * Whether the shell runs on {@code current}, the transport's session: its channel open and the
   * shell not ended (a shell that ended while idle is replaced before a command is sent to it, so
   * that nothing is reported as dropped that never ran).
   */
  boolean isOpenOn(Session current) {
    return session == current && channel.isConnected() && !ended();
  }

  Session session() {
    return session;
  }

  ChannelExec channel() {
    return channel;
  }

  /**
   * Writes the command to the shell; the caller holds the shell. The command's output goes to
   * {@code sink} until its frames arrive.
   *
   * @param start when the command counts as started ({@link System#nanoTime()})
   * @throws IOException the channel is closed or broke while writing: whether the shell read the
   *     line is unknown
   */
  Running send(ShellCommand command, Duration timeout, OutputSink sink, long start)
      throws IOException {
    long index = ++sequence;
    Guard guard = new Guard(sink);
    Framing framing =
        new Framing(nonce + "-" + index, List.of(new TimedCommand(command, timeout)), guard, start);
    Running next =
        new Running(framing, guard, nonce + "-" + index + " started", new AtomicBoolean());
    running = next;
    stdin.write(line(index, command.script(), timeout).getBytes(StandardCharsets.UTF_8));
    stdin.flush();
    return next;
  }

  /**
   * Waits until the command's frames arrived (its result is complete), its channel closed, or
   * {@code deadline} passed.
   *
   * @return whether the frames arrived
   */
  boolean await(Running command, long deadline) throws InterruptedException {
    while (true) {
      long left = deadline - System.nanoTime();
      if (command.framing().awaitComplete(Math.max(0, Math.min(left, CLOSE_POLL_NANOS)))) {
        running = null;
        return true;
      }
      if (ended() || left <= 0) {
        return false;
      }
    }
  }

  /**
   * Whether the shell is gone: its channel closed, or its exit status came (a process the shell
   * left may hold the channel open longer).
   */
  boolean ended() {
    return channel.isClosed() || channel.getExitStatus() >= 0 || channel.getExitSignal() != null;
  }

  /**
   * Whether the shell ended without having started {@code command}: its channel closed, all its
   * output read, and not one line (not even the line the shell prints before it starts a command)
   * came after the command was sent. The shell prints that line before it forks the command, and
   * the node sends a channel's output before closing it, so the command did not run. Waits up to
   * {@link SshTransport#KILL_AFTER} for the close: a process the shell left may hold it open, and
   * then the answer is no.
   */
  boolean neverStarted(Running command) throws InterruptedException {
    long deadline = System.nanoTime() + SshTransport.KILL_AFTER.toNanos();
    while (!channel.isClosed() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(10); // the close follows the exit status within milliseconds
    }
    return channel.isClosed()
        && pump.awaitDrained(SshTransport.KILL_AFTER)
        && !command.heard().get();
  }

  /** Called by the pump: the shell's word that it runs, then each command's lines and frames. */
  @Override
  public void line(Stream stream, String line) {
    Running current = running;
    if (current != null) {
      current.heard().set(true);
      if (stream == Stream.STDOUT && line.equals(current.startLine())) {
        return;
      }
      current.framing().line(stream, line);
      return;
    }
    synchronized (readiness) {
      if (supported == null && stream == Stream.STDOUT) {
        if (line.equals(nonce + " ready")) {
          supported = true;
          readiness.notifyAll();
          return;
        }
        if (line.equals(nonce + " unsupported")) {
          supported = false;
          readiness.notifyAll();
          return;
        }
      }
    }
    LOG.debug("{}: output while no command runs in the shell: {}", node, line);
  }

  private boolean awaitReady(long waitMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    synchronized (readiness) {
      while (supported == null && !ended()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.debug("{}: the command shell did not start in {} ms", node, waitMillis);
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(readiness, Math.min(left, CLOSE_POLL_NANOS));
      }
      if (supported == null || !supported) {
        LOG.debug("{}: no command shell (bash 5 or newer) on this node", node);
        return false;
      }
      return true;
    }
  }

  /**
   * A command sent to the shell: its framing, the first exception its sink threw, the line the
   * shell prints as it starts it, and whether anything came from the shell since it was sent.
   */
  record Running(Framing framing, Guard guard, String startLine, AtomicBoolean heard) {

    /** The command's result, once {@link #await} returned {@code true} or gave up. */
    ExecResult result() {
      RuntimeException failure = guard.failure();
      if (failure != null) {
        throw failure;
      }
      return framing.results().get(0);
    }
  }

  /**
   * Passes lines to the caller's sink until it throws; keeps the first exception, for the caller
   * (the shell's pump outlives the command and must keep reading its frames).
   */
  static final class Guard implements OutputSink {
    private final OutputSink sink;
    private volatile RuntimeException failure;

    Guard(OutputSink sink) {
      this.sink = sink;
    }

    @Override
    public void line(Stream stream, String line) {
      if (failure != null) {
        return;
      }
      try {
        sink.line(stream, line);
      } catch (RuntimeException e) {
        failure = e;
      }
    }

    RuntimeException failure() {
      return failure;
    }
  }

  /**
   * The shell: it checks that it is bash 5 or newer with {@code EPOCHREALTIME} and that it can hold
   * a pipe nobody writes to (the watcher's clock), says so, then runs its stdin line by line; each
   * line sets {@code __hoist_i} (the command's number), {@code __hoist_l} (its limit in ms) and
   * {@code __hoist_c} (its script), and calls {@code __hoist_go}.
   */
  private static final String BODY =
      """
      __hoist_fd=
      if [ "${BASH_VERSINFO[0]}" -ge 5 ] && [ -n "${EPOCHREALTIME:-}" ]; then
        eval 'exec {__hoist_fd}<> <(:)' 2>/dev/null || __hoist_fd=
      fi
      if [ -z "$__hoist_fd" ]; then
        printf '%s unsupported\\n' NONCE
        exit 0
      fi
      __hoist_p=
      __hoist_sh=$$
      trap '[ -z "$__hoist_p" ] || kill -TERM -- "-$__hoist_p" 2>/dev/null; exit 143' TERM HUP
      __hoist_ms() {
        __hoist_t=${EPOCHREALTIME//[.,]/}
        __hoist_t=$((10#$__hoist_t / 1000))
      }
      __hoist_go() {
        printf '%s-%d started\\n' NONCE "$__hoist_i"
        set -m
        ( exec {__hoist_fd}>&-; exec bash -c "$__hoist_c" ) </dev/null &
        __hoist_p=$!
        set +m
        __hoist_ms
        __hoist_t0=$__hoist_t
        printf -v __hoist_w '%d.%03d' $((__hoist_l / 1000)) $((__hoist_l % 1000))
        ( read -r -t "$__hoist_w" -u "$__hoist_fd" __hoist_x
          kill -0 "$__hoist_sh" && kill -TERM -- "-$__hoist_p"
          read -r -t KILL_AFTER_S -u "$__hoist_fd" __hoist_x
          kill -0 "$__hoist_sh" && kill -KILL -- "-$__hoist_p" ) >/dev/null 2>&1 &
        __hoist_q=$!
        wait "$__hoist_p" 2>/dev/null
        __hoist_s=$?
        kill -KILL "$__hoist_q" 2>/dev/null
        wait "$__hoist_q" 2>/dev/null
        __hoist_p=
        __hoist_ms
        __hoist_t=$((__hoist_t - __hoist_t0))
        if [ "$__hoist_t" -ge "$__hoist_l" ]; then
          if [ "$__hoist_s" != 137 ] || [ "$__hoist_t" -lt $((__hoist_l + KILL_AFTER_MS)) ]; then
            __hoist_s=124
          fi
        fi
        printf '\\n%s-%d 0 %d\\n' NONCE "$__hoist_i" "$__hoist_s"
        printf '\\n%s-%d 0\\n' NONCE "$__hoist_i" >&2
      }
      printf '%s ready\\n' NONCE
      while IFS= read -r __hoist_x; do eval "$__hoist_x"; done
      """;
}
