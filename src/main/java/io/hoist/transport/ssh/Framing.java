package io.hoist.transport.ssh;

import io.hoist.transport.ExecResult;
import io.hoist.transport.LineTail;
import io.hoist.transport.OutputSink;
import io.hoist.transport.TimedCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Splits the output of {@link SshTransport#execEach}'s channel (and of a {@link RemoteShell}) at
 * its frame lines: the lines between two frames belong to one command (to the caller's sink, and to
 * that command's tails), the frames themselves to nobody. The newline printed before each frame
 * adds one empty line when the command's output ended with a newline (or was empty): an empty line
 * right before a frame is dropped, any other empty line is passed on once the next line shows it
 * was the command's. Called by the pump from its two threads, one at a time.
 */
final class Framing implements OutputSink {

  /** What follows the status in a command's frame when the batch ended it at its time limit. */
  private static final String LIMIT = " limit";

  private final String nonce;
  private final List<TimedCommand> commands;
  private final OutputSink sink;
  private final long start;
  private final int[] current = new int[2];
  private final boolean[] heldEmpty = new boolean[2];
  private final List<LineTail> stdout = new ArrayList<>();
  private final List<LineTail> stderr = new ArrayList<>();
  private final int[] status;
  private final long[] endedAt;
  private final boolean[] endedAtLimit;
  private final Object done = new Object();
  private int frames; // guarded by done

  Framing(String nonce, List<TimedCommand> commands, OutputSink sink, long start) {
    this.nonce = nonce;
    this.commands = commands;
    this.sink = sink;
    this.start = start;
    for (int i = 0; i < commands.size(); i++) {
      stdout.add(new LineTail());
      stderr.add(new LineTail());
    }
    status = new int[commands.size()];
    endedAt = new long[commands.size()];
    endedAtLimit = new boolean[commands.size()];
  }

  /**
   * Takes one line of a stream. The caller's sink is called outside this object's lock, so that a
   * sink that blocks does not block {@link #results()}; the pump calls this from one thread at a
   * time, which keeps the lines in order.
   */
  @Override
  public void line(Stream stream, String line) {
    String held = null;
    synchronized (this) {
      int s = stream.ordinal();
      int index = current[s];
      if (index < commands.size() && isFrame(stream, line, index)) {
        heldEmpty[s] = false;
        current[s] = index + 1;
        synchronized (done) {
          frames++;
          done.notifyAll();
        }
        return;
      }
      if (heldEmpty[s]) {
        heldEmpty[s] = false;
        held = "";
        keep(stream, index, held);
      }
      if (line.isEmpty() && index < commands.size()) {
        heldEmpty[s] = true;
        line = null;
      } else {
        keep(stream, index, line);
      }
    }
    if (held != null) {
      sink.line(stream, held);
    }
    if (line != null) {
      sink.line(stream, line);
    }
  }

  private boolean isFrame(Stream stream, String line, int index) {
    if (!line.startsWith(nonce + " " + index)) {
      return false;
    }
    String rest = line.substring(nonce.length() + 1 + String.valueOf(index).length());
    if (stream == Stream.STDERR) {
      return rest.isEmpty();
    }
    if (!rest.startsWith(" ")) {
      return false;
    }
    String word = rest.substring(1);
    boolean limit = word.endsWith(LIMIT);
    try {
      status[index] =
          Integer.parseInt(limit ? word.substring(0, word.length() - LIMIT.length()) : word);
    } catch (NumberFormatException e) {
      return false;
    }
    endedAtLimit[index] = limit;
    endedAt[index] = System.nanoTime();
    return true;
  }

  private void keep(Stream stream, int index, String line) {
    int at = Math.min(index, commands.size() - 1);
    (stream == Stream.STDOUT ? stdout : stderr).get(at).add(line);
  }

  /**
   * Waits until both frames of every command arrived (nothing more of theirs can come), at most
   * {@code nanos}. Does not wait for a sink that is still passing a line on.
   *
   * @return whether they all arrived
   */
  boolean awaitComplete(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    synchronized (done) {
      while (frames < 2 * commands.size()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(done, left);
      }
      return true;
    }
  }

  /** How many commands ended (their stdout frame arrived). */
  synchronized int framed() {
    return current[Stream.STDOUT.ordinal()];
  }

  synchronized List<ExecResult> results() {
    List<ExecResult> results = new ArrayList<>();
    long previous = start;
    int framed = framed();
    for (int i = 0; i < commands.size(); i++) {
      Duration timeout = commands.get(i).timeout();
      if (i < framed) {
        Duration took = Duration.ofNanos(endedAt[i] - previous);
        previous = endedAt[i];
        // The batch's shell says so; under `timeout` (old bash) its status and the time tell.
        boolean timedOut =
            endedAtLimit[i]
                || SshTransport.isTimeoutStatus(status[i]) && took.compareTo(timeout) >= 0;
        results.add(
            new ExecResult(
                timedOut ? -1 : status[i],
                stdout.get(i).toString(),
                stderr.get(i).toString(),
                took,
                timedOut));
      } else if (i == framed) {
        // The command running when the batch's time was up.
        results.add(
            new ExecResult(
                -1,
                stdout.get(i).toString(),
                stderr.get(i).toString(),
                Duration.ofNanos(System.nanoTime() - previous),
                true));
      } else {
        results.add(
            new ExecResult(
                -1, "", "not run: an earlier command did not end in time", Duration.ZERO, true));
      }
    }
    return results;
  }
}
