package io.hoist.journal;

import io.hoist.model.PhaseId;
import io.hoist.phase.NodeOutcome;
import io.hoist.phase.Outcome;
import io.hoist.phase.RunRecord;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A run's journal: an append-only file of JSON lines on the core node, one per event (run start
 * with its arguments and plan, node start and end, phase and undo start and end, backups, hooks,
 * run end). Each line is written and forced to the disk ({@code fsync}) before the call returns, so
 * an event announced before an action is on disk before the action starts. The file is 0600.
 *
 * <p>Group commit: the nodes of a batch record their events at once, and one {@code fsync} makes
 * every line written before it durable. So a caller whose line another thread's {@code fsync}
 * started after does not force the disk again: it waits for that one. Every call still returns only
 * once its own line is on the disk; what is saved is the queue of one {@code fsync} per line behind
 * one lock (10,000 nodes write about 150,000 lines).
 *
 * <p>Thread-safe: the nodes' threads append at once; lines never interleave. A write that fails
 * (disk full) throws {@link UncheckedIOException}: a run that cannot journal must not go on.
 */
public final class Journal implements RunRecord, AutoCloseable {

  /** The journal's file name in a run's directory. */
  public static final String FILE = "journal.jsonl";

  /** Forces what was written to a file descriptor to the disk. */
  @FunctionalInterface
  interface Disk {
    void sync(FileDescriptor fd) throws IOException;
  }

  private final Path file;
  // A stream, not a FileChannel: a channel is closed by an interrupt of the writing thread, and the
  // journal must go on recording while a run stops after Ctrl-C.
  private final FileOutputStream out;
  private final Clock clock;
  private final Disk disk;

  /** Guards {@link #out}'s writes and {@link #written}: lines go to the file one at a time. */
  private final Object appending = new Object();

  /** Held while forcing the disk and guards {@link #synced}: one fsync at a time. */
  private final Object syncing = new Object();

  /** How many lines were written to the file (not yet necessarily on the disk). */
  private long written;

  /** How many of the first lines are on the disk. */
  private long synced;

  private Journal(Path file, FileOutputStream out, Clock clock, Disk disk) {
    this.file = file;
    this.out = out;
    this.clock = clock;
    this.disk = disk;
  }

  /**
   * Creates the journal in {@code runDir} (which must exist and must not hold one yet).
   *
   * @throws UncheckedIOException when it cannot be created
   */
  public static Journal create(Path runDir, Clock clock) {
    return create(runDir, clock, FileDescriptor::sync);
  }

