package io.hoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoist.error.UsageException;
import io.hoist.journal.Finalization;
import io.hoist.journal.Journal;
import io.hoist.journal.JournalReader;
import io.hoist.journal.RunState;
import io.hoist.journal.Runs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hoist status [RUN]}: where the last (or given) run stands, from its journal. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    header = "Show where the last run stands, from its journal.",
    description = {
      "Reads the journal of the last run (or of RUN) from the state directory and shows which"
          + " version each node is on as far as the run knows, the phase each was in when the run"
          + " stopped, what failed and why, and what 'hoist upgrade --resume' would do next. It"
          + " reads only the journal on this machine: it contacts no node (use 'hoist inspect'"
          + " for the nodes' live state).",
      "",
      "A run that crashed or was killed shows as 'did not end'; a node caught inside a hop shows"
          + " the phase it was in. A torn last journal line (a crash while writing it) is"
          + " dropped and reported."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  hoist status",
      "  hoist status 20261121T134500Z",
      "  hoist --output json status | jq -r '.nodes[] | select(.state != \"done\") | .node'",
      "",
      "JSON (docs/json/status.schema.json): {schema_version, run, command, args, cluster, target, mode, ended, exit_code, interrupted, torn_tail,"
          + " complete, last_event, journal, nodes: [{node, from, target, reached, state, status,"
          + " hop_from, hop_to, phase, undo, phase_ended, message, backups}], next}"
    })
final class StatusCommand implements Callable<Integer> {

  private final Environment env;

