package io.hoist.phase;

import io.hoist.command.NodeMarker;
import io.hoist.error.InterruptedRunException;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

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
  private final NodeMarker marker;

  /**
   * @param record where each phase and undo is recorded
   * @param clock times the phases
   * @param undoOnFailure {@code false} for {@code --on-failure stop}: a failed node is left as it
   *     is
   */
  public PhaseRunner(RunRecord record, Clock clock, boolean undoOnFailure) {
    this(record, clock, undoOnFailure, null);
  }

  /**
   * A runner that writes {@code marker} on each node before its first changing phase ({@link
   * NodeRun}) and removes it when the node ended clean.
   *
   * @param marker the run's node marker, or {@code null} for none ({@code hoist retire})
   */
  public PhaseRunner(RunRecord record, Clock clock, boolean undoOnFailure, NodeMarker marker) {
    this.record = record;
    this.clock = clock;
    this.undoOnFailure = undoOnFailure;
    this.marker = marker;
  }

  /** Where this runner records (the run's journal among others). */
  public RunRecord record() {
    return record;
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
    return new NodeRun(context, record, clock, marker);
  }

  /**
   * Runs {@code phases} in order on the context's node. When the run is interrupted between two
   * phases ({@link InterruptedRunException} from a phase), a node that was touched is rolled back
   * if this runner rolls back failed nodes, and ends {@link NodeOutcome.Status#REVERTED}; otherwise
   * the exception goes on (the node is left where it is, for a resume).
   */
  public NodeOutcome run(PhaseContext context, List<Phase> phases) {
    return run(context, phases, outcome -> {});
  }

  /**
   * As {@link #run(PhaseContext, List)}, telling {@code decided} the node's outcome as soon as it
   * is known: after the node's last phase (or its rollback), before {@link NodeRun#finish} removes
   * the node marker (a command on the node) and records the node's end. A rolling run starts its
   * next batch then, so that the marker's removal is not on the run's critical path; it waits for
   * this call to return before it ends. Not called when an interruption propagates.
   */
  public NodeOutcome run(PhaseContext context, List<Phase> phases, Consumer<NodeOutcome> decided) {
    NodeRun run = start(context);
    for (Phase phase : phases) {
      NodeRun.Result result;
      try {
        result = run.step(phase);
      } catch (InterruptedRunException e) {
        if (!undoOnFailure || !run.touchedAnything()) {
          throw e;
        }
        run.rollBack(
            "interrupted before " + phase.id().id() + "; rolled back to " + context.steps().from());
        return finish(run, decided);
      }
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
    return finish(run, decided);
  }

  private static NodeOutcome finish(NodeRun run, Consumer<NodeOutcome> decided) {
    decided.accept(run.outcome());
    return run.finish();
  }
}
