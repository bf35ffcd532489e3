package io.hoist.cli;

import io.hoist.backup.BackupStore;
import io.hoist.error.UsageException;
import io.hoist.inspect.Inspector;
import io.hoist.model.Node;
import io.hoist.phase.Sleeper;
import io.hoist.plan.Plan;
import io.hoist.plan.Planner;
import io.hoist.release.Version;
import io.hoist.run.ClusterInspection;
import io.hoist.run.FanOut;
import io.hoist.run.RollbackTargets;
import io.hoist.run.UpgradeService;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

/** {@code hoist rollback NODE... | --cluster [--to VERSION]}. */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Take nodes back to the release they ran before the last upgrade.",
    description = {
      "Takes nodes back to the version they ran before the last upgrade (read from its journal,"
          + " following its resumes back to the run that started it), or to --to, in the reverse"
          + " of the upgrade order: the last role first, a serial role one node at a time with its"
          + " leader last. Each node: version check (a node already there is left alone), retire,"
          + " stop, restore, switch current back, start, health check, rejoin.",
      "",
      "The restore puts back the backup taken before the upgrade when a new release ran on the"
          + " node (it may have changed the data) and that backup is of the release the node goes"
          + " back to; the archive is checked against its manifest first. The release is staged"
          + " again first where it was removed. A rollback is journaled like an upgrade ('hoist"
          + " status'); a node whose rollback fails is left as it is for a person (exit 5).",
      "",
      "An upgrade whose roles have finalize commands ends 'upgraded, not finalized': until"
          + " 'hoist finalize' runs, --cluster takes every node of it back. After it (or once a"
          + " finalize command ran on some node) a rollback of that upgrade refuses with exit 3 and"
          + " changes nothing: the data format moved on, restore from backup by hand.",
      "",
      "It is the way out of a failed or killed run: it takes over the node marker"
          + " (HOME/.hoist/ongoing) of any run recorded in this state directory, and removes it when"
          + " the node ends clean. A node that run retired and did not rejoin, or left needing"
          + " attention, is brought back up even when it already reports the old release, and"
          + " rejoined once healthy. A marker of a run from another core node is refused (exit 3)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  hoist rollback --cluster --dry-run    what it would do",
      "  hoist rollback --cluster --yes",
      "  hoist rollback dea-1 --yes",
      "  hoist rollback --cluster --to 3.5.4 --yes"
    })
final class RollbackCommand implements Callable<Integer> {

  private final Environment env;

  @ParentCommand HoistCommand parent;

  @Spec CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  Selection selection;

  static final class Selection {
    @Parameters(paramLabel = "NODE", arity = "1..*", description = "Nodes to roll back.")
    List<String> nodes;

    @Option(
        names = "--cluster",
        required = true,
        description = "Every node of the last upgrade (with --to: every node of the cluster).")
    boolean cluster;
  }

  @Option(
      names = "--to",
      paramLabel = "VERSION",
      description =
          "The release to go back to. Default: each node's release before the last upgrade.")
  String to;

  @Option(names = "--dry-run", description = "Print what it would do and change nothing.")
  boolean dryRun;

  @Option(
      names = "--yes",
      description = "Do not ask for confirmation (needed without a terminal: scripts, cron).")
  boolean yes;

  @Option(
      names = "--role-order",
      paramLabel = "ROLE",
      split = ",",
      description = "The upgrade's role order to reverse (default: role_order of the file).")
  List<String> roleOrder = List.of();

  @Option(
      names = "--max-parallel",
      paramLabel = "N",
      defaultValue = "0",
      description = "At most N nodes at once (0: the roles' max_parallel).")
  int maxParallel;

  @Mixin NodeAccessOptions access = new NodeAccessOptions();

  @Mixin LockOptions locking = new LockOptions();

  RollbackCommand(Environment env) {
    this.env = env;
  }

