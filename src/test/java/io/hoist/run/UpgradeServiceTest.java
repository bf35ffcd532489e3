package io.hoist.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hoist.backup.BackupStore;
import io.hoist.model.PhaseId;
import io.hoist.phase.BackupPhase;
import io.hoist.phase.Phase;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Step;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpgradeServiceTest {

  @TempDir Path dir;

  private static final UpgradeService.Options OPTIONS =
      new UpgradeService.Options(false, false, true, 4);

  private static NodeSteps steps(PhaseId... phases) {
    return new NodeSteps(
        "n1",
        "host",
        "1.0.0",
        "1.1.0",
        List.of(phases).stream().map(p -> new Step(p, p.id(), List.of())).toList());
  }

  private static List<PhaseId> ids(List<Phase> phases) {
    return phases.stream().map(Phase::id).toList();
  }

  @Test
  void thePhasesTheStepsNameInPhaseOrder() {
    List<Phase> phases =
        UpgradeService.phasesFor(
            steps(PhaseId.POST_VALIDATE, PhaseId.VERSION_CHECK, PhaseId.INSTALL), OPTIONS, null);

    assertEquals(
        List.of(PhaseId.VERSION_CHECK, PhaseId.INSTALL, PhaseId.POST_VALIDATE), ids(phases));
  }

  @Test
  void theBackupGoesBetweenTheStopAndTheInstall() {
    BackupPhase backup = new BackupPhase(new BackupStore(dir), List.of("/data"), 3);

    List<Phase> phases =
        UpgradeService.phasesFor(
            steps(
                PhaseId.VERSION_CHECK,
                PhaseId.RETIRE,
                PhaseId.STOP,
                PhaseId.BACKUP,
                PhaseId.INSTALL,
                PhaseId.START),
            OPTIONS,
            backup);

    assertEquals(
        List.of(
            PhaseId.VERSION_CHECK,
            PhaseId.RETIRE,
            PhaseId.STOP,
            PhaseId.BACKUP,
            PhaseId.INSTALL,
            PhaseId.START),
        ids(phases));
    assertEquals(backup, phases.get(3));
  }

  @Test
  void theStateDirHoldsTheBackups() {
    assertEquals(dir.resolve("backups"), UpgradeService.backupDir(dir));
  }
}
