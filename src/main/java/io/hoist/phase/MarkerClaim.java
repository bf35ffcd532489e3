package io.hoist.phase;

import io.hoist.command.NodeMarker;
import io.hoist.command.ShellCommand;
import io.hoist.model.PhaseId;
import io.hoist.transport.ExecResult;

/**
 * The node marker's write, run in the same command as a phase's first command and ahead of it
 * ({@link NodeMarker#writeBefore}): {@link NodeRun} hands one to a phase that {@link
 * Phase#takesMarkerClaim takes it} (the version check, the first command of a node's way), so that
 * claiming the node costs no command of its own.
 */
public final class MarkerClaim {

  private final NodeMarker marker;
  private final String home;
  private final String node;
  private boolean unwritten;

  MarkerClaim(NodeMarker marker, String home, String node) {
    this.marker = marker;
    this.home = home;
    this.node = node;
  }

  /** {@code command} with the marker's write ahead of it. */
  public ShellCommand before(ShellCommand command) {
    return marker.writeBefore(home, command);
  }

  /**
   * Reads the result of {@link #before}'s command.
   *
   * @throws PhaseFailure when the node said the marker could not be written (its command did not
   *     run, nothing was changed)
   */
  public void check(PhaseId phase, ExecResult result) {
    for (String line : result.stdoutTail().split("\n", -1)) {
      if (line.equals(NodeMarker.UNWRITTEN)) {
        unwritten = true;
        throw unwritten(phase, node, home, lastLine(result.stderrTail()));
      }
    }
  }

  /**
   * The failure of a phase before which the node marker could not be written: "node N: cannot write
   * the node marker PATH (nothing was changed on the node): REASON".
   */
  static PhaseFailure unwritten(PhaseId phase, String node, String home, String reason) {
    return new PhaseFailure(
        phase,
        "node "
            + node
            + ": cannot write the node marker "
            + NodeMarker.path(home)
            + " (nothing was changed on the node)"
            + (reason.isEmpty() ? "" : ": " + reason));
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  /** Whether the node said the marker could not be written. */
  boolean unwritten() {
    return unwritten;
  }
}
