package io.hoist.phase;

import io.hoist.model.PhaseId;
import io.hoist.transport.OutputSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Locale;

/**
 * One node's command output on the core node: a file of lines {@code TIMESTAMP PHASE STREAM LINE}
 * (ISO-8601 UTC instant, phase id, {@code stdout}/{@code stderr}), appended as they arrive and
 * flushed per line. Created readable by the owner only (0600): output may hold what secrets
 * produce. Thread-safe.
 */
public final class NodeLog implements AutoCloseable {

  private final Path file;
  private final Clock clock;
  private final Writer writer;

  private NodeLog(Path file, Clock clock, Writer writer) {
    this.file = file;
    this.clock = clock;
    this.writer = writer;
  }

  /**
   * Opens {@code file} for appending, creating it with mode 0600 (its parent must exist).
   *
   * @throws UncheckedIOException when it cannot be created or opened
   */
  public static NodeLog open(Path file, Clock clock) {
    try {
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (FileAlreadyExistsException e) {
        // Appending to an earlier run's log of this node (a resumed run) is intended.
      }
      Writer writer =
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      return new NodeLog(file, clock, writer);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the node log " + file, e);
    }
  }

  /** The log file. */
  public Path file() {
    return file;
  }

  /** A sink that appends each line with {@code phase}'s id. */
  public OutputSink sink(PhaseId phase) {
    return (stream, line) -> append(phase, stream, line);
  }

  private synchronized void append(PhaseId phase, OutputSink.Stream stream, String line) {
    try {
      writer.write(
          clock.instant()
              + " "
              + phase.id()
              + " "
              + stream.name().toLowerCase(Locale.ROOT)
              + " "
              + line
              + "\n");
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the node log " + file, e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the node log " + file, e);
    }
  }
}
