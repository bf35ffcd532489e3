package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.model.PhaseId;
import io.hoist.plan.Step;
import java.util.Optional;

/**
 * Stops the product with the plan's stop command, within the stop time limit, before the backup and
 * the switch. Never "done": the stop command must be safe to repeat. Its undo is the bring-up of a
 * rolled-back node ({@link #afterUndo}): once every later phase is undone ({@code current} back on
 * the previous release, the backup restored), start the previous release and wait until it is
 * healthy, with the plan's rollback commands.
 */
public final class StopPhase implements Phase {

  @Override
  public PhaseId id() {
    return PhaseId.STOP;
  }

  @Override
  public boolean isDone(PhaseContext context) {
    return false;
  }

  @Override
  public void run(PhaseContext context) {
    for (ShellCommand command : context.requireStep(id()).commands()) {
      context.execOrFail(id(), command, context.timeouts().stop());
    }
  }

  @Override
  public boolean hasAfterUndo(PhaseContext context) {
    return true;
  }

  @Override
  public void afterUndo(PhaseContext context) {
    bringUp(context, id());
  }

  /**
   * Starts the previous release (when a start command is defined) and waits until it is healthy
   * (when a health check or a version command is defined), recorded as {@code phase}.
   */
  static void bringUp(PhaseContext context, PhaseId phase) {
    Optional<Step> start = context.steps().rollbackStep(PhaseId.START);
    if (start.isPresent()) {
      for (ShellCommand command : start.get().commands()) {
        context.execOrFail(phase, command, context.timeouts().start());
      }
    }
    Optional<Step> check = context.steps().rollbackStep(PhaseId.POST_VALIDATE);
    if (check.isPresent()) {
      HealthWait.await(
          context, phase, check.get().commands().get(0), context.steps().from(), Optional.empty());
    }
  }
}
