package io.hoist.cli;

import io.hoist.command.SecretMask;
import io.hoist.error.UsageException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * {@code --log-file FILE}: timestamped lines appended for cron and audits, whatever -q or -v say.
 * Each line: {@code 2026-11-21T02:00:01Z hoist[PID] message}, the cluster's secrets masked. Created
 * 0600. Thread-safe.
 */
final class RunLog implements AutoCloseable {

  /** A log that writes nothing (no --log-file). */
  static final RunLog NONE = new RunLog(null, Clock.systemUTC(), 0);

  private final BufferedWriter writer;
  private final Clock clock;
  private final long pid;
  private volatile SecretMask mask = SecretMask.NONE;

  // The pid is asked for only when a log is opened: ProcessHandle's set-up (a thread pool for
  // reaping child processes) is not something "hoist --help" should pay for.
  private RunLog(BufferedWriter writer, Clock clock, long pid) {
    this.writer = writer;
    this.clock = clock;
    this.pid = pid;
  }

  /** Opens FILE for appending, creating it (0600) when missing. */
  static RunLog open(Path file, Clock clock) {
    try {
      if (!Files.exists(file)) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      return new RunLog(
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.WRITE),
          clock,
          ProcessHandle.current().pid());
    } catch (IOException | UnsupportedOperationException e) {
      throw new UsageException("--log-file " + file + ": cannot append to it (" + e + ")");
    }
  }

  /** Whether lines go anywhere (a --log-file was given). */
  boolean isOpen() {
    return writer != null;
  }

  /** Hides these secrets in every later line. */
  void mask(SecretMask secrets) {
    mask = secrets;
  }

  /** Appends one line per line of {@code text}, secrets masked. */
  synchronized void line(String text) {
    if (writer == null) {
      return;
    }
    String stamp = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      for (String line : mask.mask(String.valueOf(text)).split("\n", -1)) {
        writer.write(stamp + " hoist[" + pid + "] " + line);
        writer.newLine();
      }
      writer.flush();
    } catch (IOException e) {
      // A full disk must not turn a good run into a failed one; the terminal still has it all.
    }
  }

  @Override
  public synchronized void close() {
    if (writer != null) {
      try {
        writer.close();
      } catch (IOException e) {
        // Nothing more can be written; the lines before were flushed one by one.
      }
    }
  }
}
