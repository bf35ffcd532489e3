package io.hoist.model;

import java.util.List;

/**
 * What to archive on a node before each install.
 *
 * @param paths absolute paths on the node; {@code ${home}} and {@code ${node}} in them stand for
 *     the node's install home and name ({@link #pathsFor})
 * @param keep how many backups per node to keep on the core node
 */
public record Backup(List<String> paths, int keep) {

  public Backup {
    paths = List.copyOf(paths);
  }

  /** The variables a path may use. */
  public static final List<String> VARIABLES = List.of("home", "node");

  /** The paths on {@code node}: {@code ${home}} and {@code ${node}} replaced. */
  public List<String> pathsFor(Node node) {
    return paths.stream()
        .map(p -> p.replace("${home}", node.layout().home()).replace("${node}", node.name()))
        .toList();
  }

  /** Nothing to back up. */
  public static Backup none() {
    return new Backup(List.of(), 3);
  }
}
