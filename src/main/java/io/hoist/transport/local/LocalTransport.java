package io.hoist.transport.local;

import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import io.hoist.model.Node;
import io.hoist.transport.ExecResult;
import io.hoist.transport.FileDigest;
import io.hoist.transport.OutputPump;
import io.hoist.transport.OutputSink;
import io.hoist.transport.SecretVariables;
import io.hoist.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands on this machine through {@code bash -c} and copies files on the local file system.
 *
 * <p>Commands run in the node's layout home when that directory exists, else in the user's home,
 * with this process's environment minus hoist's own secrets ({@link SecretVariables}) and no
 * standard input. On timeout the whole process tree is terminated (SIGTERM, then SIGKILL after
 * {@link #KILL_GRACE}). If the calling thread is interrupted while waiting, the process tree is
 * killed, the interrupt flag is set again and a {@link TransportException} of kind {@code DROPPED}
 * is thrown. {@link #close()} kills running commands; their {@code exec} then throws {@code
 * DROPPED}, as does every later call.
 */
public final class LocalTransport implements Transport {

  /** How long a terminated process may take to exit before it is killed. */
  public static final Duration KILL_GRACE = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(LocalTransport.class);
  private static final String TEMP_SUFFIX = ".hoist-tmp";

  private final Node node;
  private final Path fallbackDir;
  private final Map<String, String> env;
  private final Set<Process> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** A transport for {@code node} whose commands fall back to the user's home directory. */
  public LocalTransport(Node node) {
    this(node, Path.of(System.getProperty("user.home")));
  }

  /**
   * A transport for {@code node} whose commands run in {@code fallbackDir} when the node's layout
   * home does not exist.
   */
  public LocalTransport(Node node, Path fallbackDir) {
    this(node, fallbackDir, System.getenv());
  }

  /**
   * A transport for {@code node} whose commands run in {@code fallbackDir} when the node's layout
   * home does not exist, with {@code env} (minus {@link SecretVariables#ALL}) as their environment.
   */
  public LocalTransport(Node node, Path fallbackDir, Map<String, String> env) {
    this.node = node;
    this.fallbackDir = fallbackDir;
    this.env = Map.copyOf(SecretVariables.without(env));
  }

  @Override
  public String node() {
    return node.name();
  }

  /** Nothing to open: checks only that the transport is not closed. */
  @Override
  public void connect() {
    ensureOpen();
  }

  @Override
  public ExecResult exec(ShellCommand command, Duration timeout, OutputSink sink) {
    ensureOpen();
    long start = System.nanoTime();
    Process process;
    try {
      ProcessBuilder builder =
          new ProcessBuilder("bash", "-c", command.script()).directory(workDir().toFile());
      // Not inherited as is: hoist's secrets (the SSH password) must not reach the command.
      builder.environment().clear();
      builder.environment().putAll(env);
      process = builder.start();
    } catch (IOException e) {
      throw new TransportException(
          TransportException.Kind.IO,
          node.name(),
          "Cannot start bash for `" + command.display() + "` on node " + node.name() + ": " + e,
          e);
    }
    running.add(process);
    try {
      closeQuietly(process.getOutputStream());
      OutputPump pump = new OutputPump(sink);
      String thread = "hoist-" + node.name() + "-";
      pump.start(OutputSink.Stream.STDOUT, process.getInputStream(), thread + "stdout");
      pump.start(OutputSink.Stream.STDERR, process.getErrorStream(), thread + "stderr");
      boolean exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (!exited) {
        LOG.debug("{}: `{}` timed out after {}", node.name(), command.display(), timeout);
        ProcessTree.kill(process.toHandle(), KILL_GRACE);
        pump.awaitDrained(KILL_GRACE);
        return finish(pump, -1, start, true);
      }
      if (closed) {
        throw dropped(command, "the transport was closed");
      }
      // A background child may keep the pipes open after bash exits: wait for the output only
      // as long as the timeout allows, then report what was read.
      Duration left = timeout.minusNanos(System.nanoTime() - start);
      pump.awaitDrained(left.isNegative() ? Duration.ZERO : left);
      return finish(pump, process.exitValue(), start, false);
    } catch (InterruptedException e) {
      ProcessTree.kill(process.toHandle(), KILL_GRACE);
      Thread.currentThread().interrupt();
      throw dropped(command, "interrupted; the command was killed");
    } finally {
      running.remove(process);
    }
  }

  @Override
  public String upload(Path local, String remotePath) {
    ensureOpen();
    return copy(local, Path.of(remotePath), "upload", null);
  }

  @Override
  public String upload(Path local, String remotePath, String knownSha256) {
    ensureOpen();
    return copy(local, Path.of(remotePath), "upload", knownSha256);
  }

  @Override
  public String download(String remotePath, Path local) {
    ensureOpen();
    return copy(Path.of(remotePath), local, "download", null);
  }

  /** Kills running commands; later calls throw. Never throws. */
  @Override
  public void close() {
    closed = true;
    for (Process process : List.copyOf(running)) {
      ProcessTree.kill(process.toHandle(), KILL_GRACE);
    }
  }

  private String copy(Path source, Path target, String what, String knownSha256) {
    Path parent = target.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw transfer(what, source, target, "the directory " + parent + " does not exist", null);
    }
    Path temp = parent.resolve(target.getFileName() + TEMP_SUFFIX);
    try {
      String expected;
      MessageDigest digest = FileDigest.newSha256();
      // Owner only from the first byte (a backup holds the node's data), whatever the umask; a
      // fresh file, so a file or link left under the temporary name is not written through.
      Files.deleteIfExists(temp);
      // With a known sha256 the source is not hashed: the copy is checked against it below.
      try (InputStream raw = Files.newInputStream(source);
          InputStream in = knownSha256 == null ? new DigestInputStream(raw, digest) : raw;
          OutputStream out =
              Channels.newOutputStream(
                  FileChannel.open(
                      temp,
                      EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                      PosixFilePermissions.asFileAttribute(
                          PosixFilePermissions.fromString("rw-------"))))) {
        in.transferTo(out);
      }
      expected = knownSha256 == null ? FileDigest.hex(digest) : knownSha256;
      String actual = FileDigest.sha256(temp);
      if (!expected.equals(actual)) {
        throw transfer(
            what,
            source,
            target,
            "the copy's sha256 "
                + actual
                + " differs from "
                + (knownSha256 == null ? "the source's " : "the expected ")
                + expected,
            null);
      }
      move(temp, target);
      return expected;
    } catch (IOException e) {
      throw transfer(what, source, target, e.toString(), e);
    } finally {
      deleteQuietly(temp);
    }
  }

  private static void move(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private TransportException transfer(
      String what, Path source, Path target, String reason, Throwable cause) {
    return new TransportException(
        TransportException.Kind.TRANSFER,
        node.name(),
        "Cannot "
            + what
            + " "
            + source
            + " to "
            + target
            + " on node "
            + node.name()
            + ": "
            + reason
            + ".",
        cause);
  }

  private TransportException dropped(ShellCommand command, String why) {
    return new TransportException(
        TransportException.Kind.DROPPED,
        node.name(),
        "`" + command.display() + "` on node " + node.name() + " did not finish: " + why + ".");
  }

  private ExecResult finish(OutputPump pump, int exitCode, long start, boolean timedOut) {
    RuntimeException sinkFailure = pump.sinkFailure();
    if (sinkFailure != null) {
      throw sinkFailure;
    }
    return pump.result(exitCode, Duration.ofNanos(System.nanoTime() - start), timedOut);
  }

  private Path workDir() {
    Path home = Path.of(node.layout().home());
    return Files.isDirectory(home) ? home : fallbackDir;
  }

  private void ensureOpen() {
    if (closed) {
      throw new TransportException(
          TransportException.Kind.DROPPED,
          node.name(),
          "The local transport of node " + node.name() + " is closed.");
    }
  }

  private static void closeQuietly(OutputStream out) {
    try {
      out.close();
    } catch (IOException e) {
      LOG.debug("closing stdin: {}", e.toString());
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debug("cannot remove {}: {}", file, e.toString());
    }
  }
}
