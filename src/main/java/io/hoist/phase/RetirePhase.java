package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.error.InterruptedRunException;
import io.hoist.model.PhaseId;
import io.hoist.transport.ExecResult;
import java.time.Duration;
import java.util.List;

/**
 * Drains the node before it goes down: runs each of the plan's retire commands (one per retiring
 * role, in role order), each try within the command time limit. A retire command that exits
 * non-zero (or times out) has not drained yet: it is tried again every {@link #DRAIN_INTERVAL}
 * until it exits 0. The drain limit is the stop time limit ({@code timeouts.stop()}: draining is
 * the first part of taking the node down), counted per command as the time its tries took plus the
 * waits between them; a wait that would end past the limit is not started, and the phase fails with
 * "did not drain within …". Never "done". Undo runs the plan's rejoin commands (a node hoist
 * retired is rejoined on rollback, also when it drained only partly); none when no retiring role
 * rejoins.
 */
public final class RetirePhase implements Phase {

  /** The wait between tries of a retire command that has not drained yet. */
  public static final Duration DRAIN_INTERVAL = Duration.ofSeconds(5);

  @Override
  public PhaseId id() {
    return PhaseId.RETIRE;
  }

  @Override
  public boolean isDone(PhaseContext context) {
    return false;
  }

  @Override
  public void run(PhaseContext context) {
    for (ShellCommand command : context.requireStep(id()).commands()) {
      drain(context, command);
    }
  }

  private void drain(PhaseContext context, ShellCommand command) {
    Duration timeout = context.timeouts().command();
    Duration limit = context.timeouts().stop();
    ExecResult result = context.exec(id(), command, timeout);
    Duration spent = result.duration();
    int tries = 1;
    while (!result.isSuccess()) {
      if (spent.plus(DRAIN_INTERVAL).compareTo(limit) > 0) {
        String last = result.lastLine();
        throw new PhaseFailure(
            id(),
            "node "
                + context.node().name()
                + ", "
                + id().id()
                + ": `"
                + command.display()
                + "` did not drain within "
                + limit.toMillis()
                + "ms (the stop time limit; "
                + tries
                + (tries == 1 ? " try" : " tries")
                + ")"
                + (last.isEmpty() ? "" : ": " + last));
      }
      try {
        context.sleeper().sleep(DRAIN_INTERVAL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedRunException(
            "interrupted while waiting for node " + context.node().name() + " to drain");
      }
      result = context.exec(id(), command, timeout);
      spent = spent.plus(DRAIN_INTERVAL).plus(result.duration());
      tries++;
    }
  }

  @Override
  public boolean hasAfterUndo(PhaseContext context) {
    return context.steps().rollbackStep(PhaseId.REJOIN).isPresent();
  }

  /** Rejoins the node once the rollback brought it back up on the previous release. */
  @Override
  public void afterUndo(PhaseContext context) {
    List<ShellCommand> rejoin =
        context.steps().rollbackStep(PhaseId.REJOIN).map(s -> s.commands()).orElse(List.of());
    for (ShellCommand command : rejoin) {
      context.execOrFail(id(), command, context.timeouts().command());
    }
  }
}
