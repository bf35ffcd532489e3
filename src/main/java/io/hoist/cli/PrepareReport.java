package io.hoist.cli;

import io.hoist.run.ReleaseService;
import io.hoist.stage.StageResult;
import java.util.List;

/** Prints the outcome of staging (prepare, --prepare-only) and turns it into the exit code. */
final class PrepareReport {

  private PrepareReport() {}

  /**
   * @return 0 when every node holds every release, 4 when some nodes failed (their partial files
   *     were removed; the others keep what was staged)
   */
  static int print(String cluster, List<ReleaseService.Prepared> prepared, Console console) {
    if (console.isJson()) {
      console.json(
          prepared.size() == 1
              ? Json.prepared(cluster, prepared.get(0))
              : prepared.stream().map(p -> Json.prepared(cluster, p)).toList());
    } else {
      prepared.forEach(p -> console.result(Text.prepared(p)));
    }
    boolean ok = prepared.stream().allMatch(ReleaseService.Prepared::isOk);
    if (!ok) {
      for (ReleaseService.Prepared p : prepared) {
        for (StageResult node : p.nodes()) {
          if (node.status() == StageResult.Status.FAILED) {
            console.problem(
                node.node() + ": staging " + p.release().version() + " failed: " + node.message());
          }
        }
      }
    }
    return ok ? ExitCode.OK.code() : ExitCode.ROLLED_BACK.code();
  }
}
