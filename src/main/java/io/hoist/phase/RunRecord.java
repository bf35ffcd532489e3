package io.hoist.phase;

import io.hoist.model.PhaseId;
import java.time.Duration;

/**
 * Where the runner records each phase and undo of each node, before and after it acts. The journal
 * makes it durable (a "started" entry is written before the action); {@link RecordedRun} keeps it
 * in memory.
 *
 * <p>Thread safety: implementations must accept calls from several nodes' threads at once. Calls
 * block until the entry is recorded.
 */
public interface RunRecord {

  /** The phase is about to check whether it is done and, if not, act. */
  void phaseStarted(String node, PhaseId phase);

  /** The phase ended: {@code message} is empty unless it failed. */
  void phaseEnded(String node, PhaseId phase, Outcome outcome, Duration duration, String message);

  /** The phase's undo is about to run. */
  void undoStarted(String node, PhaseId phase);

  /** The phase's undo ended: {@code message} is empty unless it failed. */
  void undoEnded(String node, PhaseId phase, Outcome outcome, Duration duration, String message);

  /**
   * A phase reported a warning: it went on despite {@code message} (a failed check that was
   * ignored). The default records nothing, for records that keep only phases and undos.
   */
  default void warning(String node, PhaseId phase, String message) {}

  /** A node starts a hop ({@code from} to {@code to}). The default records nothing. */
  default void nodeStarted(String node, String from, String to) {}

  /** A node's hop ended as {@code outcome}, rollback included. The default records nothing. */
  default void nodeEnded(NodeOutcome outcome) {}

  /**
   * A backup of {@code node} was written and verified: {@code archive} on the core node, its
   * sha256. The default records nothing.
   */
  default void backupWritten(String node, java.nio.file.Path archive, String sha256) {}

  /** A cluster hook ({@code before_cluster}, {@code after_cluster}) ended. Default: nothing. */
  default void hookEnded(String hook, boolean ok, String message) {}

  /**
   * The run skips past a node that failed ({@code --on-failure skip}, within the failure budget):
   * it is not taken further in this run nor retried by a resume. {@code failedPhase} may be null.
   * The default records nothing.
   */
  default void nodeSkipped(String node, PhaseId failedPhase, String message) {}

  /**
   * hoist is about to run the node's retire commands (or found them done): from here on the node
   * counts as retired by hoist until {@link #rejoined}, since a retire that ran half-way may have
   * drained the node already. Recorded before the retire acts. The default records nothing.
   */
  default void retired(String node) {}

  /** The node's rejoin commands succeeded: hoist no longer owes it a rejoin. Default: nothing. */
  default void rejoined(String node) {}

  /** A record that passes every call to {@code first}, then to {@code second}. */
  static RunRecord both(RunRecord first, RunRecord second) {
    return new RunRecord() {
      @Override
      public void phaseStarted(String node, PhaseId phase) {
        first.phaseStarted(node, phase);
        second.phaseStarted(node, phase);
      }

      @Override
      public void phaseEnded(
          String node, PhaseId phase, Outcome outcome, Duration duration, String message) {
        first.phaseEnded(node, phase, outcome, duration, message);
        second.phaseEnded(node, phase, outcome, duration, message);
      }

      @Override
      public void undoStarted(String node, PhaseId phase) {
        first.undoStarted(node, phase);
        second.undoStarted(node, phase);
      }

      @Override
      public void undoEnded(
          String node, PhaseId phase, Outcome outcome, Duration duration, String message) {
        first.undoEnded(node, phase, outcome, duration, message);
        second.undoEnded(node, phase, outcome, duration, message);
      }

      @Override
      public void warning(String node, PhaseId phase, String message) {
        first.warning(node, phase, message);
        second.warning(node, phase, message);
      }

      @Override
      public void nodeStarted(String node, String from, String to) {
        first.nodeStarted(node, from, to);
        second.nodeStarted(node, from, to);
      }

      @Override
      public void backupWritten(String node, java.nio.file.Path archive, String sha256) {
        first.backupWritten(node, archive, sha256);
        second.backupWritten(node, archive, sha256);
      }

      @Override
      public void hookEnded(String hook, boolean ok, String message) {
        first.hookEnded(hook, ok, message);
        second.hookEnded(hook, ok, message);
      }

      @Override
      public void retired(String node) {
        first.retired(node);
        second.retired(node);
      }

      @Override
      public void rejoined(String node) {
        first.rejoined(node);
        second.rejoined(node);
      }

      @Override
      public void nodeEnded(NodeOutcome outcome) {
        first.nodeEnded(outcome);
        second.nodeEnded(outcome);
      }

      @Override
      public void nodeSkipped(String node, PhaseId failedPhase, String message) {
        first.nodeSkipped(node, failedPhase, message);
        second.nodeSkipped(node, failedPhase, message);
      }
    };
  }
}
