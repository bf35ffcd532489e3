package io.hoist.cli;

import io.hoist.run.ReleaseService;
import io.hoist.stage.StageResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prints the outcome of staging (prepare, --prepare-only) and turns it into the exit code. */
final class PrepareReport {

  private PrepareReport() {}

  /**
   * {@code version prepare}: one release.
   *
   * @return 0 when every node holds the release, 4 when some nodes failed (their partial files were
   *     removed; the others keep what was staged)
   */
  static int print(String cluster, ReleaseService.Prepared prepared, Console console) {
    if (console.isJson()) {
      console.json(Json.prepared(cluster, prepared));
    } else {
      console.result(Text.prepared(prepared));
    }
    return finish(List.of(prepared), console);
  }

  /**
   * {@code upgrade --prepare-only}: the release of each hop of the plan, in hop order (none when
   * every node is at the target).
   *
   * @return as {@link #print(String, ReleaseService.Prepared, Console)}, for all of them
   */
  static int printHops(
      String cluster, String target, List<ReleaseService.Prepared> prepared, Console console) {
    boolean ok = prepared.stream().allMatch(ReleaseService.Prepared::isOk);
    int code = ok ? ExitCode.OK.code() : ExitCode.ROLLED_BACK.code();
    if (console.isJson()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("cluster", cluster);
      json.put("target", target);
      json.put("ok", ok);
      json.put("exit_code", code);
      json.put("prepared", prepared.stream().map(Json::staged).toList());
      console.json(json);
    } else if (prepared.isEmpty()) {
      console.result(List.of("Nothing to prepare: every node is at " + target + "."));
    } else {
      prepared.forEach(p -> console.result(Text.prepared(p)));
    }
    return finish(prepared, console);
  }

  private static int finish(List<ReleaseService.Prepared> prepared, Console console) {
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
