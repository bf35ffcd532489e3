package io.hoist.phase;

import io.hoist.backup.Backup;
import io.hoist.backup.BackupException;
import io.hoist.backup.BackupStore;
import io.hoist.model.PhaseId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Archives the configured paths of the node into the core node's {@link BackupStore} before the
 * install, so that a failed later phase (a migrate that half-applied, a post-validate that found
 * the new release unhealthy) puts them back: undo restores the backup byte for byte. Never "done":
 * each upgrade takes its own backup. After a successful take the node's backups beyond {@code keep}
 * are pruned, oldest first (a failed take prunes nothing).
 *
 * <p>The backup taken for a node is kept in this instance, keyed by node name, until its undo; one
 * instance may serve several nodes on their own threads.
 */
public final class BackupPhase implements Phase {

  private final BackupStore store;
  private final List<String> paths;
  private final int keep;
  private final Map<String, Backup> taken = new ConcurrentHashMap<>();
  private final Map<String, java.nio.file.Path> resumed = new ConcurrentHashMap<>();

  /**
   * @param store the core node's backup store
   * @param paths the absolute paths on the node to back up ({@code ${home}} and {@code ${node}}
   *     stand for the node's install home and name)
   * @param keep how many backups per node to keep
   */
  public BackupPhase(BackupStore store, List<String> paths, int keep) {
    this.store = Objects.requireNonNull(store, "store");
    this.paths = List.copyOf(paths);
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1: " + keep);
    }
    this.keep = keep;
  }

  /** A phase for the cluster's {@code backup} settings. */
  public BackupPhase(BackupStore store, io.hoist.model.Backup settings) {
    this(store, settings.paths(), settings.keep());
  }

  @Override
  public PhaseId id() {
    return PhaseId.BACKUP;
  }

  /**
   * Makes {@code archive}, the backup a crashed run took of {@code node} in the hop a resume
   * finishes, this phase's backup of that node: {@link #isDone} adopts it after verifying it, so
   * that a rollback restores the data as it was before that hop, not as the crash left it.
   */
  public void resumeWith(String node, java.nio.file.Path archive) {
    resumed.put(node, archive);
  }

  /**
   * Done only on a resume, when the crashed run's backup of this hop is still in the store and
   * verifies (its sha256 and entries as recorded); otherwise a new backup is taken, with a warning
   * when the old one was expected.
   */
  @Override
  public boolean isDone(PhaseContext context) {
    String node = context.node().name();
    java.nio.file.Path archive = resumed.remove(node);
    if (archive == null) {
      return false;
    }
    for (Backup backup : store.list(node)) {
      if (backup.archive().equals(archive)
          && backup.from().equals(context.steps().from())
          && backup.to().equals(context.steps().to())) {
        try {
          store.verify(backup);
          taken.put(node, backup);
          return true;
        } catch (BackupException e) {
          context.warn(
              id(),
              "the backup of the interrupted run does not verify, taking a new one: "
                  + e.getMessage());
          return false;
        }
      }
    }
    context.warn(
        id(), "the backup of the interrupted run, " + archive + ", is gone; taking a new one");
    return false;
  }

  @Override
  public void run(PhaseContext context) {
    String node = context.node().name();
    Backup backup;
    try {
      backup =
          store.take(
              context.node(),
              context.transport(),
              new io.hoist.model.Backup(paths, keep).pathsFor(context.node()),
              context.steps().from(),
              context.steps().to(),
              context.timeouts().command(),
              context.log().sink(id()));
    } catch (BackupException e) {
      throw new PhaseFailure(
          id(),
          "node " + node + ", backup: backup failed, node left untouched: " + e.getMessage(),
          e);
    }
    taken.put(node, backup);
    context.record().backupWritten(node, backup.archive(), backup.sha256());
    try {
      store.prune(node, keep);
    } catch (RuntimeException e) {
      context.warn(id(), "pruning old backups of node " + node + " failed: " + e.getMessage());
    }
  }

  /**
   * Restores the backup this phase took of the node when the new release may have changed the
   * node's state (it was started, or its migration ran); nothing when it took none. Before that,
   * the backed-up paths are as the previous release left them: restoring would only cost time.
   */
  @Override
  public boolean hasUndo(PhaseContext context) {
    return taken.containsKey(context.node().name()) && context.newReleaseRan();
  }

  @Override
  public void undo(PhaseContext context) {
    Backup backup = taken.get(context.node().name());
    if (backup == null || !context.newReleaseRan()) {
      return;
    }
    try {
      store.restore(
          backup, context.transport(), context.timeouts().command(), context.log().sink(id()));
    } catch (BackupException e) {
      throw new PhaseFailure(
          id(),
          "node "
              + context.node().name()
              + ", backup: restoring "
              + backup.dir()
              + " failed: "
              + e.getMessage(),
          e);
    }
  }

  /** The backup taken of {@code node} by this phase, if any. */
  public java.util.Optional<Backup> taken(String node) {
    return java.util.Optional.ofNullable(taken.get(node));
  }
}
