package io.hoist.cli;

import io.hoist.command.ShellCommand;
import io.hoist.inspect.CheckResult;
import io.hoist.inspect.CheckStatus;
import io.hoist.inspect.InspectReport;
import io.hoist.inspect.NodeReport;
import io.hoist.plan.Batch;
import io.hoist.plan.Hop;
import io.hoist.plan.NodePath;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Plan;
import io.hoist.plan.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Help.Ansi;

/** The text forms of hoist's results, as lines for stdout. */
final class Text {

  private Text() {}

  /** Colours only on a terminal, without --no-color and without NO_COLOR. */
  static Ansi ansi(Environment env, GlobalOptions global) {
    boolean color = env.interactive() && !global.noColor && env.get("NO_COLOR") == null;
    return color ? Ansi.ON : Ansi.OFF;
  }

  static List<String> inspect(InspectReport report, Ansi ansi) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NODE", "CHECK", "STATUS", "MESSAGE"});
    for (NodeReport node : report.nodes()) {
      boolean first = true;
      for (CheckResult check : node.checks()) {
        rows.add(
            new String[] {
              first ? node.node() : "", check.name(), check.status().id(), oneLine(check.message())
            });
        first = false;
      }
    }
    List<String> lines = table(rows, 2, ansi);
    long failed = report.nodes().size() - report.passedNodes();
    String failedNames =
        report.nodes().stream()
            .filter(n -> !n.isOk())
            .map(NodeReport::node)
            .collect(Collectors.joining(", "));
    lines.add("");
    lines.add(
        failed == 0
            ? "All " + report.nodes().size() + " nodes passed every check."
            : report.passedNodes()
                + " of "
                + report.nodes().size()
                + " nodes passed every check; failed: "
                + failedNames
                + ".");
    return lines;
  }

  static List<String> plan(Plan plan) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "Plan for cluster "
            + plan.cluster()
            + ": upgrade to "
            + plan.target()
            + " (dry run: nothing was changed)");
    lines.add("Role order: " + String.join(", ", plan.roleOrder()));
    lines.add("");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NODE", "CURRENT", "PATH"});
    for (NodePath path : plan.nodes()) {
      rows.add(
          new String[] {
            path.node(),
            path.current(),
            path.versions().isEmpty()
                ? "(" + path.skipReason() + ")"
                : String.join(" -> ", path.versions())
          });
    }
    lines.addAll(table(rows, 0, Ansi.OFF));
    if (plan.isEmpty()) {
      lines.add("");
      lines.add("Nothing to do: every node is at " + plan.target() + ".");
      return lines;
    }
    for (Hop hop : plan.hops()) {
      lines.add("");
      lines.add("Hop " + hop.number() + " of " + plan.hops().size() + ": to " + hop.version());
      for (Batch batch : hop.batches()) {
        lines.add("  " + batchTitle(batch));
        for (NodeSteps node : batch.nodes()) {
          lines.add(
              "    " + node.node() + " (" + node.host() + "): " + node.from() + " -> " + node.to());
          for (Step step : node.steps()) {
            lines.add(
                String.format(Locale.ROOT, "      %-14s %s", step.phase().id(), step.summary()));
            for (ShellCommand command : step.commands()) {
              lines.add("                     $ " + command.display());
            }
          }
        }
      }
    }
    return lines;
  }

  private static String batchTitle(Batch batch) {
    String names = batch.nodes().stream().map(NodeSteps::node).collect(Collectors.joining(", "));
    String role = batch.role() == null ? "no listed role" : "role " + batch.role();
    String how =
        batch.serial()
            ? "serial role "
                + batch.serialRole()
                + ": one node at a time"
                + (batch.leaderProbe() == null
                    ? ""
                    : ", leader last, found by: " + batch.leaderProbe())
            : batch.nodes().size() + (batch.nodes().size() == 1 ? " node" : " nodes") + " at once";
    return "Batch " + batch.number() + " (" + role + ", " + how + "): " + names;
  }

  private static String oneLine(String message) {
    return message.replace('\n', ' ').replace('\r', ' ');
  }

  /** Left-aligned columns; the third column is coloured by status when {@code statusColumn} set. */
  private static List<String> table(List<String[]> rows, int statusColumn, Ansi ansi) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder();
      String[] row = rows.get(r);
      for (int i = 0; i < columns; i++) {
        String cell = row[i];
        boolean last = i == columns - 1;
        String padded = last ? cell : cell + " ".repeat(widths[i] - cell.length() + 2);
        if (r > 0 && i == statusColumn && statusColumn > 0) {
          padded = colour(cell, ansi) + " ".repeat(widths[i] - cell.length() + 2);
        }
        line.append(padded);
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }

  private static String colour(String status, Ansi ansi) {
    String style =
        status.equals(CheckStatus.PASS.id())
            ? "green"
            : status.equals(CheckStatus.FAIL.id()) ? "bold,red" : "yellow";
    return ansi.string("@|" + style + " " + status + "|@");
  }
}
