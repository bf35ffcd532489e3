package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.model.PhaseId;

/**
 * Starts the new release with the plan's start command, within the start time limit. Never "done".
 * Undo stops it again (the plan's stop command, when defined) so that the switch back and the
 * restore happen with the product down. When the plan has no stop phase nothing else brings the
 * node back up, so then this phase's {@link #afterUndo} starts the previous release and checks it
 * ({@link StopPhase#bringUp}); otherwise the stop phase does.
 */
public final class StartPhase implements Phase {

  @Override
  public PhaseId id() {
    return PhaseId.START;
  }

  @Override
  public boolean isDone(PhaseContext context) {
    return false;
  }

  @Override
  public void run(PhaseContext context) {
    for (ShellCommand command : context.requireStep(id()).commands()) {
      context.execOrFail(id(), command, context.timeouts().start());
    }
  }

  @Override
  public boolean hasUndo(PhaseContext context) {
    return context.step(PhaseId.STOP).isPresent();
  }

  @Override
  public void undo(PhaseContext context) {
    for (ShellCommand command :
        context.step(PhaseId.STOP).map(s -> s.commands()).orElse(java.util.List.of())) {
      context.execOrFail(id(), command, context.timeouts().stop());
    }
  }

  @Override
  public boolean hasAfterUndo(PhaseContext context) {
    return context.step(PhaseId.STOP).isEmpty();
  }

  @Override
  public void afterUndo(PhaseContext context) {
    StopPhase.bringUp(context, id());
  }
}
