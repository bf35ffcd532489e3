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
    json.put("nodes", nodes);
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
    return run.exitCode() == RunResult.OK
        ? "Every node is at " + plan.target() + "."
        : (plan.rollback() ? "The rollback" : "The upgrade")
            + " did not complete (exit "
            + run.exitCode()
            + ").";
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
            + plan.target());
    lines.add("");
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "NODE", "ROLES", "FROM", "TO", "NOW ON", "RESULT", "HEALTHY", "DURATION", "MESSAGE"
        });
    Map<String, List<String>> roles = roles(model);
    Map<String, List<RecordedRun.Entry>> entries = byNode(upgrade.record());
    for (NodeResult node : run.nodes()) {
      Boolean healthy = healthy(node.state());
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
    lines.add(summary(plan, run));
    return lines;
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
      n.put("healthy", healthy(node.state()));
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
    return result(
        cluster,
        plan,
        run.exitCode(),
        summary(plan, run),
        upgrade.staged(),
        run.hooks(),
        run.warnings(),
        nodes);
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
  private static Boolean healthy(RunResult.State state) {
    return switch (state) {
      case UPGRADED, PARTLY_UPGRADED, FAILED_ROLLED_BACK, REVERTED -> true;
      case FAILED_NEEDS_ATTENTION -> false;
      case ALREADY_AT_TARGET, FAILED_UNCHANGED, NOT_STARTED, INTERRUPTED -> null;
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
