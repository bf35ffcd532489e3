package io.hoist.phase;

import java.time.Clock;
import java.util.List;

/**
 * Runs one node's phases in order, recording each ({@link NodeRun}), and on a failure, unless built
 * with {@code undoOnFailure = false} ({@code --on-failure stop}), rolls the node back.
 *
 * <p>Blocking; one call per node per thread. Outcomes are values: only bugs and interruption
 * ({@link io.hoist.error.InterruptedRunException}) throw.
 */
public final class PhaseRunner {

  private final RunRecord record;
  private final Clock clock;
  private final boolean undoOnFailure;

  /**
   * @param record where each phase and undo is recorded
   * @param clock times the phases
   * @param undoOnFailure {@code false} for {@code --on-failure stop}: a failed node is left as it
   *     is
   */
  public PhaseRunner(RunRecord record, Clock clock, boolean undoOnFailure) {
    this.record = record;
    this.clock = clock;
    this.undoOnFailure = undoOnFailure;
  }

  /** Whether a failed node is rolled back. */
  public boolean undoOnFailure() {
    return undoOnFailure;
  }

  /**
   * A node's run, to drive phase by phase; the phases' warnings ({@link PhaseContext#warn}) go to
   * this runner's record.
   */
  public NodeRun start(PhaseContext context) {
    return new NodeRun(context, record, clock);
  }

  /** Runs {@code phases} in order on the context's node. */
  public NodeOutcome run(PhaseContext context, List<Phase> phases) {
    NodeRun run = start(context);
    for (Phase phase : phases) {
      NodeRun.Result result = run.step(phase);
      if (result == NodeRun.Result.NODE_DONE) {
        break;
      }
      if (result == NodeRun.Result.FAILED) {
        if (undoOnFailure) {
          run.rollBack("");
        }
        break;
      }
    }
    return run.finish();
  }
}
