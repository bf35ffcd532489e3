package io.hoist.cli;

import io.hoist.command.Quantities;
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
import io.hoist.release.Version;
import io.hoist.run.DryRunReport;
import io.hoist.run.ReleaseService;
import io.hoist.stage.StageResult;
import io.hoist.stage.StagedReleases;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Help.Ansi;

/** The text forms of hoist's results, as lines for stdout. */
final class Text {

  private Text() {}

  /**
   * Text made safe for a terminal: every control character but line feed and tab (the rest of C0,
   * DEL, C1) and the Unicode controls that reorder text (bidi embeddings, overrides, isolates) is
   * written as a visible escape such as {@code \u001b}. Output read from a node, a bundle or a file
   * then cannot move the cursor, clear the screen, retitle the window, make links, overwrite a line
   * with {@code \r}, or hide or reverse text. Everything hoist prints goes through this (in {@link
   * Console} and the error handler); hoist's own colours and the live view's cursor moves are added
   * afterwards.
   */
  static String forTerminal(String text) {
    return escape(text, false);
  }

  /** {@link #forTerminal}, with line feeds escaped too: for what must stay one line. */
  static String forTerminalLine(String text) {
    return escape(text, true);
  }

  private static String escape(String text, boolean lineFeeds) {
    int i = 0;
    while (i < text.length() && !isUnsafe(text.charAt(i), lineFeeds)) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (isUnsafe(c, lineFeeds)) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isUnsafe(char c, boolean lineFeeds) {
    return (c < 0x20 && c != '\t' && (c != '\n' || lineFeeds))
        || (c >= 0x7f && c <= 0x9f)
        || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069);
  }

  /** Colours only where {@link #styled} allows escape sequences. */
  static Ansi ansi(Environment env, GlobalOptions global) {
    return styled(env, global) ? Ansi.ON : Ansi.OFF;
  }

  /**
   * Whether output may carry terminal escape sequences (colours, a redrawn live view, a progress
   * bar): only on a terminal that is not "dumb", without --no-color, and without NO_COLOR set to a
   * non-empty value (no-color.org).
   */
  static boolean styled(Environment env, GlobalOptions global) {
    String noColor = env.get("NO_COLOR");
    return env.interactive()
        && !global.noColor
        && (noColor == null || noColor.isEmpty())
        && !"dumb".equals(env.get("TERM"));
  }

