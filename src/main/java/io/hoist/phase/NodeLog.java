package io.hoist.phase;

import io.hoist.model.PhaseId;
import io.hoist.transport.OutputSink;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Locale;

/**
 * One node's command output on the core node: a file of lines {@code TIMESTAMP PHASE STREAM LINE}
 * (ISO-8601 UTC instant, phase id, {@code stdout}/{@code stderr}), appended as they arrive, each
 * written through to the file at once (no buffer in this process). Created readable by the owner
 * only (0600): output may hold what secrets produce. Thread-safe.
 *
 * <p>The file is held open only from the first line after {@link #open} or {@link #close} until the
 * next {@link #close}: a run closes a node's log when the node's hop ends, so that a cluster of
 * 10,000 nodes holds as many files open as nodes in flight, not one per node (and no write buffer
 * per node). A line after {@link #close} opens the file again, appending.
 */
public final class NodeLog implements AutoCloseable {

  private final Path file;
  private final Clock clock;

  // A stream, not a channel: a channel is closed by an interrupt of the writing thread, and a
  // node's
  // output must still be logged while a run stops after Ctrl-C.
  private FileOutputStream out;

  private NodeLog(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  /**
   * Creates {@code file} with mode 0600 unless it exists (its parent must exist); lines are
   * appended to it.
   *
   * @throws UncheckedIOException when it cannot be created
   */
  public static NodeLog open(Path file, Clock clock) {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      // Appending to an earlier run's log of this node (a resumed run) is intended.
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the node log " + file, e);
    }
    return new NodeLog(file, clock);
  }

  /** The log file. */
  public Path file() {
    return file;
  }

  /** A sink that appends each line with {@code phase}'s id. */
  public OutputSink sink(PhaseId phase) {
    return sink(phase.id());
  }

  /**
   * A sink that appends each line with {@code label} in the place of a phase id ({@code finalize}).
   */
  public OutputSink sink(String label) {
    return (stream, line) -> append(label, stream, line);
  }

  private synchronized void append(String label, OutputSink.Stream stream, String line) {
    byte[] bytes =
        (clock.instant()
                + " "
                + label
                + " "
                + stream.name().toLowerCase(Locale.ROOT)
                + " "
                + line
                + "\n")
            .getBytes(StandardCharsets.UTF_8);
    try {
      if (out == null) {
        out = new FileOutputStream(file.toFile(), true);
      }
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the node log " + file, e);
    }
  }

  /** Closes the file until the next line. Idempotent. */
  @Override
  public synchronized void close() {
    if (out == null) {
      return;
    }
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the node log " + file, e);
    } finally {
      out = null;
    }
  }
}
