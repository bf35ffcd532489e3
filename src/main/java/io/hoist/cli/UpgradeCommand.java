package io.hoist.cli;

import io.hoist.config.Durations;
import io.hoist.config.NotAfter;
import io.hoist.error.UsageException;
import io.hoist.model.Node;
import io.hoist.model.Timeouts;
import io.hoist.phase.Sleeper;
import io.hoist.plan.Batch;
import io.hoist.plan.Hop;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Plan;
import io.hoist.release.Version;
import io.hoist.run.DryRunReport;
import io.hoist.run.FailureBudget;
import io.hoist.run.FanOut;
import io.hoist.run.FinalizeService;
import io.hoist.run.PlanService;
import io.hoist.run.ReleaseService;
import io.hoist.run.Resume;
import io.hoist.run.UpgradeService;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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

/** {@code hoist upgrade NODE... | --cluster}: the plan ({@code --dry-run}), staging, the run. */
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
          + " through: version-check, pre-validate, retire, stop, backup, install, start, migrate,"
          + " post-validate, rejoin.",
      "",
      "With --dry-run it prints that plan, with every command exactly as it would run (values"
          + " quoted, secrets masked), and changes nothing. A node whose version cannot be read"
          + " stops the plan. It then states the impact (the services that stop on each node; per"
          + " role the expected downtime, measured over earlier runs in the journal or an upper"
          + " bound from the timeouts, saying which) and lists what it could not verify.",
      "",
      "Without --dry-run it first stages every hop's release on the nodes that need it (a"
          + " staging failure stops before any node is switched), then upgrades the nodes, rolling:"
          + " a node that fails is rolled back (--on-failure rollback, the default) or left as it"
          + " is (--on-failure stop), and the nodes after it are not touched. It asks for"
          + " confirmation on a terminal; scripts and cron must pass --yes.",
      "",
      "With --mode one-shot (WekaIO's upgrade window) each hop goes phase by phase across all"
          + " its nodes: every node's version check and checks first (a failure stops before any"
          + " node is disrupted, naming the node), then stop all, back up all, switch all, start"
          + " all, and health-check all until --window (default 10m, counted from the first stop)"
          + " closes. A failure or a cluster not healthy in time reverts every node to the"
          + " previous release. Retire and rejoin are not run in one-shot mode.",
      "",
      "Backups go to $XDG_STATE_HOME/hoist/backups (~/.local/state/hoist/backups;"
          + " /var/lib/hoist/backups as root), the run's journal and node logs to the runs/RUN-ID/ directory beside it ('hoist status'"
          + " reads it)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  hoist upgrade --cluster --dry-run    to the newest reachable release",
      "  hoist upgrade --cluster --yes --to 3.6.1",
      "  hoist upgrade --cluster --yes --finalize    also past the point of no return",
      "  hoist upgrade --cluster --yes --mode one-shot --window 5m --start-timeout 2m",
      "  hoist upgrade --cluster --yes --max-failures 10%%    skip past up to 10%% failed nodes",
      "  hoist upgrade --cluster --yes --not-after 05:30    no node starts from 05:30 on",
      "  hoist upgrade --resume --yes --not-after +3h       the next window",
      "  hoist upgrade --cluster --dry-run --to 3.6.1",
      "  hoist upgrade dea-1 dea-2 --dry-run --role-order dea,router",
      "  hoist --output json upgrade --cluster --dry-run | jq '.hops[].version'",
      "",
      "JSON with --dry-run (docs/json/plan.schema.json): {schema_version, cluster, dry_run,"
          + " rollback, target, role_order, nodes: [{node, current, path, skip_reason}], hops: [{hop,"
          + " version, batches: [{batch, role, serial, serial_role, leader_probe, zone, nodes:"
          + " [{node, host, from, to, zone, steps: [{phase, summary, commands}]}]}]}], impact:"
          + " {nodes, roles: [{role, nodes, batches, per_node_ms, total_ms, source, runs,"
          + " samples, basis}]}, unverified: [{kind, message}]}; serial_role names the quorum"
          + " role that keeps a batch to one node.",
      "JSON of a run (docs/json/upgrade.schema.json): {schema_version, cluster, target, rollback,"
          + " ok, exit_code, message, staged, hooks, warnings, finalized, finalize_pending,"
          + " finalize, nodes: [{node, from, to, roles, version, state, healthy, duration_ms,"
          + " failed_phase, message, phases}], max_failures, failures, skipped: [{node,"
          + " failed_phase, message}], window_closed_at};"
          + " --prepare-only: docs/json/upgrade-prepare-only.schema.json"
    })
