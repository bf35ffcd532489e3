package io.hoist.backup;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One backup of a node kept on the core node.
 *
 * @param node the node's name
 * @param from the version the node ran when it was taken
 * @param to the version the node was being upgraded to
 * @param created when it was taken
 * @param dir its directory in the store ({@code root/NODE/TIMESTAMP-FROM-TO})
 * @param archive the gzip tar archive in {@code dir}
 * @param sha256 the archive's sha256 (lower-case hex)
 * @param paths the absolute paths on the node it holds
 * @param entries every entry of the archive, as read back
 * @param nodeHome the node's home directory, where the archive is staged on the node
 */
public record Backup(
    String node,
    String from,
    String to,
    Instant created,
    Path dir,
    Path archive,
    String sha256,
    List<String> paths,
    List<Entry> entries,
    String nodeHome) {

  public Backup {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(archive, "archive");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(nodeHome, "nodeHome");
    paths = List.copyOf(paths);
    entries = List.copyOf(entries);
  }

  /**
   * One entry of the archive.
   *
   * @param path its path relative to {@code /}, as in the archive
   * @param type {@code file}, {@code dir} or {@code link}
   * @param size the content's size in bytes (0 for a directory or link)
   * @param sha256 the content's sha256 ({@code -} for a directory or link)
   */
  public record Entry(String path, String type, long size, String sha256) {

    public Entry {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(sha256, "sha256");
    }
  }
}
