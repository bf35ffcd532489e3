package io.hoist.cli;

import io.hoist.phase.NodeOutcome;
import io.hoist.phase.RecordedRun;
import io.hoist.plan.NodePath;
import io.hoist.plan.Plan;
import io.hoist.run.HookRunner.HookOutcome;
import io.hoist.run.ReleaseService;
import io.hoist.run.RunResult;
import io.hoist.run.RunResult.NodeResult;
import io.hoist.run.UpgradeService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Help.Ansi;

/** Prints how {@code hoist upgrade} ended: a table, or JSON; returns the exit code. */
final class UpgradeReport {

  private UpgradeReport() {}

  static int print(
      String cluster,
      io.hoist.model.Cluster model,
      Plan plan,
      UpgradeService.Upgrade upgrade,
      Console console) {
    int code = upgrade.exitCode();
    if (upgrade.run().isEmpty()) {
      // Staging failed: nothing was switched.
      String message =
          "staging release "
              + upgrade.staged().get(upgrade.staged().size() - 1).release().version()
              + " failed on some nodes; no node was switched";
      if (console.isJson()) {
        console.json(
            result(
                cluster, plan, code, message, upgrade.staged(), List.of(), List.of(), List.of()));
      } else {
        List<String> lines = new ArrayList<>();
        for (ReleaseService.Prepared prepared : upgrade.staged()) {
          lines.addAll(Text.prepared(prepared));
        }
        console.result(lines);
      }
      console.problem(message);
      return code;
    }
    RunResult run = upgrade.run().orElseThrow();
    List<String> notRejoined = notRejoined(plan, upgrade);
    if (console.isJson()) {
      Map<String, Object> doc = json(cluster, model, plan, upgrade, run);
      doc.put("not_rejoined", notRejoinedJson(plan, upgrade));
      console.json(doc);
    } else {
      List<String> lines = new ArrayList<>(text(cluster, model, plan, upgrade, run));
      notRejoined.forEach(line -> lines.add(line));
      console.result(lines);
    }
    notRejoined.forEach(console::problem);
    for (HookOutcome hook : run.hooks()) {
      if (!hook.success()) {
        console.problem(hook.message());
      }
    }
    for (NodeResult node : run.nodes()) {
      if (node.state() == RunResult.State.FAILED_NEEDS_ATTENTION) {
        console.problem(byHand(model, node, upgrade));
      }
    }
    for (String warning : run.warnings()) {
      console.note("warning: " + warning);
    }
    upgrade
        .finalized()
        .flatMap(io.hoist.run.FinalizeService.Result::failure)
        .ifPresent(
            f ->
                console.problem(
                    "FINALIZE FAILED on node "
                        + f.node()
                        + ": "
                        + first(f.message())
                        + ". The upgrade is NOT finalized (it can still be rolled back only if no"
                        + " finalize command ran well); fix the cause, then run 'hoist finalize'"
                        + " again (finalize commands are idempotent). Log: "
                        + upgrade.logDir().resolve(f.node() + ".log")));
    console.note("node logs and the run's journal: " + upgrade.logDir());
    if (run.exitCode() != RunResult.OK && !plan.rollback()) {
      console.note(
          (run.interrupted() ? "Interrupted. " : "")
              + "'hoist status' shows where every node is; 'hoist upgrade --resume' goes on from"
              + " there, 'hoist rollback --cluster' takes the nodes back.");
    }
    return code;
  }

  /**
   * The document of an upgrade or rollback that switched no node because there was nothing to do or
   * it was not confirmed: every node of the plan, already at its target or not started.
   */
  static Map<String, Object> unchanged(
      io.hoist.model.Cluster model, Plan plan, int code, String message, List<HookOutcome> hooks) {
    List<Map<String, Object>> nodes = new ArrayList<>();
    for (NodePath path : plan.nodes()) {
      boolean there = path.versions().isEmpty();
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", path.node());
      n.put("from", path.current());
      n.put("to", there ? path.current() : path.versions().get(path.versions().size() - 1));
      n.put("roles", model.node(path.node()).map(x -> x.roles()).orElse(List.of()));
      n.put("version", path.current());
      n.put(
          "state", state(there ? RunResult.State.ALREADY_AT_TARGET : RunResult.State.NOT_STARTED));
      n.put("healthy", null);
      n.put("duration_ms", 0L);
      n.put("failed_phase", null);
      n.put("message", there && path.skipReason() != null ? path.skipReason() : "");
      n.put("phases", List.of());
      nodes.add(n);
    }
    return result(model.name(), plan, code, message, List.of(), hooks, List.of(), nodes);
  }

