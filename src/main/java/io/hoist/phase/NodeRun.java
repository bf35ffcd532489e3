package io.hoist.phase;

import io.hoist.command.NodeMarker;
import io.hoist.error.TransportException;
import io.hoist.model.PhaseId;
import io.hoist.transport.ExecResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One node's way through its phases, one phase at a time, so that a caller can run a phase on every
 * node before the next (one-shot mode) or all of a node's phases in a row ({@link
 * PhaseRunner#run}).
 *
 * <p>{@link #step} records "started", then either {@link Outcome#SKIPPED_DONE} when the phase's
 * effect is already present, or runs it, timed, and records {@link Outcome#OK} or {@link
 * Outcome#FAILED}. After a failure no further phase runs; {@link #rollBack} undoes the failed phase
 * and every phase that ran before it, in reverse order, then (when every undo succeeded) runs their
 * {@link Phase#afterUndo} steps, again in reverse order, each recorded. The failed phase is undone
 * too because it may have half-happened (a start that timed out); phases must tolerate that. The
 * outcome keeps the original failure; undo failures are attached to it as suppressed exceptions and
 * make the node {@link NodeOutcome.Status#FAILED_NEEDS_ATTENTION}.
 *
 * <p>What hoist changed is recorded so that only that is put back: {@link RunRecord#retired} just
 * before the retire phase acts (when the node has rejoin commands), {@link RunRecord#rejoined} when
 * the rejoin phase, or the retire's after-undo, succeeded. With a {@link NodeMarker} (a run's
 * runner), the marker is written on the node before its first changing phase: by the first phase
 * that {@link Phase#takesMarkerClaim takes it} (the version check, in its own command, ahead of the
 * version command), else in a command of its own as the first changing phase starts. A failure to
 * write it fails that phase before anything ran. It is removed by {@link #finish} unless the node
 * needs attention; a node whose run stops by an exception (interrupt, kill) keeps it.
 *
 * <p>A phase that {@link Phase#checksAsItRuns checks as it runs} (the install: its "already
 * switched?" check and its switch are one command) counts as touched from its start.
 *
 * <p>Not thread-safe: one thread drives one node at a time. Only bugs and interruption ({@link
 * io.hoist.error.InterruptedRunException}) throw.
 */
public final class NodeRun {

  private static final io.hoist.transport.OutputSink NONE = io.hoist.transport.OutputSink.NONE;

  /** How one {@link #step} ended. */
  public enum Result {
    /** The phase ran and succeeded. */
    RAN,
    /** The phase's effect was already present. */
    SKIPPED,
    /** The node is already done (at the target): its other phases must not run. */
    NODE_DONE,
    /** The phase failed: {@link #rollBack} or leave the node. */
    FAILED
  }

  private final PhaseContext context;
  private final RunRecord record;
  private final Clock clock;
  private final String node;
  private final Map<PhaseId, Duration> durations = new LinkedHashMap<>();
  private final Deque<Phase> touched = new ArrayDeque<>();
  private boolean anyRan;
  private boolean nodeDone;
  private PhaseId failedPhase;
  private PhaseFailure failure;
  private NodeOutcome.Status rolledBack;
  private final NodeMarker marker;
  private boolean markerWritten;

  NodeRun(PhaseContext context, RunRecord record, Clock clock, NodeMarker marker) {
    this.context = context.withRecord(record);
    this.record = record;
    this.clock = clock;
    this.node = context.node().name();
    this.marker = marker;
    record.nodeStarted(node, context.steps().from(), context.steps().to());
  }

  /**
   * How the node ended, recorded as its end ({@link RunRecord#nodeEnded}); call once. The node
   * marker this run wrote is removed when the node ended in a clean state (upgraded, rolled back or
   * reverted cleanly, or unchanged); it stays when the node needs attention.
   */
  public NodeOutcome finish() {
    NodeOutcome outcome = outcome();
    if (markerWritten && outcome.status() != NodeOutcome.Status.FAILED_NEEDS_ATTENTION) {
      removeMarker();
    }
    record.nodeEnded(outcome);
    return outcome;
  }

  /** Writes the node marker before the node's first changing phase. */
  private void writeMarker(PhaseId phase) {
    String home = context.node().layout().home();
    ExecResult result;
    try {
      result =
          context.transport().exec(marker.writeCommand(home), context.timeouts().command(), NONE);
    } catch (TransportException e) {
      throw new PhaseFailure(
          phase,
          "node "
              + node
              + ": cannot write the node marker "
              + NodeMarker.path(home)
              + ": "
              + e.getMessage(),
          e);
    }
    if (!result.isSuccess()) {
      throw MarkerClaim.unwritten(phase, node, home, result.lastLine());
    }
    markerWritten = true;
  }

  private void removeMarker() {
    String home = context.node().layout().home();
    String problem;
    try {
      ExecResult result =
          context.transport().exec(marker.removeCommand(home), context.timeouts().command(), NONE);
      if (result.isSuccess()) {
        markerWritten = false;
        return;
      }
      problem = result.lastLine();
    } catch (TransportException e) {
      problem = e.getMessage();
    }
    record.warning(
        node,
        failedPhase != null ? failedPhase : lastTouched(),
        "node "
            + node
            + ": cannot remove the node marker "
            + NodeMarker.path(home)
            + " ("
            + problem
            + "): remove it by hand once the node is checked");
  }

  /** Whether the node owes a rejoin once retired: it has rejoin commands. */
  private boolean rejoins() {
    return context.steps().step(PhaseId.REJOIN).isPresent()
        || context.steps().rollbackStep(PhaseId.REJOIN).isPresent();
  }

  /** The node's name. */
  public String node() {
    return node;
  }

  /** Runs one phase (nothing once the node is done or failed). */
  public Result step(Phase phase) {
    if (failure != null) {
      return Result.FAILED;
    }
    if (nodeDone) {
      return Result.NODE_DONE;
    }
    phase.mayStart(context);
    record.phaseStarted(node, phase.id());
    Instant start = clock.instant();
    MarkerClaim claim = null;
    try {
      if (marker != null && !markerWritten) {
        if (phase.takesMarkerClaim()) {
          // The version check reads only, but it comes first: its command writes the marker too,
          // saving the node a command. Counted as written unless the node says otherwise (after a
          // dropped connection the removal at the end is tried; it removes only this run's).
          claim = new MarkerClaim(marker, context.node().layout().home(), node);
          markerWritten = true;
        } else if (phase.id().changesTheNode()) {
          writeMarker(phase.id());
        }
      }
      if (phase.id() == PhaseId.RETIRE && rejoins()) {
        // Before the retire acts: one that runs half-way may already have drained the node.
        record.retired(node);
      }
      if (phase.checksAsItRuns()) {
        // Its check and its first command are one command: it may act before it answers.
        touched.push(phase);
        if (phase.runUnlessDone(context)) {
          record.phaseEnded(
              node, phase.id(), Outcome.SKIPPED_DONE, Duration.between(start, clock.instant()), "");
          return Result.SKIPPED;
        }
        anyRan = true;
      } else {
        boolean done = claim != null ? phase.isDone(context, claim) : phase.isDone(context);
        if (done) {
          record.phaseEnded(
              node, phase.id(), Outcome.SKIPPED_DONE, Duration.between(start, clock.instant()), "");
          if (phase.isDoneForTheNode() && !anyRan) {
            // Already at the target: nothing of the node is touched (kato's version check).
            nodeDone = true;
            return Result.NODE_DONE;
          }
          // Its effect is there (a resumed hop: the crashed run switched current): a rollback of
          // this hop undoes it too.
          touched.push(phase);
          return Result.SKIPPED;
        }
        anyRan = true;
        touched.push(phase);
        phase.run(context);
      }
    } catch (PhaseFailure | TransportException e) {
      if (claim != null && claim.unwritten()) {
        markerWritten = false;
      }
      failure = asFailure(phase.id(), e);
      failedPhase = phase.id();
      Duration took = Duration.between(start, clock.instant());
      durations.put(phase.id(), took);
      record.phaseEnded(node, phase.id(), Outcome.FAILED, took, failure.getMessage());
      return Result.FAILED;
    }
    Duration took = Duration.between(start, clock.instant());
    durations.put(phase.id(), took);
    record.phaseEnded(node, phase.id(), Outcome.OK, took, "");
    if (phase.id() == PhaseId.REJOIN) {
      record.rejoined(node);
    }
    return Result.RAN;
  }

  /** Whether a phase failed. */
  public boolean failed() {
    return failure != null;
  }

  /** Whether any phase ran (so that there is something to undo). */
  public boolean touchedAnything() {
    return !touched.isEmpty();
  }

  /**
   * Undoes every phase that ran, newest first, then brings the node back up. For a failed node this
   * is its rollback; for a healthy one (one-shot: another node failed) its revert, and {@code
   * cause} says why. Safe to call once.
   *
   * @param cause why a node that did not fail is reverted; ignored for a failed node
   */
  public void rollBack(String cause) {
    if (rolledBack != null) {
      throw new IllegalStateException("node " + node + " was already rolled back");
    }
    PhaseFailure reason = failure != null ? failure : new PhaseFailure(lastTouched(), cause);
    Set<PhaseId> ran = EnumSet.noneOf(PhaseId.class);
    touched.forEach(p -> ran.add(p.id()));
    PhaseContext undoing = context.withRan(ran);
    boolean clean = true;
    List<Phase> bringUp = new ArrayList<>();
    // touched is a stack: the newest phase first, back to the first phase that ran. The first
    // step that fails stops the rollback: the node is then in no known state, and a person is
    // better placed than a script to go on (nothing more is undone, started or rejoined).
    for (Phase phase : touched) {
      if (phase.hasUndo(undoing) && !undo(undoing, phase, false, reason)) {
        clean = false;
        break;
      }
      if (phase.hasAfterUndo(undoing)) {
        bringUp.add(phase);
      }
    }
    for (Phase phase : clean ? bringUp : List.<Phase>of()) {
      if (!undo(undoing, phase, true, reason)) {
        clean = false;
        break;
      }
    }
    if (failure == null && !clean) {
      // A revert that failed: the node now has a failure of its own.
      failure = reason;
    }
    rolledBack =
        !clean
            ? NodeOutcome.Status.FAILED_NEEDS_ATTENTION
            : failure != null ? NodeOutcome.Status.FAILED_ROLLED_BACK : NodeOutcome.Status.REVERTED;
    revertCause = failure == null || failedPhase == null ? cause : "";
  }

  private String revertCause = "";

  private PhaseId lastTouched() {
    return touched.isEmpty() ? PhaseId.VERSION_CHECK : touched.peek().id();
  }

  /** How the node ended, as far as it got. */
  public NodeOutcome outcome() {
    if (rolledBack == NodeOutcome.Status.REVERTED) {
      return new NodeOutcome(
          node, rolledBack, Optional.empty(), revertCause, durations, Optional.empty());
    }
    if (failure != null) {
      NodeOutcome.Status status =
          rolledBack != null ? rolledBack : NodeOutcome.Status.FAILED_NEEDS_ATTENTION;
      if (failedPhase != null && touched.stream().noneMatch(p -> p.id().changesTheNode())) {
        status = NodeOutcome.Status.FAILED_UNCHANGED;
      }
      return new NodeOutcome(
          node,
          status,
          Optional.ofNullable(failedPhase),
          failure.getMessage(),
          durations,
          Optional.of(failure));
    }
    return new NodeOutcome(
        node,
        anyRan ? NodeOutcome.Status.UPGRADED : NodeOutcome.Status.ALREADY_AT_TARGET,
        Optional.empty(),
        "",
        durations,
        Optional.empty());
  }

  /** Runs one undo step, records it, and attaches its failure to {@code original}. */
  private boolean undo(PhaseContext undoing, Phase phase, boolean after, PhaseFailure original) {
    record.undoStarted(node, phase.id());
    Instant start = clock.instant();
    try {
      if (after) {
        phase.afterUndo(undoing);
      } else {
        phase.undo(undoing);
      }
    } catch (PhaseFailure | TransportException e) {
      PhaseFailure undoFailure = asFailure(phase.id(), e);
      record.undoEnded(
          node,
          phase.id(),
          Outcome.FAILED,
          Duration.between(start, clock.instant()),
          undoFailure.getMessage());
      original.addSuppressed(undoFailure);
      return false;
    }
    record.undoEnded(node, phase.id(), Outcome.OK, Duration.between(start, clock.instant()), "");
    if (after && phase.id() == PhaseId.RETIRE) {
      // The retire's after-undo is the rejoin.
      record.rejoined(node);
    }
    return true;
  }

  private static PhaseFailure asFailure(PhaseId phase, RuntimeException e) {
    return e instanceof PhaseFailure f ? f : new PhaseFailure(phase, e.getMessage(), e);
  }
}
