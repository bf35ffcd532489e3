package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.model.PhaseId;
import io.hoist.transport.ExecResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every one of the plan's cluster checks on the node, each within the command time limit, all
 * of them even after one failed. When any failed the phase fails, listing each failed check with
 * its last output line; with {@code ignoreFailures} ({@code --ignore-inspect-failures}) it passes
 * instead and the same list is recorded as a warning ({@link PhaseContext#warn}). Never "done";
 * changes nothing, so it has no undo.
 */
public final class PreValidatePhase implements Phase {

  private final boolean ignoreFailures;

  /**
   * @param ignoreFailures {@code true} for {@code --ignore-inspect-failures}: failed checks are a
   *     warning, not a failure
   */
  public PreValidatePhase(boolean ignoreFailures) {
    this.ignoreFailures = ignoreFailures;
  }

  @Override
  public PhaseId id() {
    return PhaseId.PRE_VALIDATE;
  }

  @Override
  public boolean isDone(PhaseContext context) {
    return false;
  }

  @Override
  public void run(PhaseContext context) {
    List<ShellCommand> checks = context.requireStep(id()).commands();
    Duration timeout = context.timeouts().command();
    List<String> failed = new ArrayList<>();
    for (ShellCommand check : checks) {
      ExecResult result = context.exec(id(), check, timeout);
      if (!result.isSuccess()) {
        String how =
            result.timedOut()
                ? "timed out after " + timeout.toMillis() + "ms"
                : "exited " + result.exitCode();
        String last = result.lastLine();
        failed.add(
            "`" + check.display() + "` " + how + (last.isEmpty() ? " (no output)" : ": " + last));
      }
    }
    if (failed.isEmpty()) {
      return;
    }
    String message =
        "node "
            + context.node().name()
            + ", "
            + id().id()
            + ": "
            + failed.size()
            + " of "
            + checks.size()
            + (checks.size() == 1 ? " check" : " checks")
            + " failed: "
            + String.join("; ", failed);
    if (ignoreFailures) {
      context.warn(id(), message + " (ignored: --ignore-inspect-failures)");
      return;
    }
    throw new PhaseFailure(id(), message);
  }
}
