package io.hoist.transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a command's stdout and stderr, each on its own thread, splitting them into lines (UTF-8,
 * terminators {@code \n}, {@code \r\n} or {@code \r} removed) for an {@link OutputSink}, and keeps
 * the last {@link ExecResult#TAIL_LINES} lines of each stream.
 *
 * <p>For transport implementations. Both streams are read as fast as they arrive, so a command with
 * a lot of output never blocks on a full pipe. The sink is called by one thread at a time. If the
 * sink throws, the pump stops calling it but keeps draining; {@link #sinkFailure()} then returns
 * the first exception.
 */
public final class OutputPump {

  private static final Logger LOG = LoggerFactory.getLogger(OutputPump.class);

  private final OutputSink sink;
  private final Object sinkLock = new Object();
  private final Map<OutputSink.Stream, Deque<String>> tails =
      new EnumMap<>(OutputSink.Stream.class);
  private final List<Thread> threads = new ArrayList<>();
  private RuntimeException sinkFailure;

  /** A pump feeding {@code sink}; call {@link #start} once per stream. */
  public OutputPump(OutputSink sink) {
    this.sink = sink;
    for (OutputSink.Stream stream : OutputSink.Stream.values()) {
      tails.put(stream, new ArrayDeque<>());
    }
  }

  /** Starts draining {@code in} as {@code stream} on a new daemon thread named {@code name}. */
  public void start(OutputSink.Stream stream, InputStream in, String name) {
    Thread thread = new Thread(() -> drain(stream, in), name);
    thread.setDaemon(true);
    synchronized (threads) {
      threads.add(thread);
    }
    thread.start();
  }

  /**
   * Waits until every stream reached its end, at most {@code limit}.
   *
   * @return whether all streams ended
   */
  public boolean awaitDrained(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + Math.max(0, limit.toNanos());
    List<Thread> all;
    synchronized (threads) {
      all = List.copyOf(threads);
    }
    for (Thread thread : all) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.timedJoin(thread, left);
      }
      if (thread.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /** The last lines of {@code stream} seen so far, joined with {@code \n}. */
  public String tail(OutputSink.Stream stream) {
    synchronized (sinkLock) {
      return String.join("\n", tails.get(stream));
    }
  }

  /** The first exception the sink threw, or {@code null}. */
  public RuntimeException sinkFailure() {
    synchronized (sinkLock) {
      return sinkFailure;
    }
  }

  /** A result with the current tails. */
  public ExecResult result(int exitCode, Duration duration, boolean timedOut) {
    return new ExecResult(
        exitCode,
        tail(OutputSink.Stream.STDOUT),
        tail(OutputSink.Stream.STDERR),
        duration,
        timedOut);
  }

  private void drain(OutputSink.Stream stream, InputStream in) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        accept(stream, line);
      }
    } catch (IOException e) {
      // The stream was closed under us (timeout, dropped connection): the output ends here.
      LOG.debug("{} ended: {}", stream, e.toString());
    }
  }

  private void accept(OutputSink.Stream stream, String line) {
    synchronized (sinkLock) {
      Deque<String> tail = tails.get(stream);
      tail.addLast(line);
      if (tail.size() > ExecResult.TAIL_LINES) {
        tail.removeFirst();
      }
      if (sinkFailure == null) {
        try {
          sink.line(stream, line);
        } catch (RuntimeException e) {
          sinkFailure = e;
        }
      }
    }
  }
}