  @ParentCommand HoistCommand parent;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "RUN", arity = "0..1", description = "A run id. Default: the last run.")
  String run;

  StatusCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    Path stateDir = UpgradeCommand.stateDir(env);
    Path dir;
    if (run == null) {
      dir =
          Runs.last(stateDir)
              .orElseThrow(
                  () ->
                      new UsageException(
                          "no run is recorded in "
                              + Runs.dir(stateDir)
                              + " yet: 'hoist upgrade' and 'hoist rollback' record theirs there;"
                              + " runs made as another user or with another HOIST_STATE_DIR are"
                              + " in that state directory (set HOIST_STATE_DIR to read them)"));
    } else {
      dir =
          Runs.find(stateDir, run)
              .orElseThrow(
                  () ->
                      new UsageException(
                          "no run '" + run + "' in " + Runs.dir(stateDir) + recent(stateDir)));
    }
    Path journal = dir.resolve(Journal.FILE);
    RunState state = RunState.of(JournalReader.read(journal));
    Console console = Console.of(spec, parent.global);
    List<String> next = next(state);
    Optional<Finalization> finalization = finalization(stateDir, state);
    if (console.isJson()) {
      Map<String, Object> json = json(state, journal, next);
      json.put("finalizes", state.finalizes().orElse(null));
      json.put(
          "finalized",
          finalization
              .filter(f -> f.finalized() || !f.pending().isEmpty())
              .map(Finalization::finalized)
              .orElse(null));
      json.put(
          "finalize_pending",
          finalization
              .filter(Finalization::isPending)
              .map(Finalization::pending)
              .orElse(List.of()));
      json.put("finalized_at", finalization.flatMap(Finalization::finalizedAt).orElse(null));
      console.json(json);
    } else {
      List<String> lines = text(state, journal, next);
      finalization.ifPresent(f -> lines.addAll(lines.size() - 1, finalizeLines(f)));
      console.result(lines);
    }
    return ExitCode.OK.code();
  }

  /**
   * The finalization of the upgrade the run is (or, for a finalize run, the one it finalizes);
   * empty for other runs.
   */
  private static Optional<Finalization> finalization(Path stateDir, RunState state) {
    if ("upgrade".equals(state.command())) {
      return Optional.of(Finalization.of(stateDir, state));
    }
    return state
        .finalizes()
        .flatMap(id -> Runs.find(stateDir, id))
        .map(dir -> RunState.of(JournalReader.read(dir.resolve(Journal.FILE))))
        .map(upgrade -> Finalization.of(stateDir, upgrade));
  }

  private static List<String> finalizeLines(Finalization f) {
    if (f.finalized()) {
      return List.of(
          "Upgrade "
              + f.run()
              + " was finalized at "
              + f.finalizedAt().orElseThrow()
              + " (run "
              + f.finalizedBy().orElseThrow()
              + "): it can no longer be rolled back.");
    }
    if (f.pending().isEmpty()) {
      return List.of();
    }
    return List.of(
        "UPGRADED, NOT FINALIZED: the finalize commands of "
            + String.join(", ", f.pending())
            + " have not "
            + (f.partly() ? "all run well" : "run")
            + ": 'hoist finalize' when satisfied"
            + (f.partly() ? "" : "; 'hoist rollback --cluster' undoes the upgrade until then")
            + ".");
  }

  private static String recent(Path stateDir) {
    List<Path> all = Runs.list(stateDir);
    if (all.isEmpty()) {
      return "";
    }
    List<String> ids =
        all.subList(Math.max(0, all.size() - 5), all.size()).stream()
            .map(p -> p.getFileName().toString())
            .toList();
    return "; recent runs: " + String.join(", ", ids);
  }

  /** What a resume would do, node by node; empty when nothing is left. */
  static List<String> next(RunState state) {
    List<String> next = new ArrayList<>();
    for (RunState.Node node : state.nodes()) {
      switch (node.state()) {
        // A skipped node failed: a resume leaves it for 'hoist upgrade NODE' (listed apart).
        case DONE, SKIPPED -> {}
        case NOT_STARTED ->
            next.add(node.node() + ": upgrade " + node.from() + " -> " + node.target());
        case BETWEEN_HOPS ->
            next.add(node.node() + ": go on from " + node.reached() + " -> " + node.target());
        case IN_PROGRESS ->
            next.add(
                node.node()
                    + ": read its state back and finish (or roll back) the hop "
                    + node.hopFrom()
                    + " -> "
                    + node.hopTo()
                    + " it was in ("
                    + (node.undo() ? "undo of " : "")
                    + node.phase()
                    + (node.phaseEnded() ? " ended" : " had started")
                    + "), then on to "
                    + node.target());
        case FAILED ->
            next.add(
                node.node()
                    + ": retry from "
                    + node.reached()
                    + " -> "
                    + node.target()
                    + " (its last hop ended "
                    + node.status()
                    + ")");
      }
    }
    return next;
  }

  private static List<String> text(RunState state, Path journal, List<String> next) {
    JsonNode started = state.started();
    List<String> lines = new ArrayList<>();
    lines.add(
        "Run "
            + state.runId()
            + ": hoist "
            + String.join(" ", state.args())
            + " (cluster "
            + started.path("cluster").asText()
            + ", "
            + started.path("mode").asText("rolling")
            + ", target "
            + started.path("target").asText()
            + ")");
    lines.add(
        "  started "
            + started.path("ts").asText()
            + "; "
            + (state.ended()
                ? "ended "
                    + state.lastTimestamp()
                    + " with exit "
                    + state.exitCode().orElseThrow()
                    + (state.interrupted()
                        ? " (interrupted" + state.endReason().map(r -> ": " + r).orElse("") + ")"
                        : "")
                : "did not end: last event " + state.lastTimestamp() + " (crashed or killed?)"));
    if (state.tornTail()) {
      lines.add("  the journal's last line was torn (a crash while writing it) and is ignored");
    }
    lines.add("");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NODE", "FROM", "TARGET", "REACHED", "STATE", "WHERE", "MESSAGE"});
    for (RunState.Node node : state.nodes()) {
      rows.add(
          new String[] {
            node.node(),
            String.valueOf(node.from()),
            String.valueOf(node.target()),
            String.valueOf(node.reached()),
            kebab(node.state().name()) + (node.status() == null ? "" : " (" + node.status() + ")"),
            where(node),
            node.message().lines().findFirst().orElse("")
          });
    }
    lines.addAll(Text.table(rows, 0, Ansi.OFF));
    lines.add("");
    if (!state.skipped().isEmpty()) {
      lines.add(
          "SKIPPED within the failure budget "
              + state.started().path("max_failures").asText()
              + " (rolled back; --resume does not retry them, 'hoist upgrade NODE' does):");
      for (RunState.Node node : state.skipped()) {
        lines.add(
            "  "
                + node.node()
                + ": "
                + (node.failedPhase() == null || node.message().contains(node.failedPhase())
                    ? ""
                    : node.failedPhase() + " failed: ")
                + node.message().lines().findFirst().orElse(""));
      }
    }
    boolean upgrade = "upgrade".equals(started.path("command").asText());
    if (next.isEmpty() && !state.skipped().isEmpty()) {
      lines.add("Every other node is at its target: nothing to resume.");
    } else if (next.isEmpty()) {
      lines.add("Every node is at its target: nothing to resume.");
    } else if (upgrade) {
      lines.add("'hoist upgrade --resume' would:");
      next.forEach(n -> lines.add("  " + n));
    } else {
      lines.add(
          "Not every node got there: 'hoist rollback' again (with these nodes, or --cluster)"
              + " finishes it.");
    }
    for (String node : state.notRejoined()) {
      lines.add(UpgradeReport.notRejoinedLine(node, List.of()));
    }
    lines.add("Journal: " + journal);
    return lines;
  }

  private static String where(RunState.Node node) {
    if (node.phase() == null
        || node.state() == RunState.NodeState.DONE
        || node.state() == RunState.NodeState.BETWEEN_HOPS) {
      return "-";
    }
    return "hop "
        + node.hopFrom()
        + " -> "
        + node.hopTo()
        + ": "
        + (node.undo() ? "undo " : "")
        + node.phase()
        + (node.phaseEnded() ? "" : " (in progress)");
  }

  private static Map<String, Object> json(RunState state, Path journal, List<String> next) {
    JsonNode started = state.started();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("run", state.runId());
    json.put("command", started.path("command").asText());
    json.put("args", state.args());
    json.put("cluster", started.path("cluster").asText());
    json.put("target", started.path("target").asText());
    json.put("mode", started.path("mode").asText("rolling"));
    json.put("ended", state.ended());
    json.put("exit_code", state.exitCode().orElse(null));
    json.put("interrupted", state.interrupted());
    json.put("reason", state.endReason().orElse(null));
    json.put(
        "max_failures",
        started.hasNonNull("max_failures") ? started.get("max_failures").asText() : null);
    json.put("torn_tail", state.tornTail());
    json.put("complete", state.complete());
    json.put("last_event", state.lastTimestamp());
    json.put("journal", journal.toString());
    List<Map<String, Object>> nodes = new ArrayList<>();
    for (RunState.Node node : state.nodes()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", node.node());
      n.put("from", node.from());
      n.put("target", node.target());
      n.put("reached", node.reached());
      n.put("state", kebab(node.state().name()));
      n.put("status", node.status());
      n.put("hop_from", node.hopFrom());
      n.put("hop_to", node.hopTo());
      n.put("phase", node.phase());
      n.put("undo", node.undo());
      n.put("phase_ended", node.phaseEnded());
      n.put("message", node.message());
      n.put("failed_phase", node.failedPhase());
      n.put("backups", node.backups());
      nodes.add(n);
    }
    json.put("nodes", nodes);
    json.put("next", next);
    List<Map<String, Object>> notRejoined = new ArrayList<>();
    for (String node : state.notRejoined()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", node);
      n.put("message", UpgradeReport.notRejoinedLine(node, List.of()));
      notRejoined.add(n);
    }
    json.put("not_rejoined", notRejoined);
    return json;
  }

  private static String kebab(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
