package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.command.ShellQuote;
import io.hoist.model.Layout;
import io.hoist.model.PhaseId;
import io.hoist.transport.ExecResult;

/**
 * Switches the node to the new release with the plan's install commands (the atomic switch of
 * {@code current}, or the role's install command). Done when {@code current} already points at the
 * target's release directory. Undo switches {@code current} back to the previous release the same
 * atomic way (a temporary link renamed over it), failing when that release's directory is gone.
 */
public final class InstallPhase implements Phase {

  @Override
  public PhaseId id() {
    return PhaseId.INSTALL;
  }

  @Override
  public boolean isDone(PhaseContext context) {
    Layout layout = context.node().layout();
    String release = ShellQuote.quote(layout.releaseDir(context.steps().to()));
    // Both resolved: current may be a relative link (releases/1.1.0), or the home a symlink.
    ExecResult result =
        context.exec(
            id(),
            ShellCommand.of(
                "test -d "
                    + release
                    + " && test \"$(readlink -f "
                    + ShellQuote.quote(layout.currentLink())
                    + ")\" = \"$(readlink -f "
                    + release
                    + ")\""),
            context.timeouts().command());
    return result.isSuccess();
  }

  @Override
  public void run(PhaseContext context) {
    for (ShellCommand command : context.requireStep(id()).commands()) {
      context.execOrFail(id(), command, context.timeouts().switchRelease());
    }
  }

  @Override
  public boolean hasUndo(PhaseContext context) {
    return true;
  }

  @Override
  public void undo(PhaseContext context) {
    context.execOrFail(
        id(), switchTo(context, context.steps().from()), context.timeouts().switchRelease());
  }

  private static ShellCommand switchTo(PhaseContext context, String version) {
    Layout layout = context.node().layout();
    String dir = ShellQuote.quote(layout.releaseDir(version));
    String tmp = ShellQuote.quote(layout.home() + "/.current.hoist-tmp");
    // rename(2) replaces current in one step: no moment without a current link.
    return ShellCommand.of(
        "if ! test -d "
            + dir
            + "; then echo "
            + ShellQuote.quote("the release directory " + layout.releaseDir(version) + " is gone")
            + " >&2; exit 1; fi && ln -sfn "
            + dir
            + " "
            + tmp
            + " && mv -Tf "
            + tmp
            + " "
            + ShellQuote.quote(layout.currentLink()));
  }
}
