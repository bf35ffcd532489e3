package io.hoist.cli;

import io.hoist.error.UsageException;
import io.hoist.model.Node;
import io.hoist.plan.Batch;
import io.hoist.plan.Hop;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Plan;
import io.hoist.release.Version;
import io.hoist.run.FanOut;
import io.hoist.run.PlanService;
import io.hoist.run.ReleaseService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hoist upgrade NODE... | --cluster}: in this build, the plan ({@code --dry-run}). */
@Command(
    name = "upgrade",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Upgrade nodes, or the whole cluster, to a release.",
    description = {
      "Reads every node's running version, finds the hops to the target release (upgrade_paths,"
          + " max_step), orders the nodes by role (role_order, or --role-order; a node goes with"
          + " its earliest role; nodes with no listed role go last; serial roles one node at a"
          + " time with the leader last), and upgrades them batch by batch. Each node goes"
          + " through: version-check, pre-validate, retire, backup, install, restart, migrate,"
          + " post-validate, rejoin.",
      "",
      "With --dry-run it prints that plan, with every command exactly as it would run (values"
          + " quoted, secrets masked), and changes nothing. A node whose version cannot be read"
          + " stops the plan.",
      "",
      "This build plans (--dry-run) and stages (--prepare-only); switching nodes comes with a"
          + " later release of hoist."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  hoist upgrade --cluster --dry-run    to the newest reachable release",
      "  hoist upgrade --cluster --dry-run --to 3.6.1",
      "  hoist upgrade dea-1 dea-2 --dry-run --role-order dea,router",
      "  hoist --output json upgrade --cluster --dry-run | jq '.hops[].version'",
      "",
      "JSON: {cluster, dry_run, target, role_order, nodes: [{node, current, path, skip_reason}],"
          + " hops: [{hop, version, batches: [{batch, role, serial, serial_role, leader_probe, nodes:"
          + " [{node,"
          + " host, from, to, steps: [{phase, summary, commands}]}]}]}]}; serial_role names the quorum"
          + " role that keeps a batch to one node"
    })
final class UpgradeCommand implements Callable<Integer> {

  private final Environment env;

  @ParentCommand HoistCommand parent;

  @Spec CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  Selection selection;

  static final class Selection {
    @Parameters(paramLabel = "NODE", arity = "1..*", description = "Nodes to upgrade, by name.")
    List<String> nodes;

    @Option(
        names = "--cluster",
        required = true,
        description = "Upgrade every node of the cluster, in role order.")
    boolean cluster;
  }

  @Option(
      names = "--to",
      paramLabel = "VERSION",
      description =
          "Target release. Default: the newest release in the repository that every selected"
              + " node can reach by the upgrade paths.")
  String to;

  @Option(
      names = "--role-order",
      paramLabel = "ROLE",
      split = ",",
      description = "Role order for this run, e.g. dea,controller,router (overrides role_order).")
  List<String> roleOrder = List.of();

  @Option(names = "--force", description = "Also upgrade nodes already at the target (reinstall).")
  boolean force;

  @Option(
      names = "--dry-run",
      description = "Print the plan (hops, batches, order, commands) and change nothing.")
  boolean dryRun;

  @Option(
      names = "--prepare-only",
      description =
          "Stage the release of every hop of the plan on the nodes that need it, as 'hoist"
              + " version prepare' does, and switch nothing: the maintenance window then holds"
              + " only the switch.")
  boolean prepareOnly;

  @Option(
      names = "--max-parallel",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Upgrade at most N nodes at once, whatever the roles' max_parallel (0, the default:"
              + " the roles' own). Serial roles stay at one.")
  int maxParallel;

  @Mixin NodeAccessOptions access = new NodeAccessOptions();

  UpgradeCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    if (!dryRun && !prepareOnly) {
      throw new UsageException(
          "upgrading nodes is not available in this build of hoist yet; add --dry-run to see"
              + " the plan, or --prepare-only to stage its releases (neither switches a node)");
    }
    GlobalOptions global = parent.global;
    CommandContext context = CommandContext.load(env, global, access.acceptNewHostKeys);
    List<Node> nodes = context.select(selection.cluster ? List.of() : selection.nodes);
    Optional<Version> target = Optional.empty();
    if (to != null) {
      try {
        target = Optional.of(Version.parse(to));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--to: " + e.getMessage());
      }
    }
    if (maxParallel < 0) {
      throw new UsageException("--max-parallel must be 0 or more, got " + maxParallel);
    }
    PlanService service =
        new PlanService(
            context.cluster(), context.transports(), context.secretValues(), context.baseDir());
    Plan plan =
        service.plan(nodes, target, roleOrder, force, FanOut.DEFAULT_MAX_PARALLEL, maxParallel);
    Console console = Console.of(spec, global);
    if (dryRun) {
      if (console.isJson()) {
        console.json(Json.plan(plan));
      } else {
        console.result(Text.plan(plan));
      }
      return ExitCode.OK.code();
    }
    return prepare(plan, context, console);
  }

  /** Stages every hop's release on that hop's nodes, hop by hop. */
  private int prepare(Plan plan, CommandContext context, Console console) {
    if (plan.isEmpty()) {
      console.result(List.of("Nothing to prepare: every node is at " + plan.target() + "."));
      return ExitCode.OK.code();
    }
    ReleaseService releases = context.releases();
    List<ReleaseService.Prepared> prepared = new ArrayList<>();
    for (Hop hop : plan.hops()) {
      List<Node> nodes = new ArrayList<>();
      Map<String, Version> from = new HashMap<>();
      for (Batch batch : hop.batches()) {
        for (NodeSteps steps : batch.nodes()) {
          nodes.add(context.cluster().node(steps.node()).orElseThrow());
          from.put(steps.node(), Version.parse(steps.from()));
        }
      }
      Version version = Version.parse(hop.version());
      console.note("hop " + hop.number() + " of " + plan.hops().size() + ": staging " + version);
      prepared.add(
          releases.prepare(
              version,
              nodes,
              FanOut.DEFAULT_MAX_PARALLEL,
              Progress.download(version.text(), console, env),
              result -> console.note(Text.staged(result)),
              from));
    }
    return PrepareReport.print(context.cluster().name(), prepared, console);
  }
}
