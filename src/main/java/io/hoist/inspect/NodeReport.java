package io.hoist.inspect;

import io.hoist.command.NodeMarker;
import java.util.List;
import java.util.Objects;

/**
 * Every check of one node, in the order they ran.
 *
 * @param node the node's name
 * @param address where it was reached ({@code user@host:port}, or {@code local})
 * @param version the running version when it could be read, else {@code null}
 * @param checks the results
 * @param marker the node marker ({@code HOME/.hoist/ongoing}) as read with the version command;
 *     {@link NodeMarker.Read.Kind#UNKNOWN} when that command did not run or did not get that far
 */
public record NodeReport(
    String node, String address, String version, List<CheckResult> checks, NodeMarker.Read marker) {

  public NodeReport {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(address, "address");
    checks = List.copyOf(checks);
    Objects.requireNonNull(marker, "marker");
  }

  /** A report whose marker was not read. */
  public NodeReport(String node, String address, String version, List<CheckResult> checks) {
    this(node, address, version, checks, NodeMarker.Read.unknown("node not reachable"));
  }

  /**
   * Whether no check failed: every check passed or was skipped for having nothing to check (a node
   * that was not reachable failed its {@code reachable} check).
   */
  public boolean isOk() {
    return checks.stream().noneMatch(c -> c.status() == CheckStatus.FAIL);
  }
}
