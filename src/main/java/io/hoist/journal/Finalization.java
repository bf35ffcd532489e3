package io.hoist.journal;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an upgrade stands with its finalize commands (its point of no return), from the journals:
 * the upgrade's own (a {@code finalize-pending} event, or {@code run-finalized} when it finalized
 * in the same run) and those of the {@code hoist finalize} runs that name it.
 *
 * @param run the upgrade run (the last of its resume chain)
 * @param pending the roles whose finalize commands were pending when the upgrade ended
 * @param finalizedAt when the finalization completed (ISO-8601), empty when it did not
 * @param finalizedBy the run that completed it (the upgrade itself, or a finalize run)
 * @param partly whether some finalize command ran well on some node (even if not all did)
 */
public record Finalization(
    String run,
    List<String> pending,
    Optional<String> finalizedAt,
    Optional<String> finalizedBy,
    boolean partly) {

  public Finalization {
    Objects.requireNonNull(run, "run");
    pending = List.copyOf(pending);
    Objects.requireNonNull(finalizedAt, "finalizedAt");
    Objects.requireNonNull(finalizedBy, "finalizedBy");
  }

  /** Whether the upgrade was finalized: it can no longer be rolled back by hoist. */
  public boolean finalized() {
    return finalizedAt.isPresent();
  }

  /**
   * Whether the upgrade is "upgraded, not finalized": finalize commands wait for hoist finalize.
   */
  public boolean isPending() {
    return !finalized() && !pending.isEmpty();
  }

  /**
   * Reads the finalization of {@code upgrade} (the last run of an upgrade's resume chain) from the
   * journals under {@code stateDir}.
   */
  public static Finalization of(Path stateDir, RunState upgrade) {
    String id = upgrade.runId();
    Optional<String> at = Optional.empty();
    Optional<String> by = Optional.empty();
    boolean partly = upgrade.finalizeRan();
    if (upgrade.finalizedRuns().contains(id)) {
      at = upgrade.finalizedAt();
      by = Optional.of(id);
    }
    List<Path> runs = Runs.list(stateDir);
    boolean after = false;
    for (Path dir : runs) {
      if (!after) {
        after = dir.getFileName().toString().equals(id);
        continue;
      }
      RunState run;
      try {
        run = RunState.of(JournalReader.read(dir.resolve(Journal.FILE)));
      } catch (IllegalArgumentException e) {
        continue; // a journal torn before its first line: no run to read
      }
      if (!"finalize".equals(run.command()) || !run.finalizes().equals(Optional.of(id))) {
        continue;
      }
      partly |= run.finalizeRan();
      if (at.isEmpty() && run.finalizedRuns().contains(id)) {
        at = run.finalizedAt();
        by = Optional.of(run.runId());
      }
    }
    return new Finalization(id, upgrade.finalizePending(), at, by, partly);
  }
}
