package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.command.ShellQuote;
import io.hoist.model.Layout;
import io.hoist.model.PhaseId;
import io.hoist.transport.ExecResult;
import java.util.List;

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

  /**
   * What the node prints, alone on stdout, when {@link #runUnlessDone} found {@code current}
   * already switched and ran nothing.
   */
  static final String ALREADY = "@@hoist-install-done@@";

  @Override
  public boolean isDone(PhaseContext context) {
    return context
        .exec(id(), ShellCommand.of(check(context)), context.timeouts().command())
        .isSuccess();
  }

  /** Exits 0 when {@code current} points at the target's release directory. */
  private static String check(PhaseContext context) {
    Layout layout = context.node().layout();
    String release = ShellQuote.quote(layout.releaseDir(context.steps().to()));
    // Both resolved: current may be a relative link (releases/1.1.0), or the home a symlink.
    return "test -d "
        + release
        + " && test \"$(readlink -f "
        + ShellQuote.quote(layout.currentLink())
        + ")\" = \"$(readlink -f "
        + release
        + ")\"";
  }

  @Override
  public void run(PhaseContext context) {
    for (ShellCommand command : context.requireStep(id()).commands()) {
      context.execOrFail(id(), command, context.timeouts().switchRelease());
    }
  }

  @Override
  public boolean checksAsItRuns() {
    return true;
  }

  /**
   * The check ({@link #isDone}) and the first install command in one command on the node: when
   * {@code current} already points at the target's release (a resumed run whose crashed run had
   * switched it) the node prints {@link #ALREADY} and runs nothing; else it runs the command, then
   * the others (a role's install list) run as in {@link #run}. One command less on every node's way
   * than the check and the switch apart.
   */
  @Override
  public boolean runUnlessDone(PhaseContext context) {
    List<ShellCommand> commands = context.requireStep(id()).commands();
    if (commands.isEmpty()) {
      return isDone(context);
    }
    ShellCommand first = commands.get(0);
    ExecResult result =
        context.execOrFail(
            id(),
            ShellCommand.masked(
                "if "
                    + check(context)
                    + "; then\n  echo "
                    + ALREADY
                    + "\n  exit 0\nfi\n"
                    + first.script(),
                first.display()),
            context.timeouts().switchRelease());
    if (result.stdoutTail().strip().equals(ALREADY)) { // execOrFail: it exited 0
      return true;
    }
    for (ShellCommand command : commands.subList(1, commands.size())) {
      context.execOrFail(id(), command, context.timeouts().switchRelease());
    }
    return false;
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
