package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.model.PhaseId;
import io.hoist.transport.ExecResult;

/**
 * Reads the running version with the plan's version command. The node must print the plan's {@code
 * from} version; when it prints the {@code to} version it is already at the target, so the phase is
 * done and, unless forced, so is the node's whole upgrade ({@link #isDoneForTheNode()}). Anything
 * else (another version, or the command failing) fails the phase: the plan no longer matches the
 * node and must be made again. Changes nothing, so it has no undo.
 */
public final class VersionCheckPhase implements Phase {

  private final boolean force;

  /** A version check; already at the target ends the node's upgrade there. */
  public VersionCheckPhase() {
    this(false);
  }

  /**
   * @param force {@code --force}: a node already at the target is upgraded again (reinstalled), so
   *     being there does not end its upgrade
   */
  public VersionCheckPhase(boolean force) {
    this.force = force;
  }

  @Override
  public boolean isDoneForTheNode() {
    return !force;
  }

  @Override
  public PhaseId id() {
    return PhaseId.VERSION_CHECK;
  }

  @Override
  public boolean isDone(PhaseContext context) {
    ExecResult result = context.exec(id(), command(context), context.timeouts().command());
    return result.isSuccess() && result.lastLine().equals(context.steps().to());
  }

  @Override
  public void run(PhaseContext context) {
    ShellCommand command = command(context);
    ExecResult result = context.execOrFail(id(), command, context.timeouts().command());
    String running = result.lastLine();
    String from = context.steps().from();
    if (running.equals(from) || running.equals(context.steps().to())) {
      return;
    }
    throw new PhaseFailure(
        id(),
        "node "
            + context.node().name()
            + ", "
            + id().id()
            + ": node runs "
            + (running.isEmpty()
                ? "nothing (`" + command.display() + "` printed nothing)"
                : running)
            + ", the plan expected "
            + from
            + "; re-plan");
  }

  private ShellCommand command(PhaseContext context) {
    return context.requireStep(id()).commands().get(0);
  }
}