  @Override
  @SuppressWarnings("try") // the lock is held for the block, not used in it
  public Integer call() {
    if (!dryRun && !yes && !env.interactive()) {
      throw new UsageException(
          "refusing to change nodes without confirmation: add --yes (scripts, cron) or run it on"
              + " a terminal");
    }
    Optional<Version> target = Optional.empty();
    if (to != null) {
      try {
        target = Optional.of(Version.parse(to));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--to: " + e.getMessage());
      }
    }
    GlobalOptions global = parent.global;
    CommandContext context = CommandContext.load(env, global, access.acceptNewHostKeys);
    Console console = Console.of(spec, global);
    Path stateDir = UpgradeCommand.stateDir(env);
    BackupStore store = new BackupStore(UpgradeService.backupDir(stateDir), Clock.systemUTC());
    List<Node> nodes = context.select(selection.cluster ? List.of() : selection.nodes);
    if (selection.cluster && target.isEmpty()) {
      nodes = lastUpgradeNodes(stateDir, context, nodes, store);
    }
    RollbackTargets targets = RollbackTargets.of(stateDir, nodes, target, store);
    Map<String, Version> current =
        new ClusterInspection(
                context.cluster(),
                new Inspector(context.cluster(), context.transports(), context.secretValues()),
                FanOut.DEFAULT_MAX_PARALLEL)
            .versions(nodes);
    Map<String, String> restoring = new LinkedHashMap<>();
    targets
        .restores()
        .forEach(
            (node, backup) ->
                restoring.put(
                    node,
                    "restore the data from "
                        + backup.archive()
                        + " (taken before "
                        + backup.from()
                        + " -> "
                        + backup.to()
                        + "), checked against its manifest"));
    Plan plan =
        new Planner(context.cluster())
            .rollback(
                nodes.stream().map(Node::name).toList(),
                current,
                targets.targets(),
                restoring,
                targets.midHop(),
                roleOrder,
                maxParallel,
                context.secretValues());
    targets.notes().forEach(n -> console.note("note: " + n));
    if (dryRun) {
      if (console.isJson()) {
        console.json(Json.plan(plan));
      } else {
        console.result(Text.plan(plan));
      }
      return ExitCode.OK.code();
    }
    if (plan.isEmpty()) {
      return nothingToRollBack(context, targets, plan, console);
    }
    long count = plan.nodes().stream().filter(n -> !n.versions().isEmpty()).count();
    if (!yes && !UpgradeCommand.confirm(plan, "Roll back " + count + " nodes?", console)) {
      UpgradeCommand.declined(context, plan, console);
      return ExitCode.OK.code();
    }
    UpgradeService service =
        new UpgradeService(
            context.cluster(),
            context.transports(),
            context.releases(),
            context.hooks(),
            stateDir,
            Sleeper.REAL,
            Clock.systemUTC());
    Map<String, Object> invocation = context.invocation(spec, "rollback");
    targets.sourceRun().ifPresent(run -> invocation.put("rolls_back", run));
    UpgradeService.Upgrade result;
    try (io.hoist.journal.RunLock lock = context.lock(spec, locking.breakLock, console);
        LiveView live = LiveView.of(console, env, global, Clock.systemUTC()).forRollback()) {
      result =
          service.rollback(
              plan,
              targets.restores(),
              targets.owesRejoin(),
              version -> Progress.download(version.text(), console, env),
              staged -> console.note(Text.staged(staged)),
              console::note,
              live,
              invocation);
    }
    return UpgradeReport.print(context.cluster().name(), context.cluster(), plan, result, console);
  }

  /**
   * Every node is at its previous release: says so; runs the after_cluster a killed upgrade owed
   * after its before_cluster.
   */
  private static int nothingToRollBack(
      CommandContext context, RollbackTargets targets, Plan plan, Console console) {
    String message = "Nothing to roll back: every node is at its previous release.";
    if (!console.isJson()) {
      console.result(List.of(message));
    }
    List<io.hoist.run.HookRunner.HookOutcome> hooks = new ArrayList<>();
    String after = context.cluster().hooks().afterCluster();
    if (targets.owesAfterCluster() && after != null && !after.isBlank()) {
      // The killed upgrade ran before_cluster and never its after_cluster: close the pair.
      console.note("the last upgrade was killed after before_cluster: running after_cluster");
      hooks.add(context.hooks().run(io.hoist.run.ClusterRun.AFTER_CLUSTER, after));
    }
    boolean ok = hooks.stream().allMatch(io.hoist.run.HookRunner.HookOutcome::success);
    int code = ok ? ExitCode.OK.code() : ExitCode.NEEDS_ATTENTION.code();
    if (console.isJson()) {
      console.json(UpgradeReport.unchanged(context.cluster(), plan, code, message, hooks));
    }
    hooks.stream().filter(h -> !h.success()).forEach(h -> console.problem(h.message()));
    return code;
  }

  /** With --cluster and no --to: the nodes of the last upgrade (not the whole cluster). */
  private static List<Node> lastUpgradeNodes(
      Path stateDir, CommandContext context, List<Node> all, BackupStore store) {
    java.util.Set<String> names = RollbackTargets.nodesOfLastUpgrade(stateDir);
    if (names.isEmpty()) {
      // No upgrade recorded: RollbackTargets says so, with the hint to give --to.
      return all;
    }
    List<Node> inRun = all.stream().filter(n -> names.contains(n.name())).toList();
    if (inRun.isEmpty()) {
      throw new UsageException(
          "no node of cluster " + context.cluster().name() + " was in the last upgrade");
    }
    return inRun;
  }
}
