package io.hoist.journal;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoist.error.LockedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One run at a time per cluster: an exclusive lock on {@code STATE/locks/CLUSTER.lock} (an OS file
 * lock, released by the kernel when its process dies) plus an owner record {@code CLUSTER.owner}
 * (host, pid, user, start time, command) written when the lock is taken and removed when it is
 * released.
 *
 * <ul>
 *   <li>Lock held by a live process: refused at once, naming the owner.
 *   <li>Lock free but an owner record left behind: its owner died without releasing it (crash, kill
 *       -9, reboot). Stale: refused unless {@code breakLock}, because that run may have left nodes
 *       mid-upgrade (see {@code hoist status}).
 * </ul>
 *
 * The state directory must be on a local file system (OS locks on network file systems are not to
 * be trusted).
 */
public final class RunLock implements AutoCloseable {

  private final FileChannel channel;
  private final FileLock lock;
  private final Path owner;
  private final JsonNode brokenOwner;

  private RunLock(FileChannel channel, FileLock lock, Path owner, JsonNode brokenOwner) {
    this.channel = channel;
    this.lock = lock;
    this.owner = owner;
    this.brokenOwner = brokenOwner;
  }

  /**
   * Takes the lock of {@code cluster}.
   *
   * @param me this run's owner record (host, pid, user, started, command)
   * @param breakLock take over a stale lock
   * @throws LockedException when another run holds it, or it is stale and {@code breakLock} is not
   *     set
   */
  public static RunLock acquire(
      Path stateDir, String cluster, Map<String, Object> me, boolean breakLock) {
    Path dir = stateDir.resolve("locks");
    String name = cluster.replaceAll("[^A-Za-z0-9._-]", "_");
    Path lockFile = dir.resolve(name + ".lock");
    Path ownerFile = dir.resolve(name + ".owner");
    FileChannel channel = null;
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      channel =
          FileChannel.open(
              lockFile,
              Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // this JVM already runs on the cluster
      }
      if (lock == null) {
        channel.close();
        throw new LockedException(
            "another hoist run holds the lock of cluster "
                + cluster
                + ": "
                + describe(read(ownerFile))
                + "; wait for it to end (nothing was done)");
      }
      JsonNode stale = read(ownerFile);
      if (stale != null && !breakLock) {
        lock.release();
        channel.close();
        throw new LockedException(
            "the lock of cluster "
                + cluster
                + " is stale: its owner, "
                + describe(stale)
                + ", is gone without releasing it (crashed, killed or the machine rebooted)."
                + " It may have left nodes mid-upgrade: see 'hoist status', then run again"
                + " with --break-lock to take the lock over (nothing was done)");
      }
      Map<String, Object> record = new LinkedHashMap<>(me);
      Path temp = dir.resolve(name + ".owner.tmp");
      // Created 0600, never widened by the umask in between: it names the user and the command.
      Files.deleteIfExists(temp);
      Files.createFile(
          temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, JsonText.of(record) + "\n", StandardCharsets.UTF_8);
      Files.move(
          temp, ownerFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return new RunLock(channel, lock, ownerFile, stale);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("cannot take the run lock " + lockFile, e);
    }
  }

  /** The owner record of the stale lock this run took over with --break-lock, or null. */
  public JsonNode brokenOwner() {
    return brokenOwner;
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(owner);
      // Closing the channel releases the lock; release() itself would fail on a thread whose
      // interrupt flag is set (after Ctrl-C), closing is not interruptible.
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the run lock " + owner, e);
    }
  }

  /** "pid 4242 on core-1, user ops, since 2026-11-21T13:45:00Z: hoist upgrade --cluster". */
  public static String describe(JsonNode owner) {
    if (owner == null) {
      return "a process whose owner record is missing";
    }
    return "pid "
        + owner.path("pid").asText("?")
        + " on "
        + owner.path("host").asText("?")
        + ", user "
        + owner.path("user").asText("?")
        + ", since "
        + owner.path("started").asText("?")
        + ": "
        + owner.path("command").asText("?");
  }

  private static JsonNode read(Path ownerFile) {
    try {
      if (!Files.exists(ownerFile)) {
        return null;
      }
      JsonNode node =
          JsonText.Mapper.INSTANCE.readTree(Files.readString(ownerFile, StandardCharsets.UTF_8));
      return node == null || node.isMissingNode()
          ? JsonText.Mapper.INSTANCE.createObjectNode()
          : node;
    } catch (IOException e) {
      // A damaged owner record still means someone held the lock.
      return JsonText.Mapper.INSTANCE.createObjectNode();
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Already failing: the first error is the one to report.
      }
    }
  }
}
