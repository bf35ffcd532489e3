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
}
