package io.hoist.testing;

import io.hoist.command.ShellCommand;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import io.hoist.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A transport that passes every call to {@link #delegate}: a test overrides the calls it watches or
 * holds back. {@link Transport#execEach} stays the interface's own (each command through {@link
 * #exec}), so that an override of {@code exec} sees every command.
 */
public class ForwardingTransport implements Transport {

  /** Where every call goes. */
  protected final Transport delegate;

  public ForwardingTransport(Transport delegate) {
    this.delegate = delegate;
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
    return delegate.exec(command, timeout, sink);
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
