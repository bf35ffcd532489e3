package io.hoist.journal;

import io.hoist.error.UsageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * hoist's state directory (journals, node logs, backups, locks) must be its user's alone, as
 * OpenSSH's {@code StrictModes} asks of {@code ~/.ssh}: whoever can write it can replace a backup
 * and its manifest before a rollback restores them to the nodes, or plant links that hoist (often
 * root) would write through. hoist creates it 0700; one that exists already must be owned by the
 * user hoist runs as and writable by nobody else. A symbolic link to such a directory is fine.
 */
public final class StateDir {

  private StateDir() {}

  /**
   * Returns {@code dir} when it does not exist yet or is safe to use.
   *
   * @param user the user hoist runs as ({@code user.name})
   * @throws UsageException when it is not a directory, belongs to another user, or is writable by
   *     its group or others; the message says how to fix it
   */
  public static Path check(Path dir, String user) {
    PosixFileAttributes attributes;
    try {
      attributes = Files.readAttributes(dir, PosixFileAttributes.class);
    } catch (NoSuchFileException e) {
      return dir;
    } catch (UnsupportedOperationException e) {
      return dir; // no POSIX modes (not Linux): nothing to check
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the state directory " + dir, e);
    }
    if (!attributes.isDirectory()) {
      throw new UsageException(
          "the state directory " + dir + " is not a directory; set HOIST_STATE_DIR to one");
    }
    String owner = attributes.owner().getName();
    Set<PosixFilePermission> mode = attributes.permissions();
    if (!owner.equals(user)) {
      throw new UsageException(
          "the state directory "
              + dir
              + " belongs to "
              + owner
              + ", not to "
              + user
              + " who runs hoist: its owner could replace the backups and journals hoist trusts."
              + " Use a directory of your own (HOIST_STATE_DIR) or chown it to "
              + user);
    }
    if (mode.contains(PosixFilePermission.GROUP_WRITE)
        || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new UsageException(
          "the state directory "
              + dir
              + " is writable by "
              + (mode.contains(PosixFilePermission.OTHERS_WRITE) ? "everyone" : "its group")
              + " (mode "
              + PosixFilePermissions.toString(mode)
              + "): others could replace the backups and journals hoist trusts. Run chmod 700 "
              + dir);
    }
    return dir;
  }
}
