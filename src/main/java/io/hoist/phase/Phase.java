package io.hoist.phase;

import io.hoist.model.PhaseId;

/**
 * One phase of a node's upgrade: whether its effect is already present, the action, and its undo.
 * The runner, not the phase, owns ordering, recording and rollback.
 *
 * <p>Blocking: every method blocks until the node's commands have finished or hit their time
 * limits, which the phase takes from {@link PhaseContext#timeouts()}. Thread safety: one node's
 * phases run on one thread, one at a time; an instance holds no per-run state, so one instance may
 * serve several nodes on their own threads. Idempotence: {@link #run} and {@link #undo} must be
 * safe to repeat and safe on a partially applied action (a resumed run, or an undo after a failure
 * in the middle of {@code run}).
 *
 * <p>Exceptions: {@link PhaseFailure} means the node did not do what was asked (non-zero exit,
 * timeout, unhealthy); it is an outcome the runner records and rolls back. {@link
 * io.hoist.error.TransportException} means the node could not be reached or dropped the connection
 * (how far a command got is unknown); the runner treats it as a failure of the phase. {@link
 * io.hoist.error.InterruptedRunException} means the thread was interrupted; it aborts the run. Any
 * other exception is a bug.
 */
public interface Phase {

  /** Which phase this is (its kebab-case id is the journal and JSON name). */
  PhaseId id();

  /**
   * Called before the phase is recorded as started: throws {@link
   * io.hoist.error.InterruptedRunException} when the run is stopping, so that a phase that never
   * starts is not journaled as started. The default lets it go.
   */
  default void mayStart(PhaseContext context) {}

  /**
   * Whether the phase's effect is already present on the node, so {@link #run} can be skipped
   * (resume, or a node already at the target). Must not change the node.
   */
  boolean isDone(PhaseContext context);

  /**
   * Performs the action.
   *
   * @throws PhaseFailure when the node failed to do it
   */
  void run(PhaseContext context);

  /**
   * Whether {@link #isDone(PhaseContext, MarkerClaim)} writes the node marker ahead of its own
   * command. {@link NodeRun} then hands it the marker's write instead of sending it as a command of
   * its own: only a phase that reads only, and comes first on a node's way, should.
   */
  default boolean takesMarkerClaim() {
    return false;
  }

  /**
   * {@link #isDone(PhaseContext)}, with the node marker's write ahead of the phase's own command
   * (same command), for a phase that {@link #takesMarkerClaim}.
   *
   * @throws PhaseFailure also when the node could not write the marker ({@link MarkerClaim#check};
   *     nothing ran)
   */
  default boolean isDone(PhaseContext context, MarkerClaim claim) {
    throw new UnsupportedOperationException(id().id() + " takes no marker claim");
  }

  /**
   * Whether {@link #runUnlessDone} answers {@link #isDone} and does {@link #run} in fewer commands
   * than the two would, so that the runner calls it instead of them. Such a phase counts as touched
   * (undone on a failure) from its start: its first command may act.
   */
  default boolean checksAsItRuns() {
    return false;
  }

  /**
   * {@link #isDone}, then {@link #run} unless it was done, for a phase that {@link
   * #checksAsItRuns}.
   *
   * @return true when the effect was there and nothing ran
   */
  default boolean runUnlessDone(PhaseContext context) {
    if (isDone(context)) {
      return true;
    }
    run(context);
    return false;
  }

  /**
   * Reverses the action. Called in reverse phase order after a later phase (or this one) failed.
   * The default does nothing, for phases that change nothing.
   *
   * @throws PhaseFailure when the reversal failed (the node then needs attention)
   */
  default void undo(PhaseContext context) {}

  /**
   * Whether {@link #undo} does anything on this node; the runner calls and records it only then.
   * The default says no, matching the default {@link #undo}: a phase that overrides one overrides
   * both.
   */
  default boolean hasUndo(PhaseContext context) {
    return false;
  }

  /**
   * Completes the reversal once every phase has been undone: called after all {@link #undo} calls,
   * again in reverse phase order, for phases whose reversal brings the node back up and so must
   * wait until the state is back (stop starts the previous release once {@code current} points at
   * it and the backup is restored; retire rejoins the node once it runs). The default does nothing.
   *
   * @throws PhaseFailure when it failed (the node then needs attention)
   */
  default void afterUndo(PhaseContext context) {}

  /**
   * Whether this phase being done means the whole node is done (the version check finding the node
   * already at the target): the runner then skips the node's other phases. Default false.
   */
  default boolean isDoneForTheNode() {
    return false;
  }

  /** Whether {@link #afterUndo} does anything on this node (the runner calls it only then). */
  default boolean hasAfterUndo(PhaseContext context) {
    return false;
  }
}