  /** Safe for a terminal as it is ({@link Console#styled}): its table escapes every cell. */
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
    List<NodeReport> marked = report.nodes().stream().filter(n -> n.marker().isPresent()).toList();
    if (!marked.isEmpty()) {
      lines.add("");
      lines.add(
          "Node markers (a hoist run is working on the node, or was killed or failed there;"
              + " other runs refuse it):");
      for (NodeReport node : marked) {
        lines.add("  " + forTerminalLine(node.node() + ": " + node.marker().describe()));
      }
    }
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
                + forTerminalLine(failedNames)
                + ".");
    return lines;
  }

  static List<String> plan(Plan plan) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "Plan for cluster "
            + plan.cluster()
            + (plan.rollback() ? ": roll back to " : ": upgrade to ")
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
              "    "
                  + node.node()
                  + " ("
                  + node.host()
                  + (node.zone() == null ? "" : ", zone " + node.zone())
                  + "): "
                  + node.from()
                  + " -> "
                  + node.to());
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

  /**
   * The plan, then what an honest dry run adds: impact, expected downtime, what it could not check.
   */
  static List<String> plan(Plan plan, DryRunReport report) {
    List<String> lines = new ArrayList<>(plan(plan));
    if (plan.isEmpty()) {
      return lines;
    }
    lines.add("");
    lines.add("Impact (what goes down on each node):");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NODE", "HOP", "ROLE", "ZONE", "STOPS", "RETIRE / REJOIN"});
    for (DryRunReport.NodeImpact node : report.nodes()) {
      rows.add(
          new String[] {
            node.node(),
            node.hop(),
            node.role(),
            node.zone() == null ? "-" : node.zone(),
            node.stops().isEmpty() ? "(nothing: no stop command)" : String.join("; ", node.stops()),
            node.retire().isEmpty() && node.rejoin().isEmpty()
                ? "-"
                : String.join("; ", node.retire()) + " / " + String.join("; ", node.rejoin())
          });
    }
    for (String line : table(rows, 0, Ansi.OFF)) {
      lines.add("  " + line);
    }
    lines.add("");
    lines.add("Expected downtime:");
    for (DryRunReport.RoleDowntime role : report.roles()) {
      boolean bound = role.source() == DryRunReport.Source.TIMEOUTS;
      lines.add(
          "  "
              + (role.role().equals(DryRunReport.NO_ROLE) ? role.role() : "role " + role.role())
              + ": "
              + role.nodes()
              + (role.nodes() == 1 ? " node" : " nodes")
              + " in "
              + role.batches()
              + (role.batches() == 1 ? " batch" : " batches")
              + "; one node "
              + (bound ? "at most " : "about ")
              + span(role.perNode())
              + ", the role "
              + (bound ? "at most " : "about ")
              + span(role.total())
              + " ("
              + role.basis()
              + ")");
    }
    lines.add("");
    lines.add("Not verified by this dry run:");
    for (DryRunReport.Unverified item : report.unverified()) {
      lines.add("  - " + forTerminalLine(item.message()));
    }
    return lines;
  }

  static List<String> fetched(ReleaseService.Fetched fetched) {
    return List.of(
        fetched.bundle().getFileName()
            + ": release "
            + fetched.version()
            + " of "
            + fetched.manifest().product()
            + " verified in "
            + fetched.bundle().getParent(),
        "  sha256 " + fetched.sha256(),
        "  upgrade from: "
            + (fetched.manifest().upgradeFrom() == null ? "any" : fetched.manifest().upgradeFrom())
            + (fetched.manifest().minHoist() == null
                ? ""
                : "; needs hoist " + fetched.manifest().minHoist() + " or newer"));
  }

  /** One line per node as it finishes staging (progress on stderr). */
  static String staged(StageResult result) {
    return "  "
        + result.node()
        + ": "
        + (result.status() == StageResult.Status.FAILED ? "failed: " : "")
        + oneLine(result.message());
  }

  static List<String> prepared(ReleaseService.Prepared prepared) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "Release "
            + prepared.release().version()
            + " ("
            + prepared.release().bundle().getFileName()
            + ", sha256 "
            + prepared.release().sha256().substring(0, 12)
            + "...)");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NODE", "STATUS", "SENT", "TIME", "MESSAGE"});
    for (StageResult node : prepared.nodes()) {
      rows.add(
          new String[] {
            node.node(),
            status(node),
            node.bytesSent() == 0 ? "-" : Quantities.bytes(node.bytesSent()),
            String.format(Locale.ROOT, "%.1fs", node.duration().toMillis() / 1000.0),
            oneLine(node.message())
                + (node.pruned().isEmpty()
                    ? ""
                    : " (pruned " + String.join(", ", node.pruned()) + ")")
          });
    }
    lines.addAll(table(rows, 0, Ansi.OFF));
    long failed =
        prepared.nodes().stream().filter(n -> n.status() == StageResult.Status.FAILED).count();
    lines.add(
        failed == 0
            ? "All "
                + prepared.nodes().size()
                + " nodes hold release "
                + prepared.release().version()
                + "."
            : (prepared.nodes().size() - failed)
                + " of "
                + prepared.nodes().size()
                + " nodes hold release "
                + prepared.release().version()
                + "; "
                + failed
                + " failed (their partial files were removed).");
    return lines;
  }

  static String status(StageResult result) {
    return result.status().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static List<String> listing(ReleaseService.Listing listing) {
    List<String> lines = new ArrayList<>();
    lines.add("Repository " + listing.repository());
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"RELEASE", "REPOSITORY", "CACHE", "STAGED ON", "CURRENT ON"});
    java.util.TreeSet<Version> all = new java.util.TreeSet<>(listing.offered());
    all.addAll(listing.cached());
    for (Version version : all) {
      List<String> stagedOn = new ArrayList<>();
      List<String> currentOn = new ArrayList<>();
      for (StagedReleases node : listing.nodes()) {
        if (node.staged().contains(version.text())) {
          stagedOn.add(node.node());
        }
        if (version.text().equals(node.current())) {
          currentOn.add(node.node());
        }
      }
      rows.add(
          new String[] {
            version.text(),
            listing.offered().contains(version) ? "yes" : "-",
            listing.cached().contains(version) ? "yes" : "-",
            stagedOn.isEmpty() ? "-" : String.join(",", stagedOn),
            currentOn.isEmpty() ? "-" : String.join(",", currentOn)
          });
    }
    lines.addAll(table(rows, 0, Ansi.OFF));
    lines.add("");
    List<String[]> nodes = new ArrayList<>();
    nodes.add(new String[] {"NODE", "CURRENT", "STAGED"});
    for (StagedReleases node : listing.nodes()) {
      nodes.add(
          node.error() != null
              ? new String[] {node.node(), "?", "cannot read: " + oneLine(node.error())}
              : new String[] {
                node.node(),
                node.current() == null ? "-" : node.current(),
                node.staged().isEmpty() ? "-" : String.join(", ", node.staged())
              });
    }
    lines.addAll(table(nodes, 0, Ansi.OFF));
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
    String zone = batch.zone() == null ? "" : ", zone " + batch.zone();
    return "Batch " + batch.number() + " (" + role + zone + ", " + how + "): " + names;
  }

  private static String oneLine(String message) {
    return message.replace('\n', ' ').replace('\r', ' ');
  }

  /** As {@link #duration} below a minute; 10m30s, 1h2m0s above. */
  static String span(java.time.Duration duration) {
    long s = duration.toSeconds();
    if (s < 60) {
      return duration(duration);
    }
    return (s >= 3600 ? s / 3600 + "h" : "") + (s % 3600 / 60) + "m" + (s % 60) + "s";
  }

  /** 850ms, 12.3s. */
  static String duration(java.time.Duration duration) {
    long ms = duration.toMillis();
    return ms < 1000 ? ms + "ms" : (ms / 1000) + "." + (ms % 1000 / 100) + "s";
  }

  /**
   * Left-aligned columns, every cell made safe with {@link #forTerminalLine}; the column {@code
   * statusColumn} is coloured by status (when above 0 and {@code ansi} is on).
   */
  static List<String> table(List<String[]> raw, int statusColumn, Ansi ansi) {
    List<String[]> rows = new ArrayList<>(raw.size());
    for (String[] row : raw) {
      String[] safe = new String[row.length];
      for (int i = 0; i < row.length; i++) {
        safe[i] = forTerminalLine(row[i]);
      }
      rows.add(safe);
    }
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
