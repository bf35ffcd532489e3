package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.model.PhaseId;
import io.hoist.transport.ExecResult;
import java.time.Duration;

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

  /**
   * Reads the running version, once, and answers for it: at the target, done (and, without {@code
   * --force}, so is the node); at the plan's {@code from}, not done; any other version, or none, is
   * refused here (a {@link PhaseFailure}, which the runner records as this phase's failure). One
   * read serves the check and the answer: reading it again in {@link #run} cost one command per
   * node.
   */
  @Override
  public boolean isDone(PhaseContext context) {
    return isDone(context, null);
  }

  /** The first command of a node's way, and it reads only: it writes the node marker too. */
  @Override
  public boolean takesMarkerClaim() {
    return true;
  }

  /**
   * As {@link #isDone(PhaseContext)}, with the node marker's write ahead of the version command in
   * the same command when {@code claim} is given (a node's first phase: see {@link NodeRun#step}).
   */
  @Override
  public boolean isDone(PhaseContext context, MarkerClaim claim) {
    ShellCommand command = command(context);
    Duration timeout = context.timeouts().command();
    ExecResult result =
        context.exec(id(), claim == null ? command : claim.before(command), timeout);
    if (claim != null) {
      claim.check(id(), result);
    }
    if (!result.isSuccess()) {
      throw new PhaseFailure(id(), context.failureMessage(id(), command, timeout, result));
    }
    String running = result.lastLine();
    if (running.equals(context.steps().to())) {
      return true;
    }
    if (running.equals(context.steps().from())) {
      return false;
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
            + context.steps().from()
            + "; re-plan");
  }

  /**
   * Nothing left to do: the runner calls {@link #isDone} first, which read the version and refused
   * any other than the plan's.
   */
  @Override
  public void run(PhaseContext context) {}

  private ShellCommand command(PhaseContext context) {
    return context.requireStep(id()).commands().get(0);
  }
}
