package io.hoist.run;

import io.hoist.backup.Backup;
import io.hoist.backup.BackupStore;
import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import io.hoist.journal.Finalization;
import io.hoist.journal.Journal;
import io.hoist.journal.JournalReader;
import io.hoist.journal.RunState;
import io.hoist.journal.Runs;
import io.hoist.model.Node;
import io.hoist.release.Version;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code hoist rollback} takes each node, from the journals: the version it ran before the
 * last upgrade (followed back through the resumes of that upgrade to the run that started it), or
 * {@code --to}; and the backup to restore, the first one written of the node in that upgrade (its
 * data before it), when a new release ran on it (it may have changed the data) and the backup is of
 * the version the node goes back to.
 *
 * @param sourceRun the upgrade run rolled back (the first of its resume chain), or empty for {@code
 *     --to} without a recorded upgrade
 * @param targets each node's release to go back to
 * @param restores each node whose data is put back, with the backup
 * @param notes what a person should know (a backup that is gone, data not restored and why)
 * @param midHop the nodes the upgrade left inside a hop (killed): rolled back first, and also when
 *     they still report the release they go back to (they may be stopped)
 * @param owesAfterCluster whether the upgrade was killed after its before_cluster and before its
 *     after_cluster (a rollback with nothing to do on the nodes still runs after_cluster)
 * @param owesRejoin the nodes the last run (an upgrade, a resume or a rollback) retired and did not
 *     rejoin, as its journal says: the rollback brings them back up (they are in {@code midHop})
 *     and rejoins them, or lists them as not rejoined
 */
