package io.hoist.model;

import java.util.List;
import java.util.Objects;

/**
 * One machine of the cluster.
 *
 * @param name unique name in the cluster file ({@code [A-Za-z0-9][A-Za-z0-9._-]*})
 * @param transport how hoist reaches it
 * @param host host name or address for SSH (may be an alias of {@code ~/.ssh/config}); {@code null}
 *     for local nodes
 * @param roles its roles, in file order
 * @param ssh SSH settings, merged with the cluster's {@code ssh}
 * @param layout install layout, merged with the cluster's {@code layout}
 * @param commands the node's own command overrides (fields not set are {@code null})
 * @param zone its failure domain (rack, availability zone), or {@code null}
 */
public record Node(
    String name,
    TransportKind transport,
    String host,
    List<String> roles,
    SshSettings ssh,
    Layout layout,
    Commands commands,
    String zone) {

  /** A node in no zone. */
  public Node(
      String name,
      TransportKind transport,
      String host,
      List<String> roles,
      SshSettings ssh,
      Layout layout,
      Commands commands) {
    this(name, transport, host, roles, ssh, layout, commands, null);
  }

  public Node {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(transport, "transport");
    roles = List.copyOf(roles);
    Objects.requireNonNull(ssh, "ssh");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(commands, "commands");
  }

  /** Whether the node has this role. */
  public boolean hasRole(String role) {
    return roles.contains(role);
  }
}
