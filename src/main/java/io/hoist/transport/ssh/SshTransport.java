package io.hoist.transport.ssh;

import com.jcraft.jsch.AgentIdentityRepository;
import com.jcraft.jsch.AgentProxyException;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.ExecStart;
import com.jcraft.jsch.Identity;
import com.jcraft.jsch.IdentityRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchAlgoNegoFailException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.SSHAgentConnector;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpException;
import io.hoist.command.ShellCommand;
import io.hoist.command.ShellQuote;
import io.hoist.error.TransportException;
import io.hoist.error.TransportException.Kind;
import io.hoist.model.HostKeyPolicy;
import io.hoist.model.Node;
import io.hoist.transport.ExecResult;
import io.hoist.transport.FileDigest;
import io.hoist.transport.OutputPump;
import io.hoist.transport.OutputSink;
import io.hoist.transport.TimedCommand;
import io.hoist.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks to a node over SSH with JSch: one session per node, opened on the first call (or {@link
 * #connect()}) and reused for every command and transfer; a dropped session is opened again by the
 * next call.
 *
 * <p>Authentication: the ssh-agent when {@code SSH_AUTH_SOCK} is set in the context's environment
 * (silently skipped when unusable), then the identity files (the node's, else its ssh config's,
 * else {@code ~/.ssh/id_ed25519}, {@code id_ecdsa}, {@code id_rsa}), then, only when {@code
 * HOIST_SSH_PASSWORD} is set, that password. RSA keys sign with rsa-sha2-512/256, never SHA-1.
 *
 * <p>Host keys are always checked against known_hosts ({@code StrictHostKeyChecking=yes}); the
 * policy only decides what happens to an unknown host (see {@link HostKeyPolicy}); a changed key is
 * always refused.
 *
 * <p>Key exchange: the node's {@code ssh.kex}, else {@code KexAlgorithms} of its ssh config, else
 * {@link io.hoist.model.KeyExchange#DEFAULT} (post-quantum hybrids first; Bouncy Castle does
 * sntrup761 and ML-KEM for JSch). None in common is a {@code NEGOTIATION} failure naming both
 * sides' algorithms. The handshake, key exchange included, is bounded by {@code connect_timeout}.
 *
 * <p>Commands run on an exec channel each, under {@code bash -c}. The node itself enforces the
 * timeout with coreutils' {@code timeout} (SIGTERM to the command's process group, SIGKILL {@link
 * #KILL_AFTER} later), because neither closing the channel nor the SSH signal request stops a
 * command reliably on OpenSSH; the transport also gives up {@code BACKSTOP} after the timeout by
 * itself, then sends SIGKILL and closes the channel. The session stays usable. A channel the node
 * refuses is retried once on a new session. Files go over SFTP to a temporary name, created empty
 * with mode 0600 first (see {@link #createPrivately}), are verified with {@code sha256sum} on the
 * node and renamed into place; downloads are written 0600 too. Remote paths should be absolute and
 * free of SFTP glob characters ({@code *}, {@code ?}).
 *
 * <p>{@link #close()} may be called from any thread: it disconnects the session, which makes a
 * blocked {@code exec} throw {@code DROPPED}; every later call throws {@code DROPPED} too.
 */
public final class SshTransport implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(SshTransport.class);
  private static final String TEMP_SUFFIX = ".hoist-tmp";
  private static final String SIGNATURES =
      "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
          + "rsa-sha2-512,rsa-sha2-256";

  /**
   * The key exchanges JSch tries out before each connection, dropping from the offer those that
   * fail here: none. JSch's own list holds the post-quantum ones, and trying one out is a full key
   * generation (two sntrup761 and one ML-KEM key pair per connection, for nothing). Every key
   * exchange hoist offers is Bouncy Castle's, which is in hoist's jar, so none can be missing.
   */
  private static final String CHECK_KEXES = "";

  /**
   * The ciphers offered when hoist runs under C1 alone, as the Debian launcher starts it for short
   * commands (not {@code version}, {@code demo}, nor an upgrade or rollback of a cluster with
   * backups) and tells it with {@code -Dhoist.jit=c1}: chacha20-poly1305 first, then JSch's list
   * (AES-GCM first). Under C1 the JDK's AES-GCM has no intrinsics and runs at about 40 MB/s, Bouncy
   * Castle's ChaCha20-Poly1305 (in hoist's jar) at about 140; under the full JIT AES-GCM runs at
   * about 1,900 MB/s and stays first (bench/README.md, ninth round). It matters most to an upgrade
   * or rollback that stages a release itself (and makes a 100-node inspect a little cheaper too);
   * OpenSSH has offered chacha20-poly1305 since 6.5 and makes it its own first choice. A node that
   * does not offer it gets AES-GCM as before.
   */
  static final String C1_CIPHERS = "chacha20-poly1305@openssh.com," + JSch.getConfig("cipher.c2s");

  /** The system property the launcher sets to {@code c1} when it runs hoist under C1 alone. */
  static final String JIT_PROPERTY = "hoist.jit";

  private static final String BC_XDH = "com.jcraft.jsch.bc.XDH";
  static final String BC_ED25519 = "com.jcraft.jsch.bc.SignatureEd25519";
  private static final String BC_EDDSA_KEYS = "com.jcraft.jsch.bc.KeyPairGenEdDSA";

  private static final Duration CHECKSUM_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  private static final SecureRandom NONCES = new SecureRandom();

  /**
   * The least time one read of a handshake may wait after the server answered: a busy node (or a
   * busy core node opening hundreds of connections) can be slow to compute its part.
   */
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(60);

  /** How long after SIGTERM the node's {@code timeout} sends SIGKILL. */
  static final Duration KILL_AFTER = Duration.ofSeconds(5);

  /** How much later than the node the transport gives up waiting by itself. */
  private static final Duration BACKSTOP = KILL_AFTER.plusSeconds(5);

  private static final int TIMEOUT_STATUS = 124;
  private static final int TIMEOUT_KILLED_STATUS = 128 + 9;
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long FIRST_CLOSE_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
  private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final int NO_DIRECTORY = 66;
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private final Node node;
  private final SshContext context;
  private final SshClients clients;
  private final Object lock = new Object();
  private volatile Session session;
  private volatile boolean closed;
  private final Object shellLock = new Object();
  private RemoteShell shell; // guarded by shellLock
  private boolean shellWanted = true; // guarded by shellLock

  /** A transport for {@code node}; nothing is opened until the first call. */
  public SshTransport(Node node, SshContext context) {
    this(node, context, new SshClients());
  }

  /**
   * A transport for {@code node} that shares {@code clients} (the parsed key files) with the other
   * transports of the same command; nothing is opened until the first call.
   */
  public SshTransport(Node node, SshContext context, SshClients clients) {
    this.node = node;
    this.context = context;
    this.clients = clients;
  }

  @Override
  public String node() {
    return node.name();
  }

  @Override
  public void connect() {
    session();
  }

  /**
   * Runs the command in the node's {@link RemoteShell} when it has one (bash 5 or newer), opening
   * it on the first call; else, and for a long script or while another thread uses the shell, on an
   * exec channel of its own.
   */
  @Override
  public ExecResult exec(ShellCommand command, Duration timeout, OutputSink sink) {
    RemoteShell shell = RemoteShell.fits(command.script()) ? shell(command) : null;
    if (shell == null) {
      return execOnChannel(command, timeout, sink);
    }
    try {
      return execInShell(shell, command, timeout, sink);
    } finally {
      shell.release();
    }
  }

  /**
   * The node's shell, taken for one command: opened when there is none on the current session;
   * {@code null} when the node has none to offer (remembered) or another thread has it.
   */
  private RemoteShell shell(ShellCommand command) {
    synchronized (shellLock) {
      if (!shellWanted) {
        return null;
      }
      Session current = session();
      RemoteShell open = shell;
      if (open != null && !open.isOpenOn(current)) {
        open.channel().disconnect();
        shell = open = null;
      }
      if (open == null) {
        open = openShell(command);
        if (open == null) {
          return null;
        }
        shell = open;
      }
      return open.tryAcquire() ? open : null;
    }
  }

  /** Starts a shell; {@code null} (and none is tried again) when the node cannot run one. */
  private RemoteShell openShell(ShellCommand command) {
    byte[] random = new byte[16];
    NONCES.nextBytes(random);
    String nonce = "hoist-frame-" + HexFormat.of().formatHex(random);
    Started started = startExec(command, RemoteShell.script(nonce), false, null);
    try {
      RemoteShell opened =
          RemoteShell.start(
              started.channel(),
              sessionOf(started.channel()),
              started.stdout(),
              started.stderr(),
              nonce,
              node.name(),
              connectTimeoutMillis());
      if (opened == null && sessionOf(started.channel()).isConnected() && !closed) {
        // The node said it cannot, or its shell ended or stayed silent on a working connection:
        // not tried again. A connection that broke meanwhile says nothing about the node.
        shellWanted = false;
        LOG.debug("{}: commands run on exec channels, one each", node.name());
      }
      return opened;
    } catch (IOException e) {
      started.channel().disconnect();
      throw dropped(command, e);
    } catch (InterruptedException e) {
      started.channel().disconnect();
      Thread.currentThread().interrupt();
      throw new TransportException(
          Kind.DROPPED,
          node.name(),
          "Interrupted before `" + command.display() + "` started on node " + node.name() + ".");
    }
  }

  /** Forgets {@code broken} (if it is still the node's shell) and closes its channel. */
  private void forget(RemoteShell broken, String signal) {
    synchronized (shellLock) {
      if (shell == broken) {
        shell = null;
      }
    }
    kill(broken.channel(), signal);
  }

  /**
   * {@link #exec} in the node's shell: the same outcomes as on an exec channel. The node ends the
   * command at its limit (the shell's watcher); the local deadline is a backstop for a shell that
   * does not answer, which is then closed.
   */
  private ExecResult execInShell(
      RemoteShell shell, ShellCommand command, Duration timeout, OutputSink sink) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos() + BACKSTOP.toNanos();
    RemoteShell.Running running;
    try {
      running = shell.send(command, timeout, sink, start);
    } catch (IOException e) {
      forget(shell, "TERM");
      throw dropped(command, e);
    }
    try {
      boolean complete = shell.await(running, deadline);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      if (complete) {
        return running.result();
      }
      Session current = shell.session();
      if (!current.isConnected() || closed) {
        forget(shell, "TERM");
        throw dropped(command, null);
      }
      if (shell.ended()) {
        if (shell.neverStarted(running)) {
          LOG.debug("{}: the shell had ended before it took `{}`", node.name(), command.display());
          forget(shell, "TERM");
          return execOnChannel(command, timeout, sink);
        }
        // The shell ended under its command: the connection may be broken even when JSch has not
        // noticed yet, as when an exec channel closes without an exit status.
        forget(shell, "TERM");
        discard(current);
        throw dropped(command, null);
      }
      LOG.debug(
          "{}: `{}` timed out after {} in the shell", node.name(), command.display(), timeout);
      forget(shell, "TERM");
      return running.result();
    } catch (InterruptedException e) {
      forget(shell, "TERM");
      Thread.currentThread().interrupt();
      throw interrupted(command, "the command was sent SIGTERM", timeout);
    }
  }

  private ExecResult execOnChannel(ShellCommand command, Duration timeout, OutputSink sink) {
    long start = System.nanoTime();
    // The node enforces the timeout (see remoteScript); the local deadline is a backstop for a
    // node without coreutils' timeout or one that does not answer.
    long deadline = start + timeout.toNanos() + BACKSTOP.toNanos();
    Started started = startExec(command, remoteScript(command.script(), timeout));
    ChannelExec channel = started.channel();
    Session current = sessionOf(channel);
    OutputPump pump = new OutputPump(sink);
    try {
      String thread = "hoist-ssh-" + node.name() + "-";
      pump.start(OutputSink.Stream.STDOUT, started.stdout(), thread + "stdout");
      pump.start(OutputSink.Stream.STDERR, started.stderr(), thread + "stderr");
      boolean ended = awaitEnd(pump, channel, start + timeout.toNanos(), deadline);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      if (!channel.isClosed()) {
        if (!current.isConnected() || closed) {
          throw dropped(command, null);
        }
        LOG.debug("{}: `{}` timed out after {}", node.name(), command.display(), timeout);
        kill(channel);
        pump.awaitDrained(CLOSE_WAIT);
        return finish(pump, -1, start, true);
      }
      int status = channel.getExitStatus();
      if (isTimeoutStatus(status) && System.nanoTime() - start >= timeout.toNanos()) {
        LOG.debug("{}: `{}` timed out after {}", node.name(), command.display(), timeout);
        return finish(pump, -1, start, true);
      }
      if (status < 0 && !closed && channel.getExitSignal() != null) {
        // Killed by a signal: OpenSSH reports exit-signal instead of a status. Use the shell's
        // 128 + signal number convention.
        return finish(pump, 128 + signalNumber(channel.getExitSignal()), start, false);
      }
      if (status < 0 || closed) {
        // The channel closed without an exit status: the connection is broken even when JSch has
        // not noticed yet. Drop the session so that the next call opens a fresh one.
        discard(current);
        throw dropped(command, null);
      }
      if (!ended) {
        // The command ended, but the sink held its output back beyond the timeout.
        return finish(pump, -1, start, true);
      }
      return finish(pump, status, start, false);
    } catch (InterruptedException e) {
      kill(channel);
      Thread.currentThread().interrupt();
      throw interrupted(command, "the command was sent SIGKILL", timeout);
    } finally {
      channel.disconnect();
    }
  }

  /**
   * Runs the commands in one exec channel: one round trip and one remote shell for all of them,
   * each under its own time limit, enforced by that shell ({@link RemoteBatch}). After each command
   * the script prints a frame line on both streams, {@code NONCE INDEX STATUS} on stdout and {@code
   * NONCE INDEX} on stderr, each after a newline of its own (so that output without a final newline
   * still ends its line); {@link Framing} splits the streams at those lines and drops them. The
   * nonce is 128 random bits, new for every call: a command cannot forge a frame it cannot guess. A
   * command's duration is the time between the frames' arrival.
   */
  @Override
  public List<ExecResult> execEach(List<TimedCommand> commands, OutputSink sink) {
    if (commands.size() < 2) {
      return Transport.super.execEach(commands, sink);
    }
    byte[] random = new byte[16];
    NONCES.nextBytes(random);
    String nonce = "hoist-frame-" + HexFormat.of().formatHex(random);
    List<String> displays = new ArrayList<>();
    Duration total = Duration.ZERO;
    for (TimedCommand c : commands) {
      displays.add(c.command().display());
      total = total.plus(c.timeout());
    }
    String script = RemoteBatch.script(commands, nonce);
    ShellCommand batch = ShellCommand.masked(script, String.join("; ", displays));
    long start = System.nanoTime();
    long deadline = start + total.toNanos() + BACKSTOP.toNanos() * commands.size();
    Framing framing = new Framing(nonce, commands, sink, start);
    // The connection's own thread hands the output to the framing as it decrypts it: no two pump
    // threads and two 32 KiB pipes per node (a fan-out to 100 nodes started 200 threads for a few
    // lines each). The framing and the caller's sink must then not block (see Transport#execEach).
    OutputPump pump = new OutputPump(framing);
    // stdin stays open: the batch's shell sleeps on it (its commands read /dev/null)
    Started started = startExec(batch, script, false, pump);
    ChannelExec channel = started.channel();
    Session current = sessionOf(channel);
    try {
      boolean ended = awaitEnd(pump, channel, deadline, deadline);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      if (!channel.isClosed() && (!current.isConnected() || closed)) {
        throw dropped(batch, null);
      }
      if (!channel.isClosed()) {
        kill(channel, "TERM");
        pump.awaitDrained(CLOSE_WAIT);
      } else if (channel.getExitStatus() < 0 && framing.framed() < commands.size()) {
        discard(current);
        throw dropped(batch, null);
      }
      RuntimeException sinkFailure = pump.sinkFailure();
      if (sinkFailure != null) {
        throw sinkFailure;
      }
      if (!ended && framing.framed() == commands.size()) {
        LOG.debug("{}: the output of a batch was held back past its limit", node.name());
      }
      return framing.results();
    } catch (InterruptedException e) {
      kill(channel, "TERM");
      Thread.currentThread().interrupt();
      throw interrupted(batch, "the commands were sent SIGTERM", null);
    } finally {
      channel.disconnect();
    }
  }

  /**
   * The script as sent to the node: run by {@code bash -c} under coreutils' {@code timeout} when
   * the node has it. Closing the channel does not stop a command without a pty, and OpenSSH refuses
   * the SSH "signal" request for root logins (older versions ignore it), so the node must end the
   * command itself: {@code timeout} runs it in its own process group, sends that group SIGTERM at
   * the deadline and SIGKILL {@link #KILL_AFTER} later, and exits 124 (or 137).
   */
  static String remoteScript(String script, Duration timeout) {
    long millis = Math.max(1, timeout.toMillis());
    long frac = millis % 1000;
    String limit = millis / 1000 + "." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + frac + "s";
    return "if command -v timeout >/dev/null 2>&1; then set -- timeout -k "
        + KILL_AFTER.toSeconds()
        + "s "
        + limit
        + "; fi; exec \"$@\" bash -c "
        + ShellQuote.quote(script);
  }

  /**
   * Waits until the output ended and the channel closed, or until {@code deadline}. Once the
   * channel has closed (the exit status is in), the output is waited for until the command's own
   * limit {@code due}, at least {@link #CLOSE_WAIT}: only a slow sink can hold it back then.
   *
   * @return whether the output ended
   */
  private static boolean awaitEnd(OutputPump pump, ChannelExec channel, long due, long deadline)
      throws InterruptedException {
    boolean ended = false;
    while (!ended && !channel.isClosed() && System.nanoTime() < deadline) {
      long left = deadline - System.nanoTime();
      ended = pump.awaitDrained(Duration.ofNanos(Math.min(left, DRAIN_POLL_NANOS)));
    }
    if (!ended && channel.isClosed()) {
      long left = Math.max(due - System.nanoTime(), CLOSE_WAIT.toNanos());
      ended = pump.awaitDrained(Duration.ofNanos(left));
    }
    // The exit status follows the end of the output; wait for the channel to close. It comes
    // within a millisecond or so (the node sends them together), so the first looks come quickly:
    // every command of a node's path waits here.
    long pause = FIRST_CLOSE_POLL_NANOS;
    while (ended && !channel.isClosed() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(pause);
      pause = Math.min(2 * pause, POLL_NANOS);
    }
    return ended;
  }

  static boolean isTimeoutStatus(int status) {
    return status == TIMEOUT_STATUS || status == TIMEOUT_KILLED_STATUS;
  }

  /**
   * An exec channel that was opened and started, and its output streams (null when the session's
   * thread writes the output to a pump).
   */
  private record Started(ChannelExec channel, InputStream stdout, InputStream stderr) {}

  /**
   * Opens a channel and starts {@code script} on it. When the node refuses the channel (sshd's
   * MaxSessions reached, a half-dead session) or the command (it cannot start a process), nothing
   * has run yet: the session is replaced and the command tried once more. The node's answer to the
   * exec request is awaited ({@link ExecStart}), so a refusal is known at once.
   */
  private Started startExec(ShellCommand command, String script) {
    return startExec(command, script, true, null);
  }

  /**
   * Opens an exec channel for {@code script} and starts it; {@code closeStdin}: the remote shell's
   * stdin ends at once (else it stays open and empty until the channel closes, which a {@link
   * RemoteBatch} sleeps on). With {@code pushTo}, the session's thread writes the output to it
   * ({@link OutputPump#pushed}) and the streams of the result are null; else they are the output's
   * pipes, to be drained.
   */
  private Started startExec(
      ShellCommand command, String script, boolean closeStdin, OutputPump pushTo) {
    JSchException refused = null;
    for (int attempt = 0; attempt < 2; attempt++) {
      ChannelExec channel = openExec(command, script);
      try {
        InputStream stdout = null;
        InputStream stderr = null;
        if (pushTo == null) {
          stdout = channel.getInputStream();
          stderr = channel.getErrStream();
        } else {
          channel.setOutputStream(pushTo.pushed(OutputSink.Stream.STDOUT));
          channel.setErrStream(pushTo.pushed(OutputSink.Stream.STDERR));
        }
        ExecStart.connect(channel, connectTimeoutMillis(), closeStdin);
        return new Started(channel, stdout, stderr);
      } catch (IOException e) {
        channel.disconnect();
        throw dropped(command, e);
      } catch (JSchException e) {
        channel.disconnect();
        if (closed) {
          throw dropped(command, e);
        }
        LOG.debug("{}: the node refused a channel ({}); opening a new session", node.name(), e);
        discard(sessionOf(channel));
        refused = e;
      }
    }
    throw new TransportException(
        Kind.UNREACHABLE,
        node.name(),
        "`"
            + command.display()
            + "` did not start on node "
            + node.name()
            + ": the node refused to open an SSH channel or to start the command on it, also on a"
            + " new connection ("
            + refused.getMessage()
            + "). The command did not run. Check sshd's MaxSessions and MaxStartups on the node and"
            + " whether earlier commands still run there.",
        refused);
  }

  @Override
  public String upload(Path local, String remotePath) {
    return upload(local, remotePath, null);
  }

  @Override
  public String upload(Path local, String remotePath, String knownSha256) {
    String temp = remotePath + TEMP_SUFFIX;
    ChannelSftp sftp = openSftp("upload " + local + " to " + remotePath);
    try {
      createPrivately(temp, "upload " + local + " to " + remotePath);
      String expected;
      if (knownSha256 == null) {
        MessageDigest digest = FileDigest.newSha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(local), digest)) {
          sftp.put(in, temp, ChannelSftp.OVERWRITE);
        }
        expected = FileDigest.hex(digest);
      } else {
        try (InputStream in = Files.newInputStream(local)) {
          sftp.put(in, temp, ChannelSftp.OVERWRITE);
        }
        expected = knownSha256;
      }
      String actual = remoteSha256(temp, "upload " + local + " to " + remotePath);
      if (!expected.equals(actual)) {
        throw transfer(
            "upload " + local + " to " + remotePath,
            "the remote copy's sha256 "
                + actual
                + " differs from "
                + (knownSha256 == null ? "the local file's " : "the expected ")
                + expected,
            null);
      }
      rename(sftp, temp, remotePath);
      return expected;
    } catch (SftpException e) {
      String reason =
          e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE
              ? "the directory " + parentOf(remotePath) + " does not exist"
              : "SFTP error " + e.id + ": " + e.getMessage();
      throw transfer("upload " + local + " to " + remotePath, reason, e);
    } catch (IOException e) {
      throw transfer("upload " + local + " to " + remotePath, e.toString(), e);
    } finally {
      removeQuietly(sftp, temp);
      sftp.disconnect();
    }
  }

  @Override
  public String download(String remotePath, Path local) {
    String what = "download " + remotePath + " to " + local;
    Path parent = local.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw transfer(what, "the local directory " + parent + " does not exist", null);
    }
    String expected = remoteSha256(remotePath, what);
    Path temp = parent.resolve(local.getFileName() + TEMP_SUFFIX);
    ChannelSftp sftp = openSftp(what);
    try {
      MessageDigest digest = FileDigest.newSha256();
      // Owner only from the first byte (a backup holds the node's data), whatever the umask.
      Files.deleteIfExists(temp);
      try (OutputStream out =
          new DigestOutputStream(
              Channels.newOutputStream(
                  FileChannel.open(
                      temp,
                      EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                      OWNER_ONLY)),
              digest)) {
        sftp.get(remotePath, out);
      }
      String actual = FileDigest.hex(digest);
      if (!expected.equals(actual)) {
        throw transfer(
            what, "the copy's sha256 " + actual + " differs from the remote " + expected, null);
      }
      try {
        Files.move(
            temp, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, local, StandardCopyOption.REPLACE_EXISTING);
      }
      return expected;
    } catch (SftpException e) {
      throw transfer(what, "SFTP error " + e.id + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw transfer(what, e.toString(), e);
    } finally {
      sftp.disconnect();
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        LOG.debug("cannot remove {}: {}", temp, e.toString());
      }
    }
  }

  /**
   * Creates {@code temp} empty, readable by the login user only, before SFTP writes into it: SFTP
   * servers create files with their own umask (usually 0644), and a backup being restored holds the
   * node's data. SFTP's open keeps the mode of an existing file. {@code set -C} makes the shell
   * create it exclusively, so a file or link put there in the meantime is not written through.
   */
  private void createPrivately(String temp, String what) {
    String parent = parentOf(temp);
    ShellCommand command =
        ShellCommand.of(
            "if [ ! -d "
                + ShellQuote.quote(parent)
                + " ]; then exit "
                + NO_DIRECTORY
                + "; fi; umask 077 && rm -f -- "
                + ShellQuote.quote(temp)
                + " && set -C && : > "
                + ShellQuote.quote(temp));
    ExecResult result = exec(command, CHECKSUM_TIMEOUT, OutputSink.NONE);
    if (result.isSuccess()) {
      return;
    }
    if (!result.timedOut() && result.exitCode() == NO_DIRECTORY) {
      throw transfer(what, "the directory " + parent + " does not exist", null);
    }
    throw transfer(
        what,
        "cannot create "
            + temp
            + (result.timedOut() ? " (timed out)" : " (exit code " + result.exitCode() + ")")
            + ": "
            + result.lastLine(),
        null);
  }

  /** Disconnects the session. Idempotent, never throws, callable from any thread. */
  @Override
  public void close() {
    closed = true;
    Session current = session;
    if (current != null) {
      current.disconnect();
    }
  }

  private Session session() {
    ensureOpen();
    Session current = session;
    if (current != null && current.isConnected()) {
      return current;
    }
    synchronized (lock) {
      ensureOpen();
      if (session != null && session.isConnected()) {
        return session;
      }
      session = null;
      return open();
    }
  }

  private Session open() {
    SshTarget target = SshTarget.resolve(node, context);
    if (target.kex().stream().anyMatch(k -> k.startsWith("sntrup761x25519-"))) {
      // The key pair is made on another processor while this connection gets to its key exchange.
      SharedSntrup761.prepare();
    }
    HostKeyPolicy policy = context.hostKeys() != null ? context.hostKeys() : node.ssh().hostKeys();
    Path knownHosts = context.expand(node.ssh().knownHosts());
    KnownHostsRepository hostKeys = new KnownHostsRepository(knownHosts, policy, node.name());
    JSch jsch = clients.forIdentities(target.identities(), node.name());
    String password = context.env().get(SshContext.PASSWORD_VARIABLE);
    Session opened;
    try {
      opened = jsch.getSession(target.user(), target.host(), target.port());
    } catch (JSchException e) {
      throw unreachable(target, e);
    }
    opened.setHostKeyRepository(hostKeys);
    boolean agent = useAgent(opened, jsch);
    Properties config = new Properties();
    config.put("StrictHostKeyChecking", "yes");
    config.put("HashKnownHosts", "no");
    config.put("kex", String.join(",", target.kex()));
    config.put("CheckKexes", CHECK_KEXES);
    // Nothing to try out: the cipher JSch would try (chacha20-poly1305) is Bouncy Castle's, in
    // hoist.
    config.put("CheckCiphers", "");
    // Nor a signature: JSch would make an Ed25519 and an Ed448 verifier per connection to see that
    // they work. hoist offers no Ed448 and its Ed25519 is Bouncy Castle's, in hoist.
    config.put("CheckSignatures", "");
    if ("c1".equals(System.getProperty(JIT_PROPERTY))) {
      config.put("cipher.c2s", C1_CIPHERS);
      config.put("cipher.s2c", C1_CIPHERS);
    }
    config.put("sntrup761", SharedSntrup761.class.getName());
    // X25519/X448 and Ed25519 by Bouncy Castle (in the jar for sntrup761 anyway) rather than the
    // JDK's: 5.7 instead of 9.0 ms of CPU per connection under C1 (bench/README.md).
    config.put("xdh", BC_XDH);
    config.put("ssh-ed25519", BC_ED25519);
    config.put("keypairgen.eddsa", BC_EDDSA_KEYS);
    config.put("server_host_key", SIGNATURES);
    config.put("PubkeyAcceptedAlgorithms", SIGNATURES);
    config.put("PreferredAuthentications", password != null ? "publickey,password" : "publickey");
    // With key files only, each key's login is sent signed at once, without first asking the node
    // whether it would take the key: one round trip and one authorized_keys lookup on the node
    // less per connection. Not with an agent, whose keys may each ask for a touch or a
    // confirmation: those are asked about first, as OpenSSH does.
    config.put("enable_pubkey_auth_query", agent ? "yes" : "no");
    opened.setConfig(config);
    if (password != null) {
      opened.setPassword(password.getBytes(StandardCharsets.UTF_8));
    }
    // connect_timeout bounds the TCP connection and the server's banner; the rest of the
    // handshake may wait longer for a server that answered (see BannerSocketFactory).
    BannerSocketFactory sockets = new BannerSocketFactory(connectTimeoutMillis());
    opened.setSocketFactory(sockets);
    try {
      // JSch's session timeout is both the keepalive interval and, during the handshake, how long
      // one read may wait: the handshake timeout until connected, the keepalive after.
      opened.setTimeout(handshakeTimeoutMillis());
      opened.setServerAliveCountMax(3);
    } catch (JSchException e) {
      throw unreachable(target, e, sockets);
    }
    session = opened;
    try {
      opened.connect(handshakeTimeoutMillis());
      opened.setServerAliveInterval(Math.toIntExact(node.ssh().keepalive().toMillis()));
    } catch (JSchException e) {
      session = null;
      opened.disconnect();
      TransportException refusal = hostKeys.refusal();
      if (refusal != null) {
        throw refusal;
      }
      if (closed) {
        throw new TransportException(
            Kind.DROPPED, node.name(), "The SSH transport of node " + node.name() + " was closed.");
      }
      throw connectFailure(target, e, agent, password != null, sockets);
    }
    LOG.debug("{}: connected to {}", node.name(), target.display());
    return opened;
  }

  private boolean useAgent(Session session, JSch jsch) {
    String socket = context.env().get("SSH_AUTH_SOCK");
    if (socket == null || socket.isBlank()) {
      return false;
    }
    try {
      AgentIdentityRepository agent =
          new AgentIdentityRepository(new SSHAgentConnector(Path.of(socket)));
      Vector<Identity> fromAgent = agent.getIdentities();
      if (fromAgent == null || fromAgent.isEmpty()) {
        LOG.debug("{}: the ssh-agent at {} offers no keys", node.name(), socket);
        return false;
      }
      session.setIdentityRepository(
          new CombinedIdentities(fromAgent, jsch.getIdentityRepository()));
      return true;
    } catch (AgentProxyException | RuntimeException e) {
      LOG.debug("{}: ssh-agent at {} unusable, using key files: {}", node.name(), socket, e);
      return false;
    }
  }

  private TransportException connectFailure(
      SshTarget target,
      JSchException e,
      boolean agent,
      boolean password,
      BannerSocketFactory sockets) {
    if (e instanceof JSchAlgoNegoFailException failed) {
      return negotiationFailure(target, failed);
    }
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (message.startsWith("Auth fail") || message.startsWith("Auth cancel")) {
      return new TransportException(
          Kind.AUTHENTICATION,
          node.name(),
          "Node "
              + node.name()
              + ": "
              + target.display()
              + " accepted none of the offered credentials (identities "
              + target.identities()
              + (agent ? ", ssh-agent keys" : "")
              + (password ? ", the password in " + SshContext.PASSWORD_VARIABLE : "")
              + "). Check the user, add the public key to the node's authorized_keys, or set"
              + " ssh.identity in the cluster file.",
          e);
    }
    return unreachable(target, e, sockets);
  }

  private TransportException negotiationFailure(SshTarget target, JSchAlgoNegoFailException e) {
    boolean kex = "kex".equals(e.getAlgorithmName());
    String what = kex ? "key exchange algorithm" : "algorithm (" + e.getAlgorithmName() + ")";
    return new TransportException(
        Kind.NEGOTIATION,
        node.name(),
        "Node "
            + node.name()
            + " ("
            + target.display()
            + ") and hoist have no "
            + what
            + " in common: hoist offered "
            + algorithms(e.getJSchProposal())
            + (kex ? " (" + target.kexSource() + ")" : "")
            + ", the node offers "
            + algorithms(e.getServerProposal())
            + "."
            + (kex
                ? " Put one of the node's in ssh.kex in the cluster file, or enable one of"
                    + " hoist's on the node (KexAlgorithms in its sshd_config)."
                : ""),
        e);
  }

  /** A proposal without the markers that are not algorithms (ext-info-c, kex-strict-...). */
  private static String algorithms(String proposal) {
    if (proposal == null) {
      return "nothing";
    }
    return Arrays.stream(proposal.split(","))
        .filter(name -> !name.startsWith("ext-info-") && !name.startsWith("kex-strict-"))
        .collect(Collectors.joining(", "));
  }

  private TransportException unreachable(SshTarget target, JSchException e) {
    return unreachable(target, e, null);
  }

  private TransportException unreachable(
      SshTarget target, JSchException e, BannerSocketFactory sockets) {
    Throwable cause = e.getCause();
    String why;
    boolean timeout =
        cause instanceof SocketTimeoutException
            || String.valueOf(e.getMessage()).contains("timeout");
    if (timeout && sockets != null && sockets.answered()) {
      return new TransportException(
          Kind.UNREACHABLE,
          node.name(),
          "Node "
              + node.name()
              + " at "
              + target.display()
              + " answered, but its SSH handshake stalled: no data for "
              + handshakeTimeoutMillis() / 1000
              + "s. The node or this core node may be overloaded; retry, or check the node's"
              + " sshd (its log, MaxStartups).",
          e);
    }
    if (cause instanceof UnknownHostException) {
      why = "unknown host " + target.host();
    } else if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
      why = "connection refused or no route (" + cause.getMessage() + ")";
    } else if (timeout) {
      why = "no answer within " + node.ssh().connectTimeout().toSeconds() + "s";
    } else {
      why = e.getMessage();
    }
    return new TransportException(
        Kind.UNREACHABLE,
        node.name(),
        "Cannot reach node "
            + node.name()
            + " at "
            + target.display()
            + ": "
            + why
            + ". Check the host, the port and that sshd runs there (ssh -p "
            + target.port()
            + " "
            + target.user()
            + "@"
            + target.host()
            + ").",
        e);
  }

  private ChannelExec openExec(ShellCommand command, String script) {
    try {
      ChannelExec channel = (ChannelExec) openChannel("exec");
      channel.setCommand(script.getBytes(StandardCharsets.UTF_8));
      return channel;
    } catch (JSchException e) {
      throw dropped(command, e);
    }
  }

  private ChannelSftp openSftp(String what) {
    try {
      ChannelSftp sftp = (ChannelSftp) openChannel("sftp");
      sftp.connect(connectTimeoutMillis());
      return sftp;
    } catch (JSchException e) {
      throw transfer(what, "cannot open an SFTP channel: " + e.getMessage(), e);
    }
  }

  /**
   * A new channel on the session. JSch reports a session that broke unnoticed by returning no
   * channel (or "session is down"); nothing was sent yet, so one fresh session is tried.
   */
  private com.jcraft.jsch.Channel openChannel(String type) throws JSchException {
    Session current = session();
    try {
      com.jcraft.jsch.Channel channel = current.openChannel(type);
      if (channel != null) {
        return channel;
      }
    } catch (JSchException e) {
      LOG.debug("{}: cannot open a channel, reconnecting: {}", node.name(), e.toString());
    }
    discard(current);
    com.jcraft.jsch.Channel channel = session().openChannel(type);
    if (channel == null) {
      throw new JSchException("cannot open an " + type + " channel on a new session");
    }
    return channel;
  }

  private Session sessionOf(ChannelExec channel) {
    try {
      return channel.getSession();
    } catch (JSchException e) {
      throw new IllegalStateException("a new channel has a session", e);
    }
  }

  /** Disconnects {@code broken} and forgets it, so that the next call opens a new session. */
  private void discard(Session broken) {
    synchronized (lock) {
      if (session == broken) {
        session = null;
      }
    }
    broken.disconnect();
  }

  private static int signalNumber(String name) {
    return switch (name) {
      case "HUP" -> 1;
      case "INT" -> 2;
      case "QUIT" -> 3;
      case "ILL" -> 4;
      case "ABRT" -> 6;
      case "FPE" -> 8;
      case "KILL" -> 9;
      case "USR1" -> 10;
      case "SEGV" -> 11;
      case "USR2" -> 12;
      case "PIPE" -> 13;
      case "ALRM" -> 14;
      default -> 15;
    };
  }

  private String remoteSha256(String remotePath, String what) {
    ShellCommand command = ShellCommand.of("sha256sum -- " + ShellQuote.quote(remotePath));
    ExecResult result = exec(command, CHECKSUM_TIMEOUT, OutputSink.NONE);
    String[] fields = result.stdoutTail().strip().split("\\s+", 2);
    if (!result.isSuccess() || !SHA256.matcher(fields[0]).matches()) {
      throw transfer(
          what,
          "`"
              + command.display()
              + "` failed"
              + (result.timedOut() ? " (timed out)" : " with exit code " + result.exitCode())
              + ": "
              + result.lastLine(),
          null);
    }
    return fields[0];
  }

  private static void rename(ChannelSftp sftp, String from, String to) throws SftpException {
    try {
      sftp.rename(from, to);
    } catch (SftpException e) {
      // Plain SFTP rename refuses an existing target; without posix-rename, remove it first.
      try {
        sftp.rm(to);
      } catch (SftpException notThere) {
        throw e;
      }
      sftp.rename(from, to);
    }
  }

  private static void removeQuietly(ChannelSftp sftp, String path) {
    try {
      if (sftp.isConnected()) {
        sftp.rm(path);
      }
    } catch (SftpException e) {
      // usually: already renamed into place
    }
  }

  private static void kill(ChannelExec channel) {
    kill(channel, "KILL");
  }

  /**
   * Sends {@code signal} to the channel's command (OpenSSH refuses that for root logins and older
   * versions ignore it: the node's own limits are what end a command) and closes the channel. A
   * batch gets SIGTERM: its shell then ends the running command's process group ({@link
   * RemoteBatch}), which SIGKILL to the shell alone would leave running.
   */
  private static void kill(ChannelExec channel, String signal) {
    try {
      channel.sendSignal(signal);
    } catch (Exception e) {
      LOG.debug("cannot signal the command: {}", e.toString());
    }
    channel.disconnect();
  }

  private ExecResult finish(OutputPump pump, int exitCode, long start, boolean timedOut) {
    RuntimeException sinkFailure = pump.sinkFailure();
    if (sinkFailure != null) {
      throw sinkFailure;
    }
    return pump.result(exitCode, Duration.ofNanos(System.nanoTime() - start), timedOut);
  }

  /**
   * The error for a call interrupted while {@code command} ran: {@code signalled} says what was
   * sent, and the node's limits end it ({@code timeout}, or each command's own when {@code null}).
   */
  private TransportException interrupted(ShellCommand command, String signalled, Duration timeout) {
    return new TransportException(
        Kind.DROPPED,
        node.name(),
        "Interrupted while `"
            + command.display()
            + "` ran on node "
            + node.name()
            + "; "
            + signalled
            + (timeout == null
                ? " and stop at their timeouts at the latest."
                : " and stops at its timeout (" + timeout.toSeconds() + "s) at the latest."));
  }

  private TransportException dropped(ShellCommand command, Exception cause) {
    String why = closed ? "the transport was closed" : "the SSH connection was lost";
    return new TransportException(
        Kind.DROPPED,
        node.name(),
        "`"
            + command.display()
            + "` on node "
            + node.name()
            + " did not finish: "
            + why
            + (cause == null ? "" : " (" + cause.getMessage() + ")")
            + ". Whether it ran, and how far, is unknown; check the node.",
        cause);
  }

  private TransportException transfer(String what, String reason, Exception cause) {
    return new TransportException(
        Kind.TRANSFER,
        node.name(),
        "Cannot " + what + " on node " + node.name() + ": " + reason + ".",
        cause);
  }

  private int connectTimeoutMillis() {
    return Math.toIntExact(node.ssh().connectTimeout().toMillis());
  }

  /**
   * How long one read of the handshake may wait once the server answered: {@link
   * #HANDSHAKE_TIMEOUT}, or connect_timeout when that is longer.
   */
  private int handshakeTimeoutMillis() {
    return Math.max(connectTimeoutMillis(), Math.toIntExact(HANDSHAKE_TIMEOUT.toMillis()));
  }

  private void ensureOpen() {
    if (closed) {
      throw new TransportException(
          Kind.DROPPED, node.name(), "The SSH transport of node " + node.name() + " is closed.");
    }
  }

  private static String parentOf(String remotePath) {
    int slash = remotePath.lastIndexOf('/');
    return slash > 0 ? remotePath.substring(0, slash) : "/";
  }

  /** The agent's keys first, then the key files. */
  private static final class CombinedIdentities implements IdentityRepository {
    private final Vector<Identity> agent;
    private final IdentityRepository files;

    CombinedIdentities(Vector<Identity> agent, IdentityRepository files) {
      this.agent = agent;
      this.files = files;
    }

    @Override
    public String getName() {
      return "ssh-agent and key files";
    }

    @Override
    public int getStatus() {
      return RUNNING;
    }

    @Override
    public Vector<Identity> getIdentities() {
      Vector<Identity> all = new Vector<>(agent);
      all.addAll(files.getIdentities());
      return all;
    }

    @Override
    public boolean add(byte[] identity) {
      return files.add(identity);
    }

    @Override
    public boolean remove(byte[] blob) {
      return files.remove(blob);
    }

    @Override
    public void removeAll() {
      files.removeAll();
    }
  }
}
