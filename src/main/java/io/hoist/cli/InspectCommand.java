package io.hoist.cli;

import io.hoist.inspect.CheckResult;
import io.hoist.inspect.CheckStatus;
import io.hoist.inspect.InspectReport;
import io.hoist.inspect.Inspector;
import io.hoist.inspect.NodeReport;
import io.hoist.run.ClusterInspection;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hoist inspect [NODE...]}: pre-upgrade validation, read-only. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Check nodes before an upgrade; change nothing.",
    description = {
      "Connects to every node (or the ones named), in parallel, and runs the built-in checks:",
      "  reachable  connected and authenticated, host key verified against known_hosts",
      "  version    the version command prints the running version",
      "  disk       the release home has layout.min_free free (skipped when that is 0)",
      "then every check of the cluster file's 'checks' list (passes when it exits 0).",
      "A node that cannot be reached has its other checks skipped.",
      "",
      "Exits 0 when no check failed on any node, 3 otherwise."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  hoist inspect                       every node of ./cluster.yaml",
      "  hoist -c prod.yaml inspect core dea-1",
      "  hoist inspect --accept-new-host-keys    first contact: record host keys",
      "  hoist --output json inspect | jq '.nodes[] | select(.ok | not) | .node'",
      "",
      "JSON (docs/json/inspect.schema.json): {schema_version, cluster, ok, nodes: [{node, address,"
          + " version, ok, checks: [{name, status (pass|fail|skip), message, duration_ms}]}],"
          + " summary: {nodes, passed, failed}}"
    })
final class InspectCommand implements Callable<Integer> {

  private final Environment env;

  @ParentCommand HoistCommand parent;

  @Spec CommandSpec spec;

  @Mixin NodeAccessOptions access = new NodeAccessOptions();

  @Mixin FanOutOptions fanOut = new FanOutOptions();

  @Parameters(
      paramLabel = "NODE",
      arity = "0..*",
      description = "Nodes to inspect, by name. Default: every node of the cluster file.")
  List<String> nodes = List.of();

  InspectCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    GlobalOptions global = parent.global;
    CommandContext context = CommandContext.load(env, global, access.acceptNewHostKeys);
    Inspector inspector =
        new Inspector(
            context.cluster(), context.transportsClosedAfterUse(), context.secretValues());
    InspectReport report =
        new ClusterInspection(context.cluster(), inspector, fanOut.maxParallel())
            .inspect(context.select(nodes));
    Console console = Console.of(spec, global);
    if (console.isJson()) {
      console.json(Json.inspect(report));
    } else {
      console.styled(() -> Text.inspect(report, Text.ansi(env, global)));
    }
    if (console.isQuiet() && !report.isOk()) {
      for (NodeReport node : report.nodes()) {
        for (CheckResult check : node.checks()) {
          if (check.status() == CheckStatus.FAIL) {
            console.problem(node.node() + ": " + check.name() + " failed: " + check.message());
          }
        }
      }
    }
    return report.isOk() ? ExitCode.OK.code() : ExitCode.VALIDATION.code();
  }
}
