package io.hoist.transport;

import io.hoist.command.SecretMask;
import io.hoist.command.ShellCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A transport whose command output never shows a secret: every line passed to the sink and both
 * tails of the result go through a {@link SecretMask}. It sits between the real transport and
 * everything that prints, logs or journals output (node logs, {@code -vv}, failure messages, JSON),
 * so that a command echoing a secret it was given, or a value it found on the node, cannot leak it
 * on the core node. Everything else is passed through; thread safety is the delegate's.
 */
public final class MaskingTransport implements Transport {

  private final Transport delegate;
  private final SecretMask mask;

  private MaskingTransport(Transport delegate, SecretMask mask) {
    this.delegate = delegate;
    this.mask = mask;
  }

  /** {@code transport} masking {@code mask}'s secrets; itself when there is nothing to mask. */
  public static Transport wrap(Transport transport, SecretMask mask) {
    return mask.isEmpty() ? transport : new MaskingTransport(transport, mask);
  }

  /** A factory whose transports mask {@code mask}'s secrets. */
  public static TransportFactory wrap(TransportFactory factory, SecretMask mask) {
    return mask.isEmpty() ? factory : node -> wrap(factory.open(node), mask);
  }

  @Override
  public String node() {
    return delegate.node();
  }

  @Override
  public void connect() {
    delegate.connect();
  }

  @Override
  public ExecResult exec(ShellCommand command, Duration timeout, OutputSink sink) {
    return masked(
        delegate.exec(command, timeout, (stream, line) -> sink.line(stream, mask.mask(line))));
  }

  @Override
  public List<ExecResult> execEach(List<TimedCommand> commands, OutputSink sink) {
    return delegate
        .execEach(commands, (stream, line) -> sink.line(stream, mask.mask(line)))
        .stream()
        .map(this::masked)
        .toList();
  }

  private ExecResult masked(ExecResult result) {
    return new ExecResult(
        result.exitCode(),
        mask.mask(result.stdoutTail()),
        mask.mask(result.stderrTail()),
        result.duration(),
        result.timedOut());
  }

  @Override
  public String upload(Path local, String remotePath) {
    return delegate.upload(local, remotePath);
  }

  @Override
  public String upload(Path local, String remotePath, String knownSha256) {
    return delegate.upload(local, remotePath, knownSha256);
  }

  @Override
  public String download(String remotePath, Path local) {
    return delegate.download(remotePath, local);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
