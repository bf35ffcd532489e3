package io.hoist.phase;

import io.hoist.backup.Backup;
import io.hoist.backup.BackupException;
import io.hoist.backup.BackupStore;
import io.hoist.model.PhaseId;
import java.util.Map;
import java.util.Objects;

/**
 * A rollback's restore ({@code hoist rollback}): with the product stopped, puts back the data of
 * the backup taken before the upgrade, after checking the archive on the core node (its sha256 and
 * entries as its manifest records). Never "done"; no undo (a failed rollback is left to a person).
 */
public final class RestorePhase implements Phase {

  private final BackupStore store;
  private final Map<String, Backup> backups;

  /**
   * @param backups each node's backup to restore (nodes without one have no restore step)
   */
  public RestorePhase(BackupStore store, Map<String, Backup> backups) {
    this.store = Objects.requireNonNull(store, "store");
    this.backups = Map.copyOf(backups);
  }

  @Override
  public PhaseId id() {
    return PhaseId.RESTORE;
  }

  @Override
  public boolean isDone(PhaseContext context) {
    return false;
  }

  @Override
  public void run(PhaseContext context) {
    String node = context.node().name();
    Backup backup = backups.get(node);
    if (backup == null) {
      throw new IllegalStateException("no backup to restore was given for node " + node);
    }
    try {
      store.verify(backup);
      store.restore(
          backup, context.transport(), context.timeouts().command(), context.log().sink(id()));
    } catch (BackupException e) {
      throw new PhaseFailure(
          id(),
          "node "
              + node
              + ", restore: restoring "
              + backup.archive()
              + " failed: "
              + e.getMessage(),
          e);
    }
  }
}