  /** As {@link #create(Path, Clock)}, forcing the disk with {@code disk} (tests count it). */
  static Journal create(Path runDir, Clock clock, Disk disk) {
    Path file = runDir.resolve(FILE);
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      return new Journal(file, new FileOutputStream(file.toFile(), true), clock, disk);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the run journal " + file, e);
    }
  }

  /** Where the journal is. */
  public Path file() {
    return file;
  }

  /**
   * The run started: its id, the command and its arguments, and whatever describes it (the cluster,
   * the target, the plan).
   */
  public void runStarted(String runId, Map<String, Object> details) {
    Map<String, Object> event = event("run-started");
    event.put("run", runId);
    event.putAll(details);
    write(event);
  }

  /** A cluster hook ended. */
  @Override
  public void hookEnded(String hook, boolean ok, String message) {
    Map<String, Object> event = event("hook-ended");
    event.put("hook", hook);
    event.put("ok", ok);
    event.put("message", message);
    write(event);
  }

  /**
   * Every node of the upgrade is upgraded and healthy, and the finalize commands of {@code roles}
   * have not run: the run is "upgraded, not finalized".
   */
  public void finalizePending(java.util.List<String> roles) {
    Map<String, Object> event = event("finalize-pending");
    event.put("roles", roles);
    write(event);
  }

  /** A role's finalize command starts on a node. */
  public void finalizeStarted(String node, String role, String command) {
    Map<String, Object> event = event("finalize-started");
    event.put("node", node);
    event.put("role", role);
    event.put("command", command);
    write(event);
  }

  /** A role's finalize command ended on a node. */
  public void finalizeEnded(
      String node, String role, boolean ok, Duration duration, String message) {
    Map<String, Object> event = event("finalize-ended");
    event.put("node", node);
    event.put("role", role);
    event.put("ok", ok);
    event.put("duration_ms", duration.toMillis());
    event.put("message", message);
    write(event);
  }

  /** Every finalize command of upgrade run {@code runId} ran well: it can no longer be undone. */
  public void runFinalized(String runId) {
    Map<String, Object> event = event("run-finalized");
    event.put("finalizes", runId);
    write(event);
  }

  /** The run ended with {@code exitCode}. */
  public void runEnded(int exitCode, boolean interrupted) {
    runEnded(exitCode, interrupted, null);
  }

  /**
   * The run ended with {@code exitCode}; {@code reason}, when not null, says why it was interrupted
   * (the maintenance window closed).
   */
  public void runEnded(int exitCode, boolean interrupted, String reason) {
    Map<String, Object> event = event("run-ended");
    event.put("exit_code", exitCode);
    event.put("interrupted", interrupted);
    if (reason != null) {
      event.put("reason", reason);
    }
    write(event);
  }

  @Override
  public void nodeSkipped(String node, PhaseId failedPhase, String message) {
    Map<String, Object> event = event("node-skipped");
    event.put("node", node);
    event.put("failed_phase", failedPhase == null ? null : failedPhase.id());
    event.put("message", message);
    write(event);
  }

  @Override
  public void nodeStarted(String node, String from, String to) {
    Map<String, Object> event = event("node-started");
    event.put("node", node);
    event.put("from", from);
    event.put("to", to);
    write(event);
  }

  @Override
  public void phaseStarted(String node, PhaseId phase) {
    write(phaseEvent("phase-started", node, phase));
  }

  @Override
  public void phaseEnded(
      String node, PhaseId phase, Outcome outcome, Duration duration, String message) {
    write(ended("phase-ended", node, phase, outcome, duration, message));
  }

  @Override
  public void undoStarted(String node, PhaseId phase) {
    write(phaseEvent("undo-started", node, phase));
  }

  @Override
  public void undoEnded(
      String node, PhaseId phase, Outcome outcome, Duration duration, String message) {
    write(ended("undo-ended", node, phase, outcome, duration, message));
  }

  @Override
  public void warning(String node, PhaseId phase, String message) {
    Map<String, Object> event = phaseEvent("warning", node, phase);
    event.put("message", message);
    write(event);
  }

  @Override
  public void backupWritten(String node, Path archive, String sha256) {
    Map<String, Object> event = event("backup-written");
    event.put("node", node);
    event.put("path", archive.toString());
    event.put("sha256", sha256);
    write(event);
  }

  /** {@code node-retired}: hoist retired the node (written before the retire acts). */
  @Override
  public void retired(String node) {
    Map<String, Object> event = event("node-retired");
    event.put("node", node);
    write(event);
  }

  /** {@code node-rejoined}: the node's rejoin commands succeeded. */
  @Override
  public void rejoined(String node) {
    Map<String, Object> event = event("node-rejoined");
    event.put("node", node);
    write(event);
  }

  @Override
  public void nodeEnded(NodeOutcome outcome) {
    Map<String, Object> event = event("node-ended");
    event.put("node", outcome.node());
    event.put("status", kebab(outcome.status().name()));
    event.put("failed_phase", outcome.failedPhase().map(PhaseId::id).orElse(null));
    event.put("message", outcome.message());
    write(event);
  }

  @Override
  public void close() {
    synchronized (syncing) {
      synchronized (appending) {
        try {
          out.close();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot close the run journal " + file, e);
        }
      }
    }
  }

  private Map<String, Object> event(String kind) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("ts", clock.instant().toString());
    event.put("event", kind);
    return event;
  }

  private Map<String, Object> phaseEvent(String kind, String node, PhaseId phase) {
    Map<String, Object> event = event(kind);
    event.put("node", node);
    event.put("phase", phase.id());
    return event;
  }

  private Map<String, Object> ended(
      String kind, String node, PhaseId phase, Outcome outcome, Duration duration, String message) {
    Map<String, Object> event = phaseEvent(kind, node, phase);
    event.put("outcome", kebab(outcome.name()));
    event.put("duration_ms", duration.toMillis());
    event.put("message", message);
    return event;
  }

  /** Appends the event's line, and returns once it is on the disk. */
  private void write(Map<String, Object> event) {
    Objects.requireNonNull(event, "event");
    byte[] line;
    try {
      line = (JsonText.of(event) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (UncheckedIOException e) {
      throw new IllegalStateException("a journal event cannot be written as JSON: " + event, e);
    }
    long mine;
    try {
      synchronized (appending) {
        out.write(line);
        mine = ++written;
      }
      synchronized (syncing) {
        if (synced >= mine) {
          // Another thread's fsync started after this line was written: it is on the disk.
          return;
        }
        long upTo;
        synchronized (appending) {
          upTo = written;
        }
        disk.sync(out.getFD());
        synced = upTo;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the run journal " + file, e);
    }
  }

  static String kebab(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Whether {@code dir} holds a journal. */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(FILE));
  }
}
