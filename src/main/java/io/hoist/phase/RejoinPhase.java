package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.model.PhaseId;

/**
 * Puts the node back into the cluster after the upgrade: runs the plan's rejoin commands (one per
 * retired role that has one, in role order), each within the command time limit. Never "done". No
 * undo: it is the last phase, and the retire phase's undo already rejoins a node on rollback.
 */
public final class RejoinPhase implements Phase {

  @Override
  public PhaseId id() {
    return PhaseId.REJOIN;
  }

  @Override
  public boolean isDone(PhaseContext context) {
    return false;
  }

  @Override
  public void run(PhaseContext context) {
    for (ShellCommand command : context.requireStep(id()).commands()) {
      context.execOrFail(id(), command, context.timeouts().command());
    }
  }
}