  /**
   * The document of an upgrade or rollback (the schema in docs/json/upgrade.schema.json): the same
   * keys whatever happened.
   */
  static Map<String, Object> result(
      String cluster,
      String target,
      boolean rollback,
      int code,
      String message,
      List<ReleaseService.Prepared> staged,
      List<HookOutcome> hookOutcomes,
      List<String> warnings,
      List<Map<String, Object>> nodes) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("cluster", cluster);
    json.put("target", target);
    json.put("rollback", rollback);
    json.put("ok", code == RunResult.OK);
    json.put("exit_code", code);
    json.put("message", message);
    json.put("staged", staged.stream().map(Json::staged).toList());
    List<Map<String, Object>> hooks = new ArrayList<>();
    for (HookOutcome hook : hookOutcomes) {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("hook", hook.hook());
      h.put("ok", hook.success());
      h.put("message", hook.message());
      hooks.add(h);
    }
    json.put("hooks", hooks);
    json.put("warnings", warnings);
    json.put("finalized", null);
    json.put("finalize_pending", List.of());
    json.put("finalize", List.of());
    json.put("nodes", nodes);
    json.put("max_failures", null);
    json.put("failures", null);
    json.put("skipped", List.of());
    json.put("window_closed_at", null);
    json.put("not_rejoined", List.of());
    return json;
  }

  private static Map<String, Object> result(
      String cluster,
      Plan plan,
      int code,
      String message,
      List<ReleaseService.Prepared> staged,
      List<HookOutcome> hooks,
      List<String> warnings,
      List<Map<String, Object>> nodes) {
    return result(
        cluster, plan.target(), plan.rollback(), code, message, staged, hooks, warnings, nodes);
  }

  /** The last line of the text: every node there, or the run did not complete. */
  private static String summary(Plan plan, RunResult run) {
    if (run.windowClosed().isPresent()) {
      long done = run.nodes().stream().filter(n -> n.state() == RunResult.State.UPGRADED).count();
      long left =
          run.nodes().stream()
              .filter(
                  n ->
                      n.state() == RunResult.State.NOT_STARTED
                          || n.state() == RunResult.State.PARTLY_UPGRADED)
              .count();
      return "The maintenance window closed at "
          + local(run.windowClosed().orElseThrow())
          + ": "
          + done
          + (done == 1 ? " node" : " nodes")
          + " done, "
          + left
          + " not started; resume with 'hoist upgrade --resume' in the next window (exit "
          + run.exitCode()
          + ").";
    }
    if (!run.skipped().isEmpty() && run.exitCode() == RunResult.NEEDS_ATTENTION) {
      boolean rest =
          run.nodes().stream()
              .allMatch(
                  n ->
                      n.state() == RunResult.State.UPGRADED
                          || n.state() == RunResult.State.ALREADY_AT_TARGET
                          || n.state() == RunResult.State.SKIPPED);
      return "NOT every node is at "
          + plan.target()
          + ": "
          + run.skipped().size()
          + (run.skipped().size() == 1 ? " node was" : " nodes were")
          + " SKIPPED ("
          + skippedNames(run)
          + ")"
          + (rest
              ? ", the others were upgraded"
              : "; the run stopped when the failures went past the budget")
          + " (exit "
          + run.exitCode()
          + ").";
    }
    return run.exitCode() == RunResult.OK
        ? "Every node is at " + plan.target() + "."
        : (plan.rollback() ? "The rollback" : "The upgrade")
            + " did not complete (exit "
            + run.exitCode()
            + ").";
  }

  private static String skippedNames(RunResult run) {
    return String.join(", ", run.skipped().stream().map(NodeResult::node).toList());
  }

  /** An instant as the core node's local time, to the second, with its offset. */
  static String local(java.time.Instant instant) {
    return instant
        .atZone(java.time.ZoneId.systemDefault())
        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
        .toOffsetDateTime()
        .toString();
  }

  /** Why a skipped node failed: {@code PHASE failed: MESSAGE}. */
  private static String reason(NodeResult node) {
    String message = first(node.outcome().map(NodeOutcome::message).orElse(""));
    // The runner's messages name the phase already ("node web-2, post-validate: ...").
    return node.outcome()
            .flatMap(NodeOutcome::failedPhase)
            .filter(p -> !message.contains(p.id()))
            .map(p -> p.id() + " failed: ")
            .orElse("")
        + message;
  }

  private static List<String> text(
      String cluster,
      io.hoist.model.Cluster model,
      Plan plan,
      UpgradeService.Upgrade upgrade,
      RunResult run) {
    List<String> lines = new ArrayList<>();
    lines.add(
        (plan.rollback() ? "Rollback of cluster " : "Upgrade of cluster ")
            + cluster
            + " to "
            + plan.target()
            + (run.skipped().isEmpty()
                ? ""
                : ": "
                    + run.skipped().size()
                    + (run.skipped().size() == 1 ? " NODE" : " NODES")
                    + " SKIPPED, not upgraded")
            + run.budget()
                .map(b -> " (failure budget: " + b.failures() + " of " + b.maxFailures() + ")")
                .orElse(""));
    lines.add("");
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "NODE", "ROLES", "FROM", "TO", "NOW ON", "RESULT", "HEALTHY", "DURATION", "MESSAGE"
        });
    Map<String, List<String>> roles = roles(model);
    Map<String, List<RecordedRun.Entry>> entries = byNode(upgrade.record());
    for (NodeResult node : run.nodes()) {
      Boolean healthy = healthy(node);
      List<String> nodeRoles = roles.getOrDefault(node.node(), List.of());
      rows.add(
          new String[] {
            node.node(),
            nodeRoles.isEmpty() ? "-" : String.join(",", nodeRoles),
            node.from(),
            node.to(),
            versionNow(node),
            state(node.state(), plan),
            healthy == null ? "-" : healthy ? "yes" : "NO",
            human(duration(entries.getOrDefault(node.node(), List.of()))),
            node.outcome().map(NodeOutcome::message).orElse("").lines().findFirst().orElse("")
          });
    }
    lines.addAll(Text.table(rows, 0, Ansi.OFF));
    lines.add("");
    if (!run.skipped().isEmpty()) {
      lines.add(
          "Skipped (rolled back, still on their old release; 'hoist upgrade NODE' retries one):");
      for (NodeResult node : run.skipped()) {
        lines.add("  " + node.node() + ": " + reason(node));
      }
      lines.add("");
    }
    lines.add(summary(plan, run));
    lines.addAll(finalizeLines(upgrade));
    return lines;
  }

  /** What the run's finalize commands left: pending (loudly, with the next commands) or done. */
  static List<String> finalizeLines(UpgradeService.Upgrade upgrade) {
    List<String> lines = new ArrayList<>();
    if (upgrade.finalizeRoles().isEmpty()) {
      return lines;
    }
    String roles =
        (upgrade.finalizeRoles().size() == 1 ? "role " : "roles ")
            + String.join(", ", upgrade.finalizeRoles());
    if (upgrade.finalized().map(io.hoist.run.FinalizeService.Result::finalized).orElse(false)) {
      lines.add(
          "Finalized: the finalize commands of "
              + roles
              + " ran on "
              + upgrade.finalized().get().steps().size()
              + " nodes; this upgrade can no longer be rolled back.");
      return lines;
    }
    lines.add("");
    lines.add(
        "UPGRADED, NOT FINALIZED: the finalize commands of "
            + roles
            + " (the point of no return) have not "
            + (upgrade.finalized().isPresent() ? "all run well." : "run.")
            + " Next:");
    lines.add("  hoist finalize                when you are satisfied with the new release");
    lines.add(
        "  hoist rollback --cluster      to undo the whole upgrade (every node back, in reverse)");
    return lines;
  }

  /** The finalize keys of an upgrade's document. */
  private static void finalizeJson(Map<String, Object> json, UpgradeService.Upgrade upgrade) {
    if (upgrade.finalizeRoles().isEmpty()) {
      return;
    }
    boolean done =
        upgrade.finalized().map(io.hoist.run.FinalizeService.Result::finalized).orElse(false);
    json.put("finalized", done);
    json.put("finalize_pending", done ? List.of() : upgrade.finalizeRoles());
    json.put(
        "finalize", upgrade.finalized().map(r -> Json.finalizeSteps(r.steps())).orElse(List.of()));
  }

  private static Map<String, Object> json(
      String cluster,
      io.hoist.model.Cluster model,
      Plan plan,
      UpgradeService.Upgrade upgrade,
      RunResult run) {
    List<Map<String, Object>> nodes = new ArrayList<>();
    Map<String, List<String>> roles = roles(model);
    Map<String, List<RecordedRun.Entry>> entries = byNode(upgrade.record());
    for (NodeResult node : run.nodes()) {
      List<RecordedRun.Entry> own = entries.getOrDefault(node.node(), List.of());
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", node.node());
      n.put("from", node.from());
      n.put("to", node.to());
      n.put("roles", roles.getOrDefault(node.node(), List.of()));
      String now = versionNow(node);
      n.put("version", now.equals("?") ? null : now);
      n.put("state", state(node.state(), plan));
      n.put("healthy", healthy(node));
      n.put("duration_ms", duration(own).toMillis());
      n.put(
          "failed_phase",
          node.outcome().flatMap(NodeOutcome::failedPhase).map(p -> p.id()).orElse(null));
      n.put("message", node.outcome().map(NodeOutcome::message).orElse(""));
      List<Map<String, Object>> phases = new ArrayList<>();
      for (RecordedRun.Entry entry : own) {
        if (entry.kind() != RecordedRun.Kind.PHASE_ENDED
            && entry.kind() != RecordedRun.Kind.UNDO_ENDED) {
          continue;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("phase", entry.phase().id());
        p.put("undo", entry.kind() == RecordedRun.Kind.UNDO_ENDED);
        p.put("outcome", entry.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        p.put("duration_ms", entry.duration() == null ? 0 : entry.duration().toMillis());
        p.put("message", entry.message() == null ? "" : entry.message());
        phases.add(p);
      }
      n.put("phases", phases);
      nodes.add(n);
    }
    Map<String, Object> json =
        result(
            cluster,
            plan,
            upgrade.exitCode(),
            summary(plan, run),
            upgrade.staged(),
            run.hooks(),
            run.warnings(),
            nodes);
    json.put("max_failures", run.budget().map(RunResult.Budget::maxFailures).orElse(null));
    json.put("failures", run.budget().map(RunResult.Budget::failures).orElse(null));
    List<Map<String, Object>> skipped = new ArrayList<>();
    for (NodeResult node : run.skipped()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", node.node());
      n.put(
          "failed_phase",
          node.outcome().flatMap(NodeOutcome::failedPhase).map(p -> p.id()).orElse(null));
      n.put("message", node.outcome().map(NodeOutcome::message).orElse(""));
      skipped.add(n);
    }
    json.put("skipped", skipped);
    json.put("window_closed_at", run.windowClosed().map(UpgradeReport::local).orElse(null));
    finalizeJson(json, upgrade);
    return json;
  }

  /**
   * One line per node hoist retired and did not rejoin (its rollback stopped before the rejoin, a
   * rejoin that failed, {@code --on-failure stop}, an interrupt): what to run by hand.
   */
  static List<String> notRejoined(Plan plan, UpgradeService.Upgrade upgrade) {
    List<String> lines = new ArrayList<>();
    for (String node : upgrade.record().notRejoined()) {
      lines.add(notRejoinedLine(node, rejoinCommands(plan, node)));
    }
    return lines;
  }

  /** "node web-2 was retired by hoist and is not rejoined: run its rejoin command `...`". */
  static String notRejoinedLine(String node, List<String> commands) {
    return "node "
        + node
        + " was retired by hoist and is not rejoined: "
        + (commands.isEmpty()
            ? "run its rejoin command"
            : "run its rejoin command"
                + (commands.size() == 1 ? " " : "s ")
                + String.join("; ", commands.stream().map(c -> "`" + c + "`").toList()))
        + " once it is healthy, or 'hoist rollback "
        + node
        + "' (it rejoins the node when its rollback ends clean)";
  }

  private static List<Map<String, Object>> notRejoinedJson(
      Plan plan, UpgradeService.Upgrade upgrade) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (String node : upgrade.record().notRejoined()) {
      List<String> commands = rejoinCommands(plan, node);
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", node);
      n.put("rejoin", commands);
      n.put("message", notRejoinedLine(node, commands));
      list.add(n);
    }
    return list;
  }

  /** The display form of a node's rejoin commands in the plan (masked secrets). */
  private static List<String> rejoinCommands(Plan plan, String node) {
    for (io.hoist.plan.Hop hop : plan.hops()) {
      for (io.hoist.plan.Batch batch : hop.batches()) {
        for (io.hoist.plan.NodeSteps steps : batch.nodes()) {
          if (!steps.node().equals(node)) {
            continue;
          }
          java.util.Optional<io.hoist.plan.Step> rejoin =
              steps
                  .step(io.hoist.model.PhaseId.REJOIN)
                  .or(() -> steps.rollbackStep(io.hoist.model.PhaseId.REJOIN));
          if (rejoin.isPresent()) {
            return rejoin.get().commands().stream().map(c -> c.display()).toList();
          }
        }
      }
    }
    return List.of();
  }

  /** What went wrong on a node that needs a person, and what that person can do. */
  private static String byHand(
      io.hoist.model.Cluster model, NodeResult node, UpgradeService.Upgrade upgrade) {
    StringBuilder text =
        new StringBuilder("NODE ").append(node.node()).append(" NEEDS ATTENTION: ");
    NodeOutcome outcome = node.outcome().orElse(null);
    if (outcome != null) {
      text.append(first(outcome.message()));
      Throwable[] undo = outcome.failure().map(Throwable::getSuppressed).orElse(new Throwable[0]);
      if (undo.length > 0) {
        text.append("; then its rollback failed: ").append(first(undo[0].getMessage()));
      } else if (outcome.failedPhase().isPresent()) {
        text.append("; it was left as it was (--on-failure stop)");
      }
    }
    String home = model.node(node.node()).map(n -> n.layout().home()).orElse("HOME");
    text.append(". By hand: read ")
        .append(upgrade.logDir().resolve(node.node() + ".log"))
        .append("; to go back to ")
        .append(node.reached())
        .append(", stop the product, point ")
        .append(home)
        .append("/current at ")
        .append(home)
        .append("/releases/")
        .append(node.reached())
        .append(", restore the data from the newest backup in ")
        .append(upgrade.backupDir().resolve(node.node()))
        .append(" if the new release changed it (manifest.txt lists every file and its sha256),")
        .append(" start it and check it; or fix the cause and run 'hoist upgrade ")
        .append(node.node())
        .append("' again.");
    return text.toString();
  }

  private static String first(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  /** The version the node is on, as far as the run knows; "?" when it needs a person to look. */
  private static String versionNow(NodeResult node) {
    return node.state() == RunResult.State.FAILED_NEEDS_ATTENTION
            || node.state() == RunResult.State.INTERRUPTED
        ? "?"
        : node.reached();
  }

  /**
   * Whether the node was found healthy at its end: by the post-validation (upgraded) or by the
   * rollback's check of the previous release (rolled back, reverted); false when it needs a person;
   * null when it was not checked in this run (not started, already at the target, failed its checks
   * before anything changed, interrupted).
   */
  private static Boolean healthy(NodeResult node) {
    return switch (node.state()) {
      case UPGRADED, PARTLY_UPGRADED, FAILED_ROLLED_BACK, REVERTED -> true;
      case FAILED_NEEDS_ATTENTION -> false;
      case ALREADY_AT_TARGET, FAILED_UNCHANGED, NOT_STARTED, INTERRUPTED -> null;
      // Rolled back and checked, when its rollback ran in this run (not one it resumes).
      case SKIPPED ->
          node.outcome()
                  .filter(o -> o.status() == NodeOutcome.Status.FAILED_ROLLED_BACK)
                  .filter(o -> !o.durations().isEmpty())
                  .isPresent()
              ? Boolean.TRUE
              : null;
    };
  }

  /** Each node's roles, by name: looked up once, not by a scan of the nodes per node. */
  private static Map<String, List<String>> roles(io.hoist.model.Cluster model) {
    Map<String, List<String>> roles = new HashMap<>();
    for (io.hoist.model.Node node : model.nodes()) {
      roles.putIfAbsent(node.name(), node.roles());
    }
    return roles;
  }

  /**
   * The run's record split by node, each in call order: one pass over the record (about 15 entries
   * a node), not one per node.
   */
  private static Map<String, List<RecordedRun.Entry>> byNode(RecordedRun record) {
    Map<String, List<RecordedRun.Entry>> byNode = new HashMap<>();
    for (RecordedRun.Entry entry : record.entries()) {
      byNode.computeIfAbsent(entry.node(), n -> new ArrayList<>()).add(entry);
    }
    return byNode;
  }

  /** The state's name; a rollback's "upgraded" node reads "rolled-back". */
  private static String state(RunResult.State state, Plan plan) {
    return plan.rollback() && state == RunResult.State.UPGRADED ? "rolled-back" : state(state);
  }

  private static String state(RunResult.State state) {
    return state.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The time a node spent in its phases and undos. */
  private static Duration duration(List<RecordedRun.Entry> entries) {
    Duration total = Duration.ZERO;
    for (RecordedRun.Entry entry : entries) {
      if (entry.duration() != null) {
        total = total.plus(entry.duration());
      }
    }
    return total;
  }

  private static String human(Duration duration) {
    return Text.duration(duration);
  }
}
