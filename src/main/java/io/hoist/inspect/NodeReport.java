package io.hoist.inspect;

import java.util.List;
import java.util.Objects;

/**
 * Every check of one node, in the order they ran.
 *
 * @param node the node's name
 * @param address where it was reached ({@code user@host:port}, or {@code local})
 * @param version the running version when it could be read, else {@code null}
 * @param checks the results
 */
public record NodeReport(String node, String address, String version, List<CheckResult> checks) {

  public NodeReport {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(address, "address");
    checks = List.copyOf(checks);
  }

  /** Whether every check passed. */
  public boolean isOk() {
    return checks.stream().allMatch(c -> c.status() == CheckStatus.PASS);
  }
}
