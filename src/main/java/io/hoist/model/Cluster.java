package io.hoist.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A whole cluster file, validated, with defaults applied.
 *
 * @param name the cluster's name ({@code cluster:})
 * @param release where releases come from and how versions may be reached
 * @param commands the default commands; roles and nodes override them field by field
 * @param roleOrder the upgrade order of roles ({@code role_order:}); roles not in it go last
 * @param roles every role the file defines, in file order (roles named only in {@code role_order}
 *     or on a node get a role with default settings)
 * @param checks pre-validation checks run on every node ({@code checks:})
 * @param backup what to back up on each node before an install
 * @param hooks commands run on the core node around a cluster run
 * @param timeouts default time limits
 * @param secrets names of environment variables on the core node usable as {@code ${secret.NAME}};
 *     their values are masked in every rendering
 * @param nodes the nodes, in file order, with {@code ssh} and {@code layout} already merged with
 *     the cluster defaults
 * @param notAfter the default end of a maintenance window ({@code not_after:}, the syntax of {@code
 *     --not-after}, read when a run starts), or null
 */
public record Cluster(
    String name,
    Release release,
    Commands commands,
    List<String> roleOrder,
    List<Role> roles,
    List<Check> checks,
    Backup backup,
    Hooks hooks,
    Timeouts timeouts,
    List<String> secrets,
    List<Node> nodes,
    String notAfter) {

  /** A cluster with no maintenance window. */
  public Cluster(
      String name,
      Release release,
      Commands commands,
      List<String> roleOrder,
      List<Role> roles,
      List<Check> checks,
      Backup backup,
      Hooks hooks,
      Timeouts timeouts,
      List<String> secrets,
      List<Node> nodes) {
    this(
        name, release, commands, roleOrder, roles, checks, backup, hooks, timeouts, secrets, nodes,
        null);
  }

  public Cluster {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(commands, "commands");
    roleOrder = List.copyOf(roleOrder);
    roles = List.copyOf(roles);
    checks = List.copyOf(checks);
    Objects.requireNonNull(backup, "backup");
    Objects.requireNonNull(hooks, "hooks");
    Objects.requireNonNull(timeouts, "timeouts");
    secrets = List.copyOf(secrets);
    nodes = List.copyOf(nodes);
  }

  /** The node with this name. */
  public Optional<Node> node(String nodeName) {
    return nodes.stream().filter(n -> n.name().equals(nodeName)).findFirst();
  }

  /** The role with this name. */
  public Optional<Role> role(String roleName) {
    return roles.stream().filter(r -> r.name().equals(roleName)).findFirst();
  }

  /**
   * The serial (quorum) role that constrains a node, whatever role places it: the earliest of its
   * serial roles in {@code order}, else its first serial role; empty when it has none.
   */
  public Optional<Role> serialRole(Node node, List<String> order) {
    return node.roles().stream()
        .map(this::role)
        .flatMap(Optional::stream)
        .filter(Role::serial)
        .min(
            (a, b) ->
                Integer.compare(
                    order.contains(a.name()) ? order.indexOf(a.name()) : Integer.MAX_VALUE,
                    order.contains(b.name()) ? order.indexOf(b.name()) : Integer.MAX_VALUE));
  }

  /**
   * The commands in force on a node: the cluster defaults, overlaid by each of the node's roles
   * (the role that comes first in {@code order} wins), overlaid by the node's own commands.
   *
   * @param order the role order in force (the file's, or {@code --role-order})
   */
  public Commands commandsFor(Node node, List<String> order) {
    List<String> nodeRoles = new ArrayList<>(node.roles());
    nodeRoles.sort(
        (a, b) ->
            Integer.compare(
                order.contains(a) ? order.indexOf(a) : Integer.MAX_VALUE,
                order.contains(b) ? order.indexOf(b) : Integer.MAX_VALUE));
    Commands effective = commands;
    for (int i = nodeRoles.size() - 1; i >= 0; i--) {
      Optional<Role> role = role(nodeRoles.get(i));
      if (role.isPresent()) {
        effective = effective.overlay(role.get().commands());
      }
    }
    return effective.overlay(node.commands());
  }

  /** This cluster with other time limits (the command line's overrides). */
  public Cluster withTimeouts(Timeouts other) {
    return new Cluster(
        name, release, commands, roleOrder, roles, checks, backup, hooks, other, secrets, nodes,
        notAfter);
  }
}
