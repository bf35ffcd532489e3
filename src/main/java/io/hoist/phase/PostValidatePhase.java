package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.error.InterruptedRunException;
import io.hoist.model.HealthCheck;
import io.hoist.model.PhaseId;
import io.hoist.transport.ExecResult;
import java.time.Duration;

/**
 * Waits until the node is healthy: runs the plan's health command up to {@code retries + 1} times,
 * {@code interval} apart, each try within the command time limit. Without a health check the plan's
 * step is the version command, which must print the target version (one try). Never "done"; changes
 * nothing, so it has no undo.
 */
public final class PostValidatePhase implements Phase {

  @Override
  public PhaseId id() {
    return PhaseId.POST_VALIDATE;
  }

  @Override
  public boolean isDone(PhaseContext context) {
    return false;
  }

  @Override
  public void run(PhaseContext context) {
    ShellCommand command = context.requireStep(id()).commands().get(0);
    Duration timeout = context.timeouts().command();
    if (context.health().isEmpty()) {
      ExecResult result = context.execOrFail(id(), command, timeout);
      String to = context.steps().to();
      if (!result.lastLine().equals(to)) {
        throw new PhaseFailure(
            id(),
            "node "
                + context.node().name()
                + ", "
                + id().id()
                + ": `"
                + command.display()
                + "` printed "
                + (result.lastLine().isEmpty() ? "nothing" : result.lastLine())
                + ", not "
                + to);
      }
      return;
    }
    HealthCheck health = context.health().get();
    ExecResult result = context.exec(id(), command, timeout);
    for (int retry = 1; !result.isSuccess() && retry <= health.retries(); retry++) {
      try {
        context.sleeper().sleep(health.interval());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedRunException(
            "interrupted while waiting for node " + context.node().name() + " to become healthy");
      }
      result = context.exec(id(), command, timeout);
    }
    if (!result.isSuccess()) {
      throw new PhaseFailure(
          id(),
          context.failureMessage(id(), command, timeout, result)
              + " (after "
              + (health.retries() + 1)
              + " tries)");
    }
  }
}
