package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.model.PhaseId;

/**
 * Migrates the node's state to the new release with the plan's migrate command, within the start
 * time limit (a migration runs as part of bringing the new release up). Never "done": the command
 * itself must be safe to repeat. No undo here: a migration cannot be reversed by a command; a
 * failed or half-applied migrate is undone by restoring the backup taken before the install, which
 * is {@link BackupPhase}'s undo (it runs before this phase, so the runner undoes it after).
 */
public final class MigratePhase implements Phase {

  @Override
  public PhaseId id() {
    return PhaseId.MIGRATE;
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
}
