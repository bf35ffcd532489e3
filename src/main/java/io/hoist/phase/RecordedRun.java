package io.hoist.phase;

import io.hoist.model.PhaseId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A {@link RunRecord} kept in memory, in call order. Thread-safe. */
public final class RecordedRun implements RunRecord {

  /** What an entry records. */
  public enum Kind {
    PHASE_STARTED,
    PHASE_ENDED,
    UNDO_STARTED,
    UNDO_ENDED,
    /** A phase's warning ({@link RunRecord#warning}): only the message is set. */
    WARNING
  }

  /**
   * One recorded call.
   *
   * @param outcome {@code null} for the "started" kinds
   * @param duration {@code null} for the "started" kinds
   * @param message {@code null} for the "started" kinds; empty unless failed; the warning's text
   *     for {@link Kind#WARNING}
   */
  public record Entry(
      Kind kind, String node, PhaseId phase, Outcome outcome, Duration duration, String message) {

    public Entry {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(phase, "phase");
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  /** The nodes hoist retired and has not rejoined yet, in the order they were retired. */
  private final java.util.Set<String> retired = new java.util.LinkedHashSet<>();

  /**
   * Nodes an earlier run retired and did not rejoin (a resume, a rollback): they count as retired
   * until this run rejoins them.
   */
  public synchronized void carryRetired(java.util.Collection<String> nodes) {
    retired.addAll(nodes);
  }

  @Override
  public synchronized void retired(String node) {
    retired.add(node);
  }

  @Override
  public synchronized void rejoined(String node) {
    retired.remove(node);
  }

  /** The nodes hoist retired (in this run or an earlier one it carries) and has not rejoined. */
  public synchronized List<String> notRejoined() {
    return List.copyOf(retired);
  }

  @Override
  public synchronized void phaseStarted(String node, PhaseId phase) {
    entries.add(new Entry(Kind.PHASE_STARTED, node, phase, null, null, null));
  }

  @Override
  public synchronized void phaseEnded(
      String node, PhaseId phase, Outcome outcome, Duration duration, String message) {
    entries.add(new Entry(Kind.PHASE_ENDED, node, phase, outcome, duration, message));
  }

  @Override
  public synchronized void undoStarted(String node, PhaseId phase) {
    entries.add(new Entry(Kind.UNDO_STARTED, node, phase, null, null, null));
  }

  @Override
  public synchronized void undoEnded(
      String node, PhaseId phase, Outcome outcome, Duration duration, String message) {
    entries.add(new Entry(Kind.UNDO_ENDED, node, phase, outcome, duration, message));
  }

  @Override
  public synchronized void warning(String node, PhaseId phase, String message) {
    entries.add(new Entry(Kind.WARNING, node, phase, null, null, message));
  }

  /** The warnings' messages so far, in call order. */
  public synchronized List<String> warnings() {
    return entries.stream().filter(e -> e.kind() == Kind.WARNING).map(Entry::message).toList();
  }

  /** Every entry so far, in call order. */
  public synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** The entries of one kind, in call order. */
  public synchronized List<Entry> entries(Kind kind) {
    return entries.stream().filter(e -> e.kind() == kind).toList();
  }
}
