package io.hoist.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a command's stdout and stderr, each on its own thread, splitting them into lines (UTF-8,
 * terminators {@code \n}, {@code \r\n} or {@code \r} removed) for an {@link OutputSink}, and keeps
 * the last {@link ExecResult#TAIL_LINES} lines of each stream, at most {@link
 * ExecResult#TAIL_CHARS} characters of each: whatever a command prints, the memory it takes here is
 * bounded. Control characters in a line are escaped ({@link #printable}): a node's output never
 * reaches a terminal or a file raw.
 *
 * <p>For transport implementations. The streams are either drained by threads of the pump ({@link
 * #start}) or written by the transport's own thread ({@link #pushed}). Both streams are read as
 * fast as they arrive, so a command with a lot of output never blocks on a full pipe. A line longer
 * than {@link #MAX_LINE_BYTES} is passed on in pieces of at most that many bytes (split between
 * characters), so one endless line neither exhausts memory nor stops the draining. The sink is
 * called by one thread at a time. If the sink throws, the pump stops calling it but keeps draining;
 * {@link #sinkFailure()} then returns the first exception. The sink is never called while the state
 * behind {@link #tail}, {@link #sinkFailure()} and {@link #result} is locked, so a sink that blocks
 * cannot block those.
 */
public final class OutputPump {

  /** The longest piece of a line passed to the sink, in bytes of UTF-8. */
  public static final int MAX_LINE_BYTES = 64 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(OutputPump.class);

  private final OutputSink sink;
  // Two locks: sinkLock only keeps the two drain threads from calling the sink at once;
  // stateLock guards tails and sinkFailure and is never held while the sink runs.
  private final Object sinkLock = new Object();
  private final Object stateLock = new Object();
  private final Map<OutputSink.Stream, LineTail> tails = new EnumMap<>(OutputSink.Stream.class);
  private final List<Thread> threads = new ArrayList<>();
  private final Map<OutputSink.Stream, Pushed> pushed = new EnumMap<>(OutputSink.Stream.class);
  private RuntimeException sinkFailure;

  /** A pump feeding {@code sink}; call {@link #start} once per stream. */
  public OutputPump(OutputSink sink) {
    this.sink = sink;
    for (OutputSink.Stream stream : OutputSink.Stream.values()) {
      tails.put(stream, new LineTail());
    }
  }

  /**
   * A stream the transport's own thread writes {@code stream}'s bytes to, instead of a thread of
   * the pump's draining an input stream ({@link #start}): the same lines, tails and sink, no thread
   * and no pipe buffer per stream. The sink is then called on the writing thread, so it must not
   * block. Its {@link OutputStream#close()} is the stream's end. A later call for the same stream
   * replaces it: what the earlier one is then given is ignored (a channel that was refused and
   * replaced). {@link OutputStream#write} never throws.
   */
  public OutputStream pushed(OutputSink.Stream stream) {
    Pushed next = new Pushed(stream);
    synchronized (pushed) {
      pushed.put(stream, next);
    }
    return next;
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
    synchronized (pushed) {
      while (!pushedEnded()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(pushed, left);
      }
    }
    return true;
  }

  /** Whether every current pushed stream was closed; holds the {@code pushed} lock. */
  private boolean pushedEnded() {
    for (Pushed stream : pushed.values()) {
      if (!stream.closed) {
        return false;
      }
    }
    return true;
  }

  /** The last lines of {@code stream} seen so far, joined with {@code \n}. Never blocks long. */
  public String tail(OutputSink.Stream stream) {
    synchronized (stateLock) {
      return tails.get(stream).toString();
    }
  }

  /** The first exception the sink threw, or {@code null}. Never blocks long. */
  public RuntimeException sinkFailure() {
    synchronized (stateLock) {
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
    LineSplitter lines = new LineSplitter(line -> accept(stream, line));
    byte[] buffer = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        lines.feed(buffer, n);
      }
      lines.end();
    } catch (IOException e) {
      // The stream was closed under us (timeout, dropped connection): the output ends here.
      LOG.debug("{} ended: {}", stream, e.toString());
      lines.end();
    }
  }

  /** One stream written by the transport's thread (see {@link #pushed}). */
  private final class Pushed extends OutputStream {

    private final OutputSink.Stream stream;
    private final LineSplitter lines;
    private boolean closed; // guarded by OutputPump.this.pushed

    Pushed(OutputSink.Stream stream) {
      this.stream = stream;
      this.lines = new LineSplitter(line -> accept(stream, line));
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      synchronized (this) {
        if (isLive()) {
          lines.feed(bytes, offset, length);
        }
      }
    }

    @Override
    public void close() {
      synchronized (this) {
        if (!isLive()) {
          return;
        }
        lines.end();
        synchronized (pushed) {
          closed = true;
          pushed.notifyAll();
        }
      }
    }

    private boolean isLive() {
      synchronized (pushed) {
        return !closed && pushed.get(stream) == this;
      }
    }
  }

  private void accept(OutputSink.Stream stream, String raw) {
    String line = printable(raw);
    boolean deliver;
    synchronized (stateLock) {
      tails.get(stream).add(line);
      deliver = sinkFailure == null;
    }
    if (!deliver) {
      return;
    }
    synchronized (sinkLock) {
      try {
        sink.line(stream, line);
      } catch (RuntimeException e) {
        synchronized (stateLock) {
          if (sinkFailure == null) {
            sinkFailure = e;
          }
        }
      }
    }
  }

  /**
   * {@code line} with control characters (C0 but tab, DEL, C1) written as {@code \\u001b}: output
   * of a node is shown on the admin's terminal and kept in files, and an escape sequence in it
   * could rewrite what the terminal shows (or, on some terminals, answer back as input).
   */
  static String printable(String line) {
    StringBuilder out = null;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      boolean control = (c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0);
      if (control && out == null) {
        out = new StringBuilder(line.length() + 16).append(line, 0, i);
      }
      if (control) {
        out.append("\\u").append(Integer.toHexString(0x10000 | c).substring(1));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? line : out.toString();
  }

  /** Bytes to lines: terminators removed, lines longer than {@link #MAX_LINE_BYTES} cut. */
  static final class LineSplitter {

    /** Receives each line or piece. */
    interface Receiver {
      void line(String line);
    }

    private final Receiver receiver;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private boolean afterCarriageReturn;

    LineSplitter(Receiver receiver) {
      this.receiver = receiver;
    }

    void feed(byte[] bytes, int length) {
      feed(bytes, 0, length);
    }

    void feed(byte[] bytes, int offset, int length) {
      for (int i = offset; i < offset + length; i++) {
        byte b = bytes[i];
        if (b == '\n') {
          if (!afterCarriageReturn) {
            emit(current.size());
          }
          afterCarriageReturn = false;
        } else if (b == '\r') {
          emit(current.size());
          afterCarriageReturn = true;
        } else {
          afterCarriageReturn = false;
          current.write(b);
          if (current.size() >= MAX_LINE_BYTES) {
            emit(pieceEnd());
          }
        }
      }
    }

    /** The end of the input: an unterminated last line is passed on. */
    void end() {
      if (current.size() > 0) {
        emit(current.size());
      }
    }

    /**
     * Where the piece ends: before a UTF-8 character that started in the last three bytes and is
     * incomplete, so that no character is split.
     */
    private int pieceEnd() {
      byte[] bytes = current.toByteArray();
      int end = bytes.length;
      for (int back = 1; back <= 3 && back <= bytes.length; back++) {
        int b = bytes[bytes.length - back] & 0xff;
        if ((b & 0xc0) == 0x80) {
          continue; // a continuation byte: look further back for the lead byte
        }
        int needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
        if (needed > back) {
          end = bytes.length - back;
        }
        break;
      }
      return end == 0 ? bytes.length : end;
    }

    private void emit(int end) {
      byte[] bytes = current.toByteArray();
      current.reset();
      current.write(bytes, end, bytes.length - end);
      receiver.line(new String(bytes, 0, end, StandardCharsets.UTF_8));
    }
  }
}
