package io.hoist.transport;

import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection to one node.
 *
 * <p>Thread safety: an instance may be used by one thread at a time for {@link #exec}; callers that
 * fan out use one transport per node. {@link #close()} may be called from any thread and makes a
 * blocked {@code exec} return (as dropped).
 *
 * <p>Connections are opened lazily by the first call and reused for every later one (one SSH
 * session per node).
 */
public interface Transport extends AutoCloseable {

  /** The node's name, for messages. */
  String node();

  /**
   * Opens the connection now (authenticates, checks the host key) if it is not open yet.
   * Idempotent.
   *
   * @throws TransportException UNREACHABLE, AUTHENTICATION, HOST_KEY_UNKNOWN, HOST_KEY_CHANGED
   */
  void connect();

  /**
   * Runs a command through the node's shell and waits for it, at most {@code timeout}.
   *
   * <p>Blocks. Each output line is passed to {@code sink} as it arrives, from a thread of the
   * transport's choosing (never concurrently for one call). On timeout the command is signalled to
   * stop, its channel or process is closed, and the result says {@link ExecResult#timedOut()}; a
   * timeout is an outcome, not an exception. A non-zero exit is an outcome too.
   *
   * @throws TransportException when the node cannot be reached or the connection drops: whether the
   *     command ran, and how far, is then unknown
   */
  ExecResult exec(ShellCommand command, Duration timeout, OutputSink sink);

  /**
   * Runs {@code commands} one after another, each as {@link #exec} runs it (its own timeout; a
   * failure or timeout of one does not stop the next), and returns one result per command, in
   * order. An implementation may send them together: the SSH transport runs them in one channel,
   * one round trip and one remote shell instead of one per command, which is what a fan-out to
   * hundreds of nodes waits on. {@code sink} sees each command's lines in order, never the framing.
   * It must not block: the SSH transport calls it on the connection's own thread.
   *
   * @throws TransportException as for {@link #exec}: when the connection drops, the results of
   *     every command are unknown
   */
  default List<ExecResult> execEach(List<TimedCommand> commands, OutputSink sink) {
    List<ExecResult> results = new ArrayList<>(commands.size());
    for (TimedCommand command : commands) {
      results.add(exec(command.command(), command.timeout(), sink));
    }
    return results;
  }

  /**
   * Copies a local file to {@code remotePath} (parent directories must exist), then verifies the
   * remote copy's sha256 against the local file's. The remote file is written under a temporary
   * name and renamed into place, so a reader never sees a partial file; it is readable by the login
   * user only (mode 0600) from its creation on, whatever the node's umask (a backup being restored
   * holds the node's data).
   *
   * @return the sha256 (lower-case hex) both sides agree on
   * @throws TransportException TRANSFER when the copy fails or the checksums differ (the partial
   *     remote file is removed), or as for {@link #connect()}
   */
  String upload(Path local, String remotePath);

  /**
   * As {@link #upload(Path, String)}, for a file whose sha256 the caller already holds (a bundle
   * verified on the core node): the local file is not hashed again, and the remote copy must match
   * {@code knownSha256}. Distributing one bundle to many nodes hashes it once, not once per node.
   *
   * @throws TransportException TRANSFER when the copy fails or does not match {@code knownSha256}
   */
  String upload(Path local, String remotePath, String knownSha256);

  /**
   * Copies {@code remotePath} to a local file (written under a temporary name, then renamed),
   * verifying the copy against the remote file's sha256. The local file is readable by its owner
   * only (mode 0600) from its creation on, whatever the umask.
   *
   * @return the verified sha256 (lower-case hex)
   * @throws TransportException TRANSFER when the copy fails or the checksums differ
   */
  String download(String remotePath, Path local);

  /** Closes the connection. Idempotent; never throws. */
  @Override
  void close();
}
