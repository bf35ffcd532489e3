package io.hoist.bench;

import io.hoist.testing.SimulatedNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A generated cluster of {@code n} nodes for the scale benchmark, and its simulated nodes.
 *
 * <p>Roles: {@code edge} (retires and rejoins), {@code app} and {@code worker}, each upgraded up to
 * {@code maxParallel} nodes at a time, and {@code db}: serial, five nodes, {@code db-3} the leader,
 * with a migration. {@code role_order: [edge, app, worker, db]}. The non-db nodes take their role
 * from their index (3 in 10 edge, 4 app, 3 worker) and every 25th worker is also an app node (so
 * app places it); the db nodes sit in the middle of the file. Every node runs {@code FROM} and has
 * {@code TO} staged already, so staging is its probe only. Every phase command is a {@code sim}
 * command ({@link io.hoist.testing.SimulatedTransport}); one pre-validation check, a health check,
 * no backup, no hooks, settle 0.
 */
final class ScaleCluster {

  static final String FROM = "1.0.0";
  static final String TO = "1.1.0";
  static final String HOME = "/opt/acme";
  static final int DB_NODES = 5;
  static final String LEADER = "db-3";

  /** A node's name and roles, in file order. */
  record Member(String name, List<String> roles) {}

  private ScaleCluster() {}

  /** The nodes, in file order. */
  static List<Member> members(int n) {
    if (n <= DB_NODES) {
      throw new IllegalArgumentException("at least " + (DB_NODES + 1) + " nodes, not " + n);
    }
    int others = n - DB_NODES;
    List<Member> members = new ArrayList<>(n);
    for (int i = 0; i < others; i++) {
      if (i == others / 2) {
        for (int d = 1; d <= DB_NODES; d++) {
          members.add(new Member("db-" + d, List.of("db")));
        }
      }
      int slot = i % 10;
      String role = slot < 3 ? "edge" : slot < 7 ? "app" : "worker";
      List<String> roles =
          role.equals("worker") && i % 25 == 9 ? List.of("worker", "app") : List.of(role);
      members.add(new Member(role + "-" + (i + 1), roles));
    }
    return members;
  }

  /** Writes the cluster file; returns its path. */
  static Path write(Path file, int n, Path repository, Path cache, int maxParallel) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("cluster: scale\n")
        .append("release:\n")
        .append("  repository: file:")
        .append(repository)
        .append("\n  bundle: acme-${version}.tar.gz\n  cache: ")
        .append(cache)
        .append("\nssh: { user: hoist }\n")
        .append("layout: { home: ")
        .append(HOME)
        .append(" }\n")
        .append("role_order: [edge, app, worker, db]\n")
        .append("roles:\n")
        .append("  edge: { max_parallel: ")
        .append(maxParallel)
        .append(", retire: \"sim retire ${node}\", rejoin: \"sim rejoin ${node}\" }\n")
        .append("  app: { max_parallel: ")
        .append(maxParallel)
        .append(" }\n")
        .append("  worker: { max_parallel: ")
        .append(maxParallel)
        .append(" }\n")
        .append("  db:\n")
        .append("    serial: true\n")
        .append("    settle: 0s\n")
        .append("    leader: \"sim leader\"\n")
        .append("    commands: { migrate: \"sim migrate --to ${version}\" }\n")
        .append("commands:\n")
        .append("  version: \"cat ${home}/current/VERSION\"\n")
        .append("  stop: \"sim stop\"\n")
        .append("  start: \"sim start\"\n")
        .append("  health: { run: \"sim health\", retries: 3, interval: 1s }\n")
        .append("checks:\n")
        .append("  - { name: ready, run: \"sim check\" }\n")
        .append("nodes:\n");
    for (Member m : members(n)) {
      yaml.append("  - { name: ")
          .append(m.name())
          .append(", host: ")
          .append(m.name())
          .append(".sim, roles: [")
          .append(String.join(", ", m.roles()))
          .append("] }\n");
    }
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** The simulated nodes of the cluster: every one on {@link #FROM} with {@link #TO} staged. */
  static SimulatedNodes nodes(int n, SimulatedNodes nodes) {
    for (Member m : members(n)) {
      nodes.node(m.name(), HOME, FROM, Set.of(TO), m.name().equals(LEADER));
    }
    return nodes;
  }
}