final class UpgradeCommand implements Callable<Integer> {

  private final Environment env;

  @ParentCommand HoistCommand parent;

  @Spec CommandSpec spec;

  @ArgGroup(multiplicity = "0..1")
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
      names = "--finalize",
      description =
          "Once every node is upgraded and healthy, also run the roles' finalize commands (the"
              + " point of no return, as 'hoist finalize' does) in the same run. Without it a"
              + " cluster whose roles define finalize ends 'upgraded, not finalized', still undoable"
              + " with 'hoist rollback --cluster'. E.g. hoist upgrade --cluster --yes --finalize")
  boolean finalizeNow;

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
          "Upgrade at most N nodes at once, whatever the roles' max_parallel or ramp (batches:"
              + " [1, 5, \"20%%\"] becomes 1, 3, 3... with --max-parallel 3; 0, the default: the"
              + " roles' own). Serial roles stay at one.")
  int maxParallel;

  @Option(
      names = "--yes",
      description = "Do not ask for confirmation (needed without a terminal: scripts, cron).")
  boolean yes;

  @Option(
      names = "--on-failure",
      paramLabel = "rollback|stop|skip",
      completionCandidates = Words.OnFailure.class,
      // No default here: a resume takes the interrupted run's unless this is given.
      description =
          "What to do with a node that fails: rollback (undo its phases, the default) or stop"
              + " (leave it as it is for a person to look at); the run stops either way. skip:"
              + " roll it back, mark it skipped and go on with the next batches while the"
              + " failures stay within --max-failures (needed with skip); rolling mode only, and"
              + " never on a serial (quorum) role, where the first failure stops the run.")
  String onFailure;

  @Option(
      names = "--max-failures",
      paramLabel = "N|N%",
      description =
          "Failure budget (implies --on-failure skip): how many failed nodes the run may roll"
              + " back, skip and go past, as a number or a percentage of the nodes it upgrades"
              + " (rounded down; 0: the first failure stops). The failure past the budget stops"
              + " the run, as does a node whose rollback failed. A run with skipped nodes exits 5"
              + " and lists them; --resume counts them and does not retry them. E.g."
              + " --max-failures 2, --max-failures 10%%.")
  String maxFailures;

  @Option(
      names = "--not-after",
      paramLabel = "TIME",
      description =
          "End of the maintenance window (default: not_after of the cluster file): no node"
              + " starts at or after TIME; the nodes in flight finish, then the run ends as"
              + " interrupted (exit 130), to go on with --resume in the next window. TIME: HH:MM"
              + " (the next such time on this machine: today, or tomorrow if passed),"
              + " 2026-11-22T05:30 (local), 2026-11-22T05:30+01:00, or +2h (from now). A TIME"
              + " already passed is refused (exit 2) before anything is staged or touched.")
  String notAfter;

  @Option(
      names = "--resume",
      description =
          "Continue the last run (from its journal) where it stopped, with its target, nodes and"
              + " options: nodes already at the target are left alone, a node caught inside a hop"
              + " finishes it (or is rolled back), the rest go on. A run that finished is not"
              + " resumed. Takes over the stale lock a killed run left.")
  boolean resume;

  @Option(
      names = "--mode",
      paramLabel = "rolling|one-shot",
      completionCandidates = Words.Modes.class,
      defaultValue = "rolling",
      description =
          "rolling (the default): node by node in plan order, the run stops at the first failed"
              + " node. one-shot (WekaIO): check every node first, then stop all, switch all,"
              + " start all and health-check all within --window; if the cluster is not healthy"
              + " in time every node is reverted to the previous release.")
  String mode;

  @Option(
      names = "--window",
      paramLabel = "DURATION",
      description =
          "One-shot only: how long the cluster may be disrupted, from the first stop until every"
              + " node is healthy (default 10m); past it, every node is reverted.")
  String window;

  @Option(
      names = "--stop-timeout",
      paramLabel = "DURATION",
      description = "Time limit of a node's stop (and drain); default: timeouts.stop (90s).")
  String stopTimeout;

  @Option(
      names = "--switch-timeout",
      paramLabel = "DURATION",
      description =
          "Time limit of a node's switch or install command; default: timeouts.switch (180s).")
  String switchTimeout;

  @Option(
      names = "--start-timeout",
      paramLabel = "DURATION",
      description = "Time limit of a node's start and migration; default: timeouts.start (300s).")
  String startTimeout;

  @Option(
      names = "--ignore-inspect-failures",
      description = "Pre-validation check failures are warnings instead of stopping the node.")
  boolean ignoreInspectFailures;

  @Mixin NodeAccessOptions access = new NodeAccessOptions();

  @Mixin LockOptions locking = new LockOptions();

  UpgradeCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    if (resume) {
      return resume();
    }
    if (selection == null) {
      throw new UsageException("name the nodes to upgrade, or give --cluster (or --resume)");
    }
    FailureBudget budget = budget(null);
    if (onFailure == null) {
      onFailure = "rollback";
    }
    if (!dryRun && !prepareOnly && !yes && !env.interactive()) {
      throw new UsageException(
          "refusing to change nodes without confirmation: add --yes (scripts, cron) or run it on"
              + " a terminal");
    }
    if (!mode.equals("rolling") && !mode.equals("one-shot")) {
      throw new UsageException("--mode must be rolling or one-shot, got '" + mode + "'");
    }
    if (window != null && !mode.equals("one-shot")) {
      throw new UsageException("--window applies to --mode one-shot only");
    }
    if (budget != null && mode.equals("one-shot")) {
      throw new UsageException(
          "--on-failure skip and --max-failures apply to --mode rolling only: one-shot reverts"
              + " every node when one fails");
    }
    if (prepareOnly && (budget != null || notAfter != null)) {
      throw new UsageException(
          "--prepare-only switches no node: drop "
              + (budget != null ? "--max-failures/--on-failure skip" : "--not-after"));
    }
    Duration oneShotWindow =
        mode.equals("one-shot") ? duration("--window", window == null ? "10m" : window) : null;
    GlobalOptions global = parent.global;
    CommandContext context =
        withTimeouts(CommandContext.load(env, global, access.acceptNewHostKeys));
    // Before the nodes are even asked their versions: a closed window touches nothing.
    Instant windowEnd = prepareOnly ? null : windowEnd(context);
    if (!dryRun && !prepareOnly) {
      FinalizeService.refuseUnfinalized(stateDir(env));
    }
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
      return dryRun(plan, context, console);
    }
    if (prepareOnly) {
      return prepare(plan, context, console);
    }
    return upgrade(
        plan,
        context,
        console,
        new UpgradeService.Options(
            force,
            ignoreInspectFailures,
            !onFailure.equals("stop"),
            FanOut.DEFAULT_MAX_PARALLEL,
            oneShotWindow,
            null,
            budget,
            windowEnd),
        false,
        service.markers());
  }

  /**
   * The failure budget of {@code --on-failure} and {@code --max-failures} (sets {@code onFailure}
   * to skip when only the budget is given), or null; checks that they go together.
   *
   * @param resumed the budget of the run being resumed (its resolved count), or null
   */
  private FailureBudget budget(FailureBudget resumed) {
    if (onFailure != null
        && !onFailure.equals("rollback")
        && !onFailure.equals("stop")
        && !onFailure.equals("skip")) {
      throw new UsageException(
          "--on-failure must be rollback, stop or skip, got '" + onFailure + "'");
    }
    if (maxFailures == null) {
      if ("skip".equals(onFailure) && resumed == null) {
        throw new UsageException(
            "--on-failure skip needs a failure budget: add --max-failures N or N% (e.g."
                + " --max-failures 2)");
      }
      return onFailure == null || onFailure.equals("skip") ? resumed : null;
    }
    if (onFailure != null && !onFailure.equals("skip")) {
      throw new UsageException(
          "--max-failures goes with --on-failure skip (a skipped node is rolled back first),"
              + " not --on-failure "
              + onFailure);
    }
    onFailure = "skip";
    try {
      return FailureBudget.parse(maxFailures);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--max-failures: " + e.getMessage());
    }
  }

  /**
   * The end of the maintenance window: {@code --not-after}, else the cluster file's {@code
   * not_after}, read now on this machine's clock; null when neither is set. Refuses one already
   * passed (but not for --dry-run, which changes nothing).
   */
  private Instant windowEnd(CommandContext context) {
    String text = notAfter != null ? notAfter : context.cluster().notAfter();
    if (text == null) {
      return null;
    }
    String source = notAfter != null ? "--not-after" : "not_after (cluster file)";
    Clock clock = Clock.systemDefaultZone();
    Instant end;
    try {
      end = NotAfter.resolve(text, clock);
    } catch (IllegalArgumentException e) {
      throw new UsageException(source + ": " + e.getMessage());
    }
    Instant now = clock.instant();
    if (!dryRun && !end.isAfter(now)) {
      throw new UsageException(
          "the maintenance window is already closed: "
              + source
              + " "
              + text
              + " is "
              + UpgradeReport.local(end)
              + ", now is "
              + UpgradeReport.local(now)
              + "; nothing was staged or changed. Give a later --not-after.");
    }
    return end;
  }

  /** {@code --dry-run}: the plan, its impact and what it could not verify; nothing changes. */
  private int dryRun(Plan plan, CommandContext context, Console console) {
    List<io.hoist.journal.Downtimes.Sample> earlier;
    try {
      earlier = io.hoist.journal.Downtimes.of(stateDir(env), context.cluster().name());
    } catch (UsageException | java.io.UncheckedIOException e) {
      // The estimate falls back to the timeouts: a state directory hoist may not use (another
      // owner, unreadable) stops a run, not a plan.
      console.note("earlier runs not read (" + e.getMessage() + "); downtime from the timeouts");
      earlier = List.of();
    }
    DryRunReport report = DryRunReport.of(context.cluster(), plan, earlier);
    if (console.isJson()) {
      console.json(Json.plan(plan, report));
    } else {
      console.result(Text.plan(plan, report));
    }
    return ExitCode.OK.code();
  }

  /** {@code --resume}: the last run again, from where it stopped. */
  private int resume() {
    List<String> conflicting = new ArrayList<>();
    if (selection != null) {
      conflicting.add(selection.cluster ? "--cluster" : "NODE");
    }
    if (to != null) {
      conflicting.add("--to");
    }
    if (!roleOrder.isEmpty()) {
      conflicting.add("--role-order");
    }
    if (force) {
      conflicting.add("--force");
    }
    if (prepareOnly) {
      conflicting.add("--prepare-only");
    }
    if (!mode.equals("rolling") || window != null) {
      conflicting.add("--mode/--window");
    }
    if (!conflicting.isEmpty()) {
      throw new UsageException(
          "--resume continues the last run with its own nodes and options; drop "
              + String.join(", ", conflicting));
    }
    if (!dryRun && !yes && !env.interactive()) {
      throw new UsageException(
          "refusing to change nodes without confirmation: add --yes (scripts, cron) or run it on"
              + " a terminal");
    }
    Path stateDir = stateDir(env);
    Path last =
        io.hoist.journal.Runs.last(stateDir)
            .orElseThrow(
                () ->
                    new UsageException(
                        "no run to resume: none is recorded in "
                            + io.hoist.journal.Runs.dir(stateDir)));
    io.hoist.journal.RunState state =
        io.hoist.journal.RunState.of(
            io.hoist.journal.JournalReader.read(last.resolve(io.hoist.journal.Journal.FILE)));
    com.fasterxml.jackson.databind.JsonNode started = state.started();
    Console console = Console.of(spec, parent.global);
    if (!"upgrade".equals(started.path("command").asText())) {
      throw new UsageException(
          "the last run, "
              + state.runId()
              + ", was not an upgrade ('hoist "
              + started.path("command").asText()
              + "'); --resume continues upgrades");
    }
    if (state.ended()
        && !state.skipped().isEmpty()
        && state.nodes().stream()
            .allMatch(
                n ->
                    n.state() == io.hoist.journal.RunState.NodeState.DONE
                        || n.state() == io.hoist.journal.RunState.NodeState.SKIPPED)) {
      return skippedOnly(state, console);
    }
    if (state.complete() && state.ended()) {
      String message =
          "The last run, "
              + state.runId()
              + ", finished: every node is at "
              + started.path("target").asText()
              + ". Nothing to resume.";
      if (console.isJson()) {
        console.json(
            UpgradeReport.result(
                started.path("cluster").asText(),
                started.path("target").asText(),
                false,
                ExitCode.OK.code(),
                message,
                List.of(),
                List.of(),
                List.of(),
                List.of()));
      } else {
        console.result(List.of(message));
      }
      return ExitCode.OK.code();
    }
    GlobalOptions global = parent.global;
    if (global.clusterFile == null && env.get("HOIST_CLUSTER") == null) {
      global.clusterFile = started.path("cluster_file").asText();
    }
    CommandContext context =
        withTimeouts(CommandContext.load(env, global, access.acceptNewHostKeys));
    // A resume does not take the old run's window (it has closed): --not-after or not_after.
    Instant windowEnd = windowEnd(context);
    String cluster = started.path("cluster").asText();
    if (!context.cluster().name().equals(cluster)) {
      throw new UsageException(
          "the last run, "
              + state.runId()
              + ", was on cluster "
              + cluster
              + ", not "
              + context.cluster().name()
              + "; use -c "
              + started.path("cluster_file").asText());
    }
    if (state.complete()) {
      return finishAfterCluster(state, context, console, stateDir);
    }
    List<String> names = new ArrayList<>();
    started.path("nodes").fieldNames().forEachRemaining(names::add);
    List<String> order = new ArrayList<>();
    // A loop, not forEach with a lambda: the lambda's method would take a JsonNode, and picocli's
    // reflection over this class's methods (every run, also --help) would load Jackson.
    for (com.fasterxml.jackson.databind.JsonNode role : started.path("role_order")) {
      order.add(role.asText());
    }
    Resume carried = Resume.of(io.hoist.journal.Runs.chain(stateDir, state));
    PlanService planner =
        new PlanService(
            context.cluster(), context.transports(), context.secretValues(), context.baseDir());
    Plan plan =
        planner.plan(
            context.select(names),
            Optional.of(Version.parse(started.path("target").asText())),
            order,
            started.path("force").asBoolean(),
            FanOut.DEFAULT_MAX_PARALLEL,
            maxParallel,
            carried.overrides());
    console.note(
        "resuming run "
            + state.runId()
            + (carried.inHop().isEmpty()
                ? ""
                : "; finishing the hop of " + String.join(", ", carried.inHop().keySet())));
    if (dryRun) {
      return dryRun(plan, context, console);
    }
    if (onFailure == null && "skip".equals(started.path("on_failure").asText())) {
      onFailure = maxFailures == null ? "skip" : null;
    }
    FailureBudget budget =
        budget(
            started.has("max_failures_allowed")
                ? new FailureBudget(started.path("max_failures_allowed").asInt(), false)
                : null);
    if (budget != null && !"rolling".equals(started.path("mode").asText("rolling"))) {
      throw new UsageException(
          "--on-failure skip and --max-failures apply to --mode rolling only: the run resumed"
              + " was one-shot");
    }
    boolean rollback =
        onFailure != null
            ? !onFailure.equals("stop")
            : !"stop".equals(started.path("on_failure").asText());
    Duration oneShot =
        "one-shot".equals(started.path("mode").asText())
            ? Duration.ofMillis(started.path("window_ms").asLong(600_000))
            : null;
    return upgrade(
        plan,
        context,
        console,
        new UpgradeService.Options(
            started.path("force").asBoolean(),
            started.path("ignore_inspect_failures").asBoolean(),
            rollback,
            FanOut.DEFAULT_MAX_PARALLEL,
            oneShot,
            carried,
            budget,
            windowEnd),
        true,
        planner.markers());
  }

  /**
   * The last run ended with every node at the target but those it skipped past: a resume does not
   * retry them (they failed; 'hoist upgrade NODE' does, once the cause is fixed). Exit 5.
   */
  private int skippedOnly(io.hoist.journal.RunState state, Console console) {
    List<String> names =
        state.skipped().stream().map(io.hoist.journal.RunState.Node::node).toList();
    String message =
        "The last run, "
            + state.runId()
            + ", ended with every node at "
            + state.started().path("target").asText()
            + " but the SKIPPED ones ("
            + String.join(", ", names)
            + "): --resume does not retry skipped nodes; fix the cause and run 'hoist upgrade "
            + String.join(" ", names)
            + "'.";
    int code = ExitCode.NEEDS_ATTENTION.code();
    if (console.isJson()) {
      Map<String, Object> json =
          UpgradeReport.result(
              state.started().path("cluster").asText(),
              state.started().path("target").asText(),
              false,
              code,
              message,
              List.of(),
              List.of(),
              List.of(),
              List.of());
      List<Map<String, Object>> skipped = new ArrayList<>();
      for (io.hoist.journal.RunState.Node node : state.skipped()) {
        Map<String, Object> n = new java.util.LinkedHashMap<>();
        n.put("node", node.node());
        n.put("failed_phase", node.failedPhase());
        n.put("message", node.message());
        skipped.add(n);
      }
      json.put("skipped", skipped);
      console.json(json);
    } else {
      console.result(List.of(message));
    }
    return code;
  }

  /** The context with the --stop/--switch/--start-timeout overrides applied. */
  private CommandContext withTimeouts(CommandContext context) {
    if (stopTimeout == null && switchTimeout == null && startTimeout == null) {
      return context;
    }
    Timeouts t = context.cluster().timeouts();
    return context.withTimeouts(
        new Timeouts(
            t.command(),
            stopTimeout == null ? t.stop() : duration("--stop-timeout", stopTimeout),
            switchTimeout == null ? t.switchRelease() : duration("--switch-timeout", switchTimeout),
            startTimeout == null ? t.start() : duration("--start-timeout", startTimeout)));
  }

  private static Duration duration(String option, String text) {
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(option + ": " + e.getMessage());
    }
    if (d.isZero() || d.isNegative()) {
      throw new UsageException(option + " must be longer than 0, got '" + text + "'");
    }
    return d;
  }

  /**
   * A run killed after its last node and before it ended: every node is at the target, but its
   * after_cluster hook may not have run. Runs it (journaled as a resume), and nothing else.
   */
  @SuppressWarnings("try") // the lock is held for the block, not used in it
  private int finishAfterCluster(
      io.hoist.journal.RunState state, CommandContext context, Console console, Path stateDir) {
    String after = context.cluster().hooks().afterCluster();
    console.note(
        "the last run, "
            + state.runId()
            + ", upgraded every node but was stopped before it ended"
            + (after == null || after.isBlank() ? "" : ": running after_cluster"));
    String target = state.started().path("target").asText();
    if (dryRun) {
      if (console.isJson()) {
        List<String> order = new ArrayList<>();
        // A loop, not a lambda: the lambda's method would take a JsonNode, which picocli's
        // reflection would then load for every --help.
        for (com.fasterxml.jackson.databind.JsonNode role : state.started().path("role_order")) {
          order.add(role.asText());
        }
        List<io.hoist.plan.NodePath> nodes =
            state.nodes().stream()
                .map(
                    n ->
                        new io.hoist.plan.NodePath(
                            n.node(), n.reached(), List.of(), "already at " + target))
                .toList();
        console.json(
            Json.plan(new Plan(context.cluster().name(), target, order, nodes, List.of())));
      }
      return ExitCode.OK.code();
    }
    try (io.hoist.journal.RunLock lock = context.lock(spec, true, console)) {
      Path runDir = io.hoist.journal.Runs.create(stateDir, Clock.systemUTC());
      try (io.hoist.journal.Journal journal =
          io.hoist.journal.Journal.create(runDir, Clock.systemUTC())) {
        Map<String, Object> details = context.invocation(spec, "upgrade");
        details.put("cluster", context.cluster().name());
        details.put("target", state.started().path("target").asText());
        details.put("resumes", state.runId());
        details.put("nodes", Map.of());
        journal.runStarted(runDir.getFileName().toString(), details);
        int code = ExitCode.OK.code();
        List<io.hoist.run.HookRunner.HookOutcome> hooks = new ArrayList<>();
        if (after != null && !after.isBlank()) {
          io.hoist.run.HookRunner.HookOutcome outcome =
              context.hooks().run(io.hoist.run.ClusterRun.AFTER_CLUSTER, after);
          journal.hookEnded(outcome.hook(), outcome.success(), outcome.message());
          hooks.add(outcome);
          if (!outcome.success()) {
            code = ExitCode.NEEDS_ATTENTION.code();
          }
        }
        journal.runEnded(code, false);
        String message =
            "Every node is at " + target + "; the run " + state.runId() + " is finished now.";
        if (console.isJson()) {
          console.json(
              UpgradeReport.result(
                  context.cluster().name(),
                  target,
                  false,
                  code,
                  message,
                  List.of(),
                  hooks,
                  List.of(),
                  List.of()));
        } else {
          console.result(List.of(message));
        }
        hooks.stream().filter(h -> !h.success()).forEach(h -> console.problem(h.message()));
        return code;
      }
    }
  }

  /** Stages every hop's release, then upgrades the nodes, rolling or one-shot. */
  @SuppressWarnings("try") // the lock is held for the block, not used in it
  private int upgrade(
      Plan plan,
      CommandContext context,
      Console console,
      UpgradeService.Options options,
      boolean resuming,
      Map<String, io.hoist.command.NodeMarker.Read> markers) {
    if (plan.isEmpty()) {
      String message = "Nothing to upgrade: every node is at " + plan.target() + ".";
      if (console.isJson()) {
        console.json(
            UpgradeReport.unchanged(
                context.cluster(), plan, ExitCode.OK.code(), message, List.of()));
      } else {
        console.result(List.of(message));
      }
      warnUnfinished(console);
      return ExitCode.OK.code();
    }
    long count = plan.nodes().stream().filter(n -> !n.versions().isEmpty()).count();
    if (!yes && !confirm(plan, "Upgrade " + count + " nodes to " + plan.target() + "?", console)) {
      declined(context, plan, console);
      return ExitCode.OK.code();
    }
    UpgradeService service =
        new UpgradeService(
                context.cluster(),
                context.transports(),
                context.releases(),
                context.hooks(),
                stateDir(env),
                Sleeper.REAL,
                Clock.systemUTC())
            .finalizing(finalizeNow, context.secretValues())
            // The plan read the markers with the versions a moment ago: not again.
            .knowingMarkers(markers);
    UpgradeService.Upgrade upgrade;
    // A resume takes over the stale lock of the run it resumes (never a live one).
    try (io.hoist.journal.RunLock lock =
            context.lock(spec, locking.breakLock || resuming, console);
        LiveView live = LiveView.of(console, env, parent.global, Clock.systemUTC())) {
      upgrade =
          service.upgrade(
              plan,
              options,
              version -> Progress.download(version.text(), console, env),
              result -> console.note(Text.staged(result)),
              console::note,
              console.isJson() ? io.hoist.phase.RunRecord.both(live, Json.warmsTheReport()) : live,
              context.invocation(spec, "upgrade"));
    }
    return UpgradeReport.print(context.cluster().name(), context.cluster(), plan, upgrade, console);
  }

  /** The answer to the confirmation was no: nothing was changed (exit 0). */
  static void declined(CommandContext context, Plan plan, Console console) {
    String message = "Nothing was changed.";
    if (console.isJson()) {
      console.json(
          UpgradeReport.unchanged(
              context.cluster(),
              plan,
              ExitCode.OK.code(),
              message + " (not confirmed)",
              List.of()));
    }
    console.note(message);
  }

  /**
   * A node a killed run left inside a hop may already report the new release: say so when the last
   * run did not end, so that "nothing to upgrade" is not taken for "all is well".
   */
  private void warnUnfinished(Console console) {
    Optional<Path> last = io.hoist.journal.Runs.last(stateDir(env));
    if (last.isEmpty()) {
      return;
    }
    io.hoist.journal.RunState state =
        io.hoist.journal.RunState.of(
            io.hoist.journal.JournalReader.read(last.get().resolve(io.hoist.journal.Journal.FILE)));
    if (!state.ended()) {
      List<String> inside =
          state.nodes().stream()
              .filter(n -> n.state() == io.hoist.journal.RunState.NodeState.IN_PROGRESS)
              .map(io.hoist.journal.RunState.Node::node)
              .toList();
      console.note(
          "warning: the last run, "
              + state.runId()
              + ", did not end"
              + (inside.isEmpty() ? "" : " (" + String.join(", ", inside) + " inside a hop)")
              + ": see 'hoist status'; 'hoist upgrade --resume' finishes it");
    }
  }

  /** Shows the plan's nodes and hops on stderr and asks; whether the answer was yes. */
  static boolean confirm(Plan plan, String question, Console console) {
    List<String> lines = Text.plan(plan);
    for (String line : lines.subList(1, lines.size())) {
      if (!line.startsWith("  ")) {
        console.err().println(Text.forTerminal(line));
      }
    }
    return ask(question, console);
  }

  /** Asks a yes/no question on the terminal; anything but y or yes is no. */
  static boolean ask(String question, Console console) {
    console.err().print(question + " [y/N] ");
    console.err().flush();
    try {
      String answer =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      return answer != null
          && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * hoist's state directory (backups, node logs): $HOIST_STATE_DIR, else /var/lib/hoist as root,
   * else $XDG_STATE_HOME/hoist, else ~/.local/state/hoist. One that exists must be the user's own
   * and writable by nobody else ({@link io.hoist.journal.StateDir}).
   */
  static Path stateDir(Environment env) {
    return io.hoist.journal.StateDir.check(locateStateDir(env), System.getProperty("user.name"));
  }

  private static Path locateStateDir(Environment env) {
    String override = env.get("HOIST_STATE_DIR");
    if (override != null && override.startsWith("/")) {
      return Path.of(override);
    }
    if (env.root()) {
      return Path.of("/var/lib/hoist");
    }
    String xdg = env.get("XDG_STATE_HOME");
    if (xdg != null && xdg.startsWith("/")) {
      return Path.of(xdg).resolve("hoist");
    }
    return env.home().resolve(".local").resolve("state").resolve("hoist");
  }

  /** Stages every hop's release on that hop's nodes, hop by hop. */
  @SuppressWarnings("try") // the lock is held for the block, not used in it
  private int prepare(Plan plan, CommandContext context, Console console) {
    if (plan.isEmpty()) {
      return PrepareReport.printHops(context.cluster().name(), plan.target(), List.of(), console);
    }
    List<ReleaseService.Prepared> prepared = new ArrayList<>();
    try (io.hoist.journal.RunLock lock = context.lock(spec, locking.breakLock, console)) {
      io.hoist.run.NodeMarkers.refuseForeign(
          context.transports(),
          plan.nodes().stream()
              .filter(p -> !p.versions().isEmpty())
              .map(p -> context.cluster().node(p.node()).orElseThrow())
              .toList(),
          Map.of(),
          java.util.Set.of(),
          "upgrade --prepare-only",
          context.cluster().timeouts().command(),
          FanOut.DEFAULT_MAX_PARALLEL);
      ReleaseService releases = context.releases();
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
    }
    return PrepareReport.printHops(context.cluster().name(), plan.target(), prepared, console);
  }
}
