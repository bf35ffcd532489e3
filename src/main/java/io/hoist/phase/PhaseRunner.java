package io.hoist.phase;

import io.hoist.error.TransportException;
import io.hoist.model.PhaseId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one node's phases in order, recording each, and on a failure undoes what was done.
 *
 * <p>For each phase: record "started"; if its effect is already present, record {@link
 * Outcome#SKIPPED_DONE}; else run it, timed, and record {@link Outcome#OK}. When a phase fails
 * ({@link PhaseFailure}, or a {@link TransportException} while it ran), it is recorded {@link
 * Outcome#FAILED} and, unless the runner was built with {@code undoOnFailure = false} ({@code
 * --on-failure stop}), the failed phase and every phase that ran before it are undone in reverse
 * order, then (when every undo succeeded) their {@link Phase#afterUndo} steps run in forward order,
 * each recorded. The outcome keeps the original failure; undo failures are attached to it as
 * suppressed exceptions and make the node {@link NodeOutcome.Status#FAILED_NEEDS_ATTENTION}. The
 * failed phase is undone too because it may have half-happened (restart stopped the product, then
 * start failed); phases must tolerate that ({@link Phase}).
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

  /**
   * Runs {@code phases} in order on the context's node; their warnings ({@link PhaseContext#warn})
   * go to this runner's record.
   */
  public NodeOutcome run(PhaseContext unbound, List<Phase> phases) {
    // The phases' warnings go to the same record as the phases.
    PhaseContext context = unbound.withRecord(record);
    String node = context.node().name();
    Map<PhaseId, Duration> durations = new LinkedHashMap<>();
    Deque<Phase> touched = new ArrayDeque<>();
    boolean anyRan = false;
    for (Phase phase : phases) {
      record.phaseStarted(node, phase.id());
      Instant start = clock.instant();
      try {
        if (phase.isDone(context)) {
          record.phaseEnded(
              node, phase.id(), Outcome.SKIPPED_DONE, Duration.between(start, clock.instant()), "");
          if (phase.isDoneForTheNode() && !anyRan) {
            // Already at the target: nothing of the node is touched (kato's version check).
            break;
          }
          continue;
        }
        anyRan = true;
        touched.push(phase);
        phase.run(context);
      } catch (PhaseFailure | TransportException e) {
        PhaseFailure failure = asFailure(phase.id(), e);
        Duration took = Duration.between(start, clock.instant());
        durations.put(phase.id(), took);
        record.phaseEnded(node, phase.id(), Outcome.FAILED, took, failure.getMessage());
        return failed(context, phase.id(), failure, touched, durations);
      }
      Duration took = Duration.between(start, clock.instant());
      durations.put(phase.id(), took);
      record.phaseEnded(node, phase.id(), Outcome.OK, took, "");
    }
    return new NodeOutcome(
        node,
        anyRan ? NodeOutcome.Status.UPGRADED : NodeOutcome.Status.ALREADY_AT_TARGET,
        Optional.empty(),
        "",
        durations,
        Optional.empty());
  }

  private NodeOutcome failed(
      PhaseContext context,
      PhaseId failedPhase,
      PhaseFailure failure,
      Deque<Phase> touched,
      Map<PhaseId, Duration> durations) {
    String node = context.node().name();
    NodeOutcome.Status status = NodeOutcome.Status.FAILED_NEEDS_ATTENTION;
    if (undoOnFailure) {
      boolean clean = true;
      List<Phase> undone = new ArrayList<>();
      // touched is a stack: the failed phase first, then back to the first phase that ran.
      for (Phase phase : touched) {
        if (undo(context, phase, false, failure)) {
          if (phase.hasAfterUndo()) {
            undone.add(0, phase);
          }
        } else {
          clean = false;
        }
      }
      // Forward order: a restart starts the product only once current is back. After a failed
      // undo the node is in no known state: leave it to a person rather than start anything.
      for (Phase phase : clean ? undone : List.<Phase>of()) {
        clean &= undo(context, phase, true, failure);
      }
      if (clean) {
        status = NodeOutcome.Status.FAILED_ROLLED_BACK;
      }
    }
    return new NodeOutcome(
        node,
        status,
        Optional.of(failedPhase),
        failure.getMessage(),
        durations,
        Optional.of(failure));
  }

  /** Runs one undo step, records it, and attaches its failure to {@code original}. */
  private boolean undo(PhaseContext context, Phase phase, boolean after, PhaseFailure original) {
    String node = context.node().name();
    record.undoStarted(node, phase.id());
    Instant start = clock.instant();
    try {
      if (after) {
        phase.afterUndo(context);
      } else {
        phase.undo(context);
      }
    } catch (PhaseFailure | TransportException e) {
      PhaseFailure failure = asFailure(phase.id(), e);
      record.undoEnded(
          node,
          phase.id(),
          Outcome.FAILED,
          Duration.between(start, clock.instant()),
          failure.getMessage());
      original.addSuppressed(failure);
      return false;
    }
    record.undoEnded(node, phase.id(), Outcome.OK, Duration.between(start, clock.instant()), "");
    return true;
  }

  private static PhaseFailure asFailure(PhaseId phase, RuntimeException e) {
    return e instanceof PhaseFailure failure ? failure : new PhaseFailure(phase, e.getMessage(), e);
  }
}
