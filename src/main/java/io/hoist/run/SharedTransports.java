package io.hoist.run;

import io.hoist.command.ShellCommand;
import io.hoist.model.Node;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import io.hoist.transport.TimedCommand;
import io.hoist.transport.Transport;
import io.hoist.transport.TransportFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One transport per node for the length of a command: every step that opens a node's transport gets
 * the same one (one SSH session per node, reused), and closing it there does nothing; {@link
 * #close()} closes them all. Thread-safe.
 */
public final class SharedTransports implements TransportFactory, AutoCloseable {

  private final TransportFactory factory;
  private final Map<String, Transport> open = new ConcurrentHashMap<>();

  public SharedTransports(TransportFactory factory) {
    this.factory = factory;
  }

  @Override
  public Transport open(Node node) {
    return new Kept(open.computeIfAbsent(node.name(), name -> factory.open(node)), () -> {});
  }

  /**
   * The same transports for a command whose step is a node's last: closing one closes it there, in
   * the node's own thread, and forgets it (a later {@link #open} opens a new one). A fan-out's
   * sessions then end while the other nodes still work, not one after another on the command's
   * thread after the last node answered: 100 SSH sessions took 30 to 50 ms to close that way, the
   * end of every {@code hoist inspect}.
   */
  public TransportFactory closedAfterUse() {
    return node -> {
      Transport transport = open.computeIfAbsent(node.name(), name -> factory.open(node));
      return new Kept(
          transport,
          () -> {
            if (open.remove(node.name(), transport)) {
              transport.close();
            }
          });
    };
  }

  /** Closes every transport opened through this object. */
  @Override
  public void close() {
    open.values().forEach(Transport::close);
    open.clear();
  }

  /**
   * A transport whose {@code close()} runs {@code onClose}: nothing (left to {@link
   * SharedTransports#close()}), or closing it for good.
   */
  private record Kept(Transport delegate, Runnable onClose) implements Transport {
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
    public List<ExecResult> execEach(List<TimedCommand> commands, OutputSink sink) {
      return delegate.execEach(commands, sink);
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
      onClose.run();
    }
  }
}
