package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.model.Commands;
import io.hoist.model.PhaseId;
import java.util.List;

/**
 * Stops the product within the stop time limit, then starts it within the start limit, with the
 * plan's commands (either may be undefined). Never "done": a restart is how the new release gets
 * running. Undo stops the product; {@link #afterUndo} starts it again once the earlier phases are
 * undone, so the previous release runs.
 */
public final class RestartPhase implements Phase {

  @Override
  public PhaseId id() {
    return PhaseId.RESTART;
  }

  @Override
  public boolean isDone(PhaseContext context) {
    return false;
  }

  @Override
  public void run(PhaseContext context) {
    stop(context);
    start(context);
  }

  @Override
  public void undo(PhaseContext context) {
    stop(context);
  }

  @Override
  public boolean hasAfterUndo() {
    return true;
  }

  @Override
  public void afterUndo(PhaseContext context) {
    start(context);
  }

  private void stop(PhaseContext context) {
    Commands commands = context.commands();
    if (commands.stop() != null) {
      context.execOrFail(id(), commands(context).get(0), context.timeouts().stop());
    }
  }

  private void start(PhaseContext context) {
    Commands commands = context.commands();
    if (commands.start() != null) {
      List<ShellCommand> runs = commands(context);
      context.execOrFail(id(), runs.get(runs.size() - 1), context.timeouts().start());
    }
  }

  /** The plan's restart commands: stop (when defined), then start (when defined). */
  private List<ShellCommand> commands(PhaseContext context) {
    return context.requireStep(id()).commands();
  }
}