public record RollbackTargets(
    Optional<String> sourceRun,
    Map<String, Version> targets,
    Map<String, Backup> restores,
    List<String> notes,
    java.util.Set<String> midHop,
    boolean owesAfterCluster,
    java.util.Set<String> owesRejoin) {

  public RollbackTargets {
    targets = Map.copyOf(targets);
    restores = Map.copyOf(restores);
    notes = List.copyOf(notes);
    midHop = java.util.Set.copyOf(midHop);
    owesRejoin = java.util.Set.copyOf(owesRejoin);
  }

  /**
   * Reads the journals under {@code stateDir}.
   *
   * @param to {@code --to}, or empty for each node's version before the last upgrade
   * @throws UsageException when no upgrade is recorded (and no {@code --to}), or a node was not in
   *     it
   * @throws ValidationException when the last upgrade was finalized (or partly) and a node was in
   *     it
   */
  public static RollbackTargets of(
      Path stateDir, List<Node> nodes, Optional<Version> to, BackupStore store) {
    List<RunState> chain = lastUpgrade(stateDir);
    if (chain.isEmpty() && to.isEmpty()) {
      throw new UsageException(
          "no upgrade is recorded in "
              + Runs.dir(stateDir)
              + " to roll back; give the release to go back to with --to");
    }
    if (!chain.isEmpty()) {
      refuseFinalized(stateDir, chain, nodes);
    }
    Map<String, Version> targets = new LinkedHashMap<>();
    Map<String, Backup> restores = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Node node : nodes) {
      String name = node.name();
      String before = null;
      String firstBackup = null;
      boolean ran = false;
      for (RunState run : chain) {
        Optional<RunState.Node> n = run.node(name);
        if (n.isEmpty()) {
          continue;
        }
        if (before == null) {
          before = n.get().from();
        }
        if (firstBackup == null && !n.get().backups().isEmpty()) {
          firstBackup = n.get().backups().get(0);
        }
        ran |= n.get().newReleaseRan();
      }
      if (to.isEmpty() && before == null) {
        missing.add(name);
        continue;
      }
      Version target = to.orElseGet(() -> null);
      if (target == null) {
        target = Version.parse(before);
      }
      targets.put(name, target);
      if (!ran || firstBackup == null) {
        continue;
      }
      Optional<Backup> backup = find(store, name, firstBackup);
      if (backup.isEmpty()) {
        notes.add(
            "node "
                + name
                + ": its backup from before the upgrade, "
                + firstBackup
                + ", is gone: its data is not restored");
      } else if (!backup.get().from().equals(target.text())) {
        notes.add(
            "node "
                + name
                + ": its data is not restored: the backup from before the upgrade is of "
                + backup.get().from()
                + ", not "
                + target);
      } else {
        restores.put(name, backup.get());
      }
    }
    if (!missing.isEmpty()) {
      throw new UsageException(
          String.join(", ", missing)
              + (missing.size() == 1 ? " was" : " were")
              + " not in the last upgrade ("
              + chain.get(chain.size() - 1).runId()
              + "); give the release to go back to with --to");
    }
    java.util.Set<String> midHop = new java.util.LinkedHashSet<>();
    Map<String, RunState.Node> latest = new LinkedHashMap<>();
    for (RunState run : chain) {
      for (RunState.Node n : run.nodes()) {
        if (n.state() != RunState.NodeState.NOT_STARTED || !latest.containsKey(n.node())) {
          latest.put(n.node(), n);
        }
      }
    }
    for (String node : targets.keySet()) {
      RunState.Node n = latest.get(node);
      // Inside a hop and past its checks: something on it may have changed (it may be down).
      if (n != null && n.state() == RunState.NodeState.IN_PROGRESS && changed(n)) {
        midHop.add(node);
      }
      // A node its upgrade left needing attention may report the release it goes back to (its
      // rollback switched it, then failed): it is brought back up and checked all the same, so
      // that the rollback that ends clean can clear its marker.
      if (n != null
          && "failed-needs-attention".equals(n.status())
          && upgradeIsNewest(stateDir, chain)) {
        midHop.add(node);
      }
    }
    java.util.Set<String> owesRejoin = new java.util.LinkedHashSet<>();
    Optional<Path> newest = Runs.last(stateDir);
    if (newest.isPresent()) {
      for (String node : read(newest.get()).notRejoined()) {
        if (targets.containsKey(node)) {
          owesRejoin.add(node);
          midHop.add(node);
        }
      }
    }
    boolean owes = false;
    if (!chain.isEmpty()) {
      RunState last = chain.get(chain.size() - 1);
      owes =
          !last.ended()
              && last.hooksRan().contains(ClusterRun.BEFORE_CLUSTER)
              && !last.hooksRan().contains(ClusterRun.AFTER_CLUSTER);
    }
    return new RollbackTargets(
        chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(0).runId()),
        targets,
        restores,
        notes,
        midHop,
        owes,
        owesRejoin);
  }

  /** Whether the last run of {@code chain} is the newest run (no rollback ran since). */
  private static boolean upgradeIsNewest(Path stateDir, List<RunState> chain) {
    Optional<Path> newest = Runs.last(stateDir);
    return !chain.isEmpty()
        && newest.isPresent()
        && newest.get().getFileName().toString().equals(chain.get(chain.size() - 1).runId());
  }

  /**
   * A finalized upgrade (or one whose finalize commands ran on some nodes) is past its point of no
   * return: none of its nodes is rolled back.
   *
   * @throws ValidationException when a node of {@code nodes} was in it
   */
  private static void refuseFinalized(Path stateDir, List<RunState> chain, List<Node> nodes) {
    RunState last = chain.get(chain.size() - 1);
    Finalization finalization = Finalization.of(stateDir, last);
    if (!finalization.finalized() && !finalization.partly()) {
      return;
    }
    java.util.Set<String> inRun = new java.util.LinkedHashSet<>();
    chain.forEach(run -> run.nodes().forEach(n -> inRun.add(n.node())));
    List<String> named = nodes.stream().map(Node::name).filter(inRun::contains).toList();
    if (named.isEmpty()) {
      return;
    }
    String what =
        finalization.finalized()
            ? "run "
                + last.runId()
                + " was finalized at "
                + finalization.finalizedAt().orElseThrow()
                + " (its finalize commands ran"
                + finalization
                    .finalizedBy()
                    .filter(by -> !by.equals(last.runId()))
                    .map(by -> " in run " + by)
                    .orElse("")
                + ")"
            : "run "
                + last.runId()
                + " was partly finalized (a finalize command ran on some of its nodes; 'hoist"
                + " finalize' completes it)";
    throw new ValidationException(
        what
            + ": the data format moved on; a rollback would start the old release on data it may"
            + " no longer read, so hoist does not roll back "
            + (named.size() == 1 ? "node " : "nodes ")
            + String.join(", ", named)
            + "; nothing was changed. To go back, restore from backup by hand (the backups taken"
            + " before the upgrade are in "
            + UpgradeService.backupDir(stateDir)
            + "/NODE/, each with its manifest.txt)");
  }

  /** Whether a phase that changes the node started in its hop (retire and after). */
  private static boolean changed(RunState.Node node) {
    java.util.Set<String> reading = java.util.Set.of("version-check", "pre-validate");
    return (node.phase() != null && !reading.contains(node.phase()))
        || node.passed().stream().anyMatch(p -> !reading.contains(p));
  }

  /** The nodes of the last upgrade (and the runs it resumed); empty when none is recorded. */
  public static java.util.Set<String> nodesOfLastUpgrade(Path stateDir) {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    for (RunState run : lastUpgrade(stateDir)) {
      run.nodes().forEach(n -> names.add(n.node()));
    }
    return names;
  }

  /** The last upgrade and the runs it resumed, oldest first; empty when there is none. */
  private static List<RunState> lastUpgrade(Path stateDir) {
    List<Path> runs = Runs.list(stateDir);
    List<RunState> chain = new ArrayList<>();
    for (int i = runs.size() - 1; i >= 0; i--) {
      RunState state = read(runs.get(i));
      if ("upgrade".equals(state.command())) {
        return Runs.chain(stateDir, state);
      }
    }
    return chain;
  }

  private static RunState read(Path runDir) {
    return RunState.of(JournalReader.read(runDir.resolve(Journal.FILE)));
  }

  private static Optional<Backup> find(BackupStore store, String node, String archive) {
    for (Backup backup : store.list(node)) {
      if (backup.archive().toString().equals(archive)) {
        return Optional.of(backup);
      }
    }
    return Optional.empty();
  }
}
