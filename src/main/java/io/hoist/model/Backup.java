package io.hoist.model;

import java.util.List;

/**
 * What to archive on a node before each install.
 *
 * @param paths absolute paths on the node
 * @param keep how many backups per node to keep on the core node
 */
public record Backup(List<String> paths, int keep) {

  public Backup {
    paths = List.copyOf(paths);
  }

  /** Nothing to back up. */
  public static Backup none() {
    return new Backup(List.of(), 3);
  }
}
