package io.hoist.run;

import io.hoist.backup.BackupStore;
import io.hoist.journal.Journal;
import io.hoist.journal.Runs;
import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.model.PhaseId;
import io.hoist.phase.BackupPhase;
import io.hoist.phase.InstallPhase;
import io.hoist.phase.MigratePhase;
import io.hoist.phase.Phase;
import io.hoist.phase.PhaseRunner;
import io.hoist.phase.PostValidatePhase;
import io.hoist.phase.PreValidatePhase;
import io.hoist.phase.RecordedRun;
import io.hoist.phase.RejoinPhase;
import io.hoist.phase.RestorePhase;
import io.hoist.phase.RetirePhase;
import io.hoist.phase.RunRecord;
import io.hoist.phase.Sleeper;
import io.hoist.phase.StartPhase;
import io.hoist.phase.StopPhase;
import io.hoist.phase.VersionCheckPhase;
import io.hoist.plan.Batch;
import io.hoist.plan.Hop;
import io.hoist.plan.NodePath;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Plan;
import io.hoist.plan.Step;
import io.hoist.release.DownloadProgress;
import io.hoist.release.Version;
import io.hoist.stage.StageResult;
import io.hoist.transport.TransportFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The real rolling upgrade ({@code hoist upgrade} without {@code --dry-run}): first stages the
 * release of every hop of the plan on that hop's nodes ({@link ReleaseService#prepare}); a staging
 * failure stops there, before any node is switched. Then runs the plan with {@link ClusterRun},
 * each node going through the phases its steps name, in {@link PhaseId} order, with a backup before
 * the install when the cluster backs up paths.
 */
public final class UpgradeService {

  /**
   * What the command line chose.
   *
   * @param force also reinstall nodes already at the target
   * @param ignoreInspectFailures pre-validation failures are warnings
   * @param rollback undo a failed node's phases ({@code --on-failure rollback}); else leave it
   * @param maxParallel how many nodes to stage at once
   * @param oneShotWindow one-shot mode with this window ({@link ClusterRun}); {@code null}: rolling
   * @param resume what a resume carries over from the interrupted run, or null
   * @param budget {@code --on-failure skip --max-failures}: how many failed nodes (rolled back) the
   *     run may skip past, or null (the first failure stops the run); rolling only, with rollback
   * @param notAfter the end of the maintenance window ({@code --not-after}): no node starts at or
   *     after it; null: none
   */
  public record Options(
      boolean force,
      boolean ignoreInspectFailures,
      boolean rollback,
      int maxParallel,
      Duration oneShotWindow,
      Resume resume,
      FailureBudget budget,
      java.time.Instant notAfter) {

    public Options {
      if (budget != null && (!rollback || oneShotWindow != null)) {
        throw new IllegalArgumentException(
            "a failure budget needs rolling mode and rollback of the failed nodes");
      }
    }

    /** No failure budget, no maintenance window. */
    public Options(
        boolean force,
        boolean ignoreInspectFailures,
        boolean rollback,
        int maxParallel,
        Duration oneShotWindow,
        Resume resume) {
      this(force, ignoreInspectFailures, rollback, maxParallel, oneShotWindow, resume, null, null);
    }

    /** Rolling. */
    public Options(
        boolean force, boolean ignoreInspectFailures, boolean rollback, int maxParallel) {
      this(force, ignoreInspectFailures, rollback, maxParallel, null, null);
    }

    /** Not a resume. */
    public Options(
        boolean force,
        boolean ignoreInspectFailures,
        boolean rollback,
        int maxParallel,
        Duration oneShotWindow) {
      this(force, ignoreInspectFailures, rollback, maxParallel, oneShotWindow, null);
    }
  }

  /**
   * How an upgrade ended.
   *
   * @param staged the staging of each hop's release, in hop order (up to the first that failed)
   * @param run the rolling run, empty when staging failed and nothing was switched
   * @param record every phase and undo of the run
   * @param logDir where the nodes' logs are
   * @param backupDir where the nodes' backups are ({@code NODE/} under it)
   * @param finalizeRoles the roles of the run with a finalize command, when every node ended at the
   *     target (else empty): the run is "upgraded, not finalized" unless {@code finalized} says so
   * @param finalized the finalize commands run in the same run ({@code --finalize}, {@code when:
   *     auto}), empty when they were not
   */
  public record Upgrade(
      List<ReleaseService.Prepared> staged,
      Optional<RunResult> run,
      RecordedRun record,
      Path logDir,
      Path backupDir,
      List<String> finalizeRoles,
      Optional<FinalizeService.Result> finalized) {

    public Upgrade {
      staged = List.copyOf(staged);
      Objects.requireNonNull(run, "run");
      finalizeRoles = List.copyOf(finalizeRoles);
      Objects.requireNonNull(finalized, "finalized");
    }

    /** Nothing to finalize. */
    public Upgrade(
        List<ReleaseService.Prepared> staged,
        Optional<RunResult> run,
        RecordedRun record,
        Path logDir,
        Path backupDir) {
      this(staged, run, record, logDir, backupDir, List.of(), Optional.empty());
    }

    /**
     * The exit code: the run's; 3 when staging failed (nothing switched); 5 when a finalize command
     * failed after every node was upgraded.
     */
    public int exitCode() {
      int code = run.map(RunResult::exitCode).orElse(RunResult.NOTHING_CHANGED);
      if (code == RunResult.OK && finalized.isPresent() && !finalized.get().finalized()) {
        return RunResult.NEEDS_ATTENTION;
      }
      return code;
    }

    /** Whether the run ended "upgraded, not finalized": finalize commands wait for a person. */
    public boolean finalizePending() {
      return !finalizeRoles.isEmpty() && finalized.map(r -> !r.finalized()).orElse(true);
    }
  }

  private final Cluster cluster;
  private final TransportFactory transports;
  private final ReleaseService releases;
  private final HookRunner hooks;
  private final Path stateDir;
  private final Sleeper sleeper;
  private final Clock clock;
  private final boolean finalizeNow;
  private final Map<String, String> secretValues;
  private final Map<String, io.hoist.command.NodeMarker.Read> knownMarkers;

  /**
   * @param releases stages the hops' releases
   * @param hooks runs the cluster hooks on the core node
   * @param stateDir hoist's state directory: backups under {@code backups/}, node logs under {@code
   *     logs/RUN-ID/}
   */
  public UpgradeService(
      Cluster cluster,
      TransportFactory transports,
      ReleaseService releases,
      HookRunner hooks,
      Path stateDir,
      Sleeper sleeper,
      Clock clock) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.transports = Objects.requireNonNull(transports, "transports");
    this.releases = Objects.requireNonNull(releases, "releases");
    this.hooks = Objects.requireNonNull(hooks, "hooks");
    this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.finalizeNow = false;
    this.secretValues = Map.of();
    this.knownMarkers = Map.of();
  }

  private UpgradeService(
      UpgradeService base,
      boolean finalizeNow,
      Map<String, String> secrets,
      Map<String, io.hoist.command.NodeMarker.Read> knownMarkers) {
    this.cluster = base.cluster;
    this.transports = base.transports;
    this.releases = base.releases;
    this.hooks = base.hooks;
    this.stateDir = base.stateDir;
    this.sleeper = base.sleeper;
    this.clock = base.clock;
    this.finalizeNow = finalizeNow;
    this.secretValues = Map.copyOf(secrets);
    this.knownMarkers = Map.copyOf(knownMarkers);
  }

  /**
   * This service finalizing a successful upgrade in the same run when {@code finalizeNow} ({@code
   * --finalize}) or a role says {@code when: auto}; {@code secrets} render the finalize commands.
   */
  public UpgradeService finalizing(boolean finalizeNow, Map<String, String> secrets) {
    return new UpgradeService(this, finalizeNow, secrets, knownMarkers);
  }

  /**
   * This service taking {@code markers} (read by the plan's version commands moments before, see
   * {@link PlanService#markers()}) as the nodes' markers for its pre-flight refusal instead of
   * reading them again; a node without a usable read there is read as before.
   */
  public UpgradeService knowingMarkers(Map<String, io.hoist.command.NodeMarker.Read> markers) {
    return new UpgradeService(this, finalizeNow, secretValues, markers);
  }

  /**
   * The directory of a run that starts now ({@link Runs#create}): its journal and its nodes' logs.
   * Created here.
   */
  public static Path logDir(Path stateDir, Clock clock) {
    return Runs.create(stateDir, clock);
  }

  /** The backup store under a state directory. */
  public static Path backupDir(Path stateDir) {
    return stateDir.resolve("backups");
  }

  /**
   * Stages, then runs the plan.
   *
   * @param onStaged called as each node's staging ends
   * @param progress the download progress of hop {@code version}
   * @param observer also sees every phase, undo and node end (the live view)
   * @param invocation what started the run (the command and its arguments, the cluster file), for
   *     the journal
   */
  public Upgrade upgrade(
      Plan plan,
      Options options,
      java.util.function.Function<Version, DownloadProgress> progress,
      Consumer<StageResult> onStaged,
      Consumer<String> note,
      RunRecord observer,
      Map<String, Object> invocation) {
    Set<String> carried = Set.of();
    if (options.resume() != null) {
      carried = new java.util.LinkedHashSet<>(options.resume().retired());
      carried.retainAll(planned(plan));
    }
    refuseMarked(plan, options.resume() == null ? Set.of() : options.resume().runs(), "upgrade");
    Path logDir = logDir(stateDir, clock);
    try (Journal journal = Journal.create(logDir, clock)) {
      String runId = logDir.getFileName().toString();
      Map<String, Object> details = started(plan, options, invocation);
      if (!carried.isEmpty()) {
        details.put("retired", List.copyOf(carried));
      }
      journal.runStarted(runId, details);
      BackupStore store = new BackupStore(backupDir(stateDir), clock);
      BackupPhase backup =
          cluster.backup().paths().isEmpty() ? null : new BackupPhase(store, cluster.backup());
      if (backup != null && options.resume() != null) {
        options.resume().backups().forEach(backup::resumeWith);
      }
      Upgrade upgrade =
          execute(
              plan,
              options,
              progress,
              onStaged,
              note,
              RunRecord.both(journal, observer),
              logDir,
              steps -> phasesFor(steps, options, backup),
              options.rollback(),
              false,
              NodeMarkers.of(runId, "upgrade", clock),
              carried);
      upgrade = finalizeStep(plan, options, upgrade, journal, note);
      journal.runEnded(
          upgrade.exitCode(),
          upgrade.run().map(RunResult::interrupted).orElse(false),
          upgrade
              .run()
              .flatMap(RunResult::windowClosed)
              .map(t -> "the maintenance window closed at " + t)
              .orElse(null));
      return upgrade;
    }
  }

  /**
   * After every node reached its target: the run's roles with a finalize command are recorded as
   * pending, then finalized at once with {@code --finalize} or {@code when: auto}.
   */
  private Upgrade finalizeStep(
      Plan plan, Options options, Upgrade upgrade, Journal journal, Consumer<String> note) {
    if (upgrade.run().isEmpty()
        || upgrade.run().get().exitCode() != RunResult.OK
        || upgrade.run().get().interrupted()) {
      return upgrade;
    }
    Map<String, Version[]> versions = new LinkedHashMap<>();
    List<List<String>> batches = new ArrayList<>();
    if (options.resume() != null) {
      // The nodes the resumed runs upgraded are part of this upgrade: finalize them too.
      Optional<Path> earlier = Runs.find(stateDir, options.resume().runId());
      if (earlier.isPresent()) {
        io.hoist.journal.RunState state =
            io.hoist.journal.RunState.of(
                io.hoist.journal.JournalReader.read(earlier.get().resolve(Journal.FILE)));
        for (io.hoist.journal.RunState run : Runs.chain(stateDir, state)) {
          batches.addAll(run.batches());
          for (io.hoist.journal.RunState.Node n : run.nodes()) {
            if (n.from() != null) {
              versions.putIfAbsent(
                  n.node(), new Version[] {Version.parse(n.from()), Version.parse(n.target())});
            }
          }
        }
      }
    }
    for (Hop hop : plan.hops()) {
      hop.batches().forEach(b -> batches.add(b.nodes().stream().map(NodeSteps::node).toList()));
    }
    for (NodePath path : plan.nodes()) {
      Version from = Version.parse(path.current());
      Version to =
          path.versions().isEmpty()
              ? from
              : Version.parse(path.versions().get(path.versions().size() - 1));
      Version[] known = versions.get(path.node());
      versions.put(path.node(), new Version[] {known == null ? from : known[0], to});
    }
    FinalizeService finalizer = new FinalizeService(cluster, transports, secretValues, clock);
    List<String> roles = finalizer.roles(versions.keySet());
    if (roles.isEmpty()) {
      return upgrade;
    }
    journal.finalizePending(roles);
    if (!finalizeNow && !finalizer.isAuto(roles)) {
      return withFinalize(upgrade, roles, Optional.empty());
    }
    note.accept("finalizing: the finalize commands of " + String.join(", ", roles));
    List<FinalizeService.Step> steps =
        finalizer.steps(roles, FinalizeService.order(batches, versions.keySet()), versions);
    String runId = upgrade.logDir().getFileName().toString();
    FinalizeService.Result result =
        finalizer.run(runId, roles, steps, journal, upgrade.logDir(), r -> {});
    return withFinalize(upgrade, roles, Optional.of(result));
  }

  private static Upgrade withFinalize(
      Upgrade upgrade, List<String> roles, Optional<FinalizeService.Result> result) {
    return new Upgrade(
        upgrade.staged(),
        upgrade.run(),
        upgrade.record(),
        upgrade.logDir(),
        upgrade.backupDir(),
        roles,
        result);
  }

  /** The run-started event's details: the invocation, the options, the plan. */
  private Map<String, Object> started(Plan plan, Options options, Map<String, Object> invocation) {
    Map<String, Object> details = new LinkedHashMap<>(invocation);
    details.put("cluster", cluster.name());
    details.put("target", plan.target());
    details.put("mode", options.oneShotWindow() == null ? "rolling" : "one-shot");
    if (options.oneShotWindow() != null) {
      details.put("window_ms", options.oneShotWindow().toMillis());
    }
    details.put(
        "on_failure", options.budget() != null ? "skip" : options.rollback() ? "rollback" : "stop");
    if (options.budget() != null) {
      details.put("max_failures", options.budget().toString());
      details.put("max_failures_allowed", allowedFailures(plan, options));
    }
    if (options.notAfter() != null) {
      details.put("not_after", options.notAfter().toString());
    }
    if (options.resume() != null) {
      details.put("resumes", options.resume().runId());
    }
    details.put("force", options.force());
    details.put("ignore_inspect_failures", options.ignoreInspectFailures());
    details.put("role_order", plan.roleOrder());
    Map<String, Object> nodes = new LinkedHashMap<>();
    for (NodePath path : plan.nodes()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("from", path.current());
      n.put("path", path.versions());
      nodes.put(path.node(), n);
    }
    details.put("nodes", nodes);
    List<Map<String, Object>> hops = new ArrayList<>();
    for (Hop hop : plan.hops()) {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("hop", hop.number());
      h.put("version", hop.version());
      h.put(
          "batches",
          hop.batches().stream()
              .map(b -> b.nodes().stream().map(NodeSteps::node).toList())
              .toList());
      hops.add(h);
    }
    details.put("hops", hops);
    return details;
  }

  /**
   * A rollback ({@code hoist rollback}): journaled like an upgrade, the target releases staged
   * first (a no-op where they are still there), then the plan's nodes in its order, each through
   * version check, retire, stop, restore (the nodes in {@code restores}), switch, start,
   * post-validation, rejoin. A node whose rollback fails is left as it is for a person: a rollback
   * is not itself rolled back.
   *
   * @param restores each node whose data is put back: the backup taken before the upgrade
   */
  public Upgrade rollback(
      Plan plan,
      Map<String, io.hoist.backup.Backup> restores,
      java.util.function.Function<Version, DownloadProgress> progress,
      Consumer<StageResult> onStaged,
      Consumer<String> note,
      RunRecord observer,
      Map<String, Object> invocation) {
    return rollback(plan, restores, Set.of(), progress, onStaged, note, observer, invocation);
  }

  /**
   * A rollback, as {@link #rollback(Plan, Map, java.util.function.Function, Consumer, Consumer,
   * RunRecord, Map)}, of nodes some of which a failed or killed run retired and did not rejoin
   * ({@code owesRejoin}): they count as retired by this run until its rejoin of them succeeds, and
   * are listed as not rejoined when it does not. Refuses (exit 3, nothing changed) a node that
   * carries the marker of a run not recorded in this state directory.
   */
  public Upgrade rollback(
      Plan plan,
      Map<String, io.hoist.backup.Backup> restores,
      Set<String> owesRejoin,
      java.util.function.Function<Version, DownloadProgress> progress,
      Consumer<StageResult> onStaged,
      Consumer<String> note,
      RunRecord observer,
      Map<String, Object> invocation) {
    Options options = new Options(false, false, false, FanOut.DEFAULT_MAX_PARALLEL);
    Set<String> carried = new java.util.LinkedHashSet<>(owesRejoin);
    carried.retainAll(planned(plan));
    refuseMarked(plan, NodeMarkers.recordedRuns(stateDir), "rollback");
    Path logDir = logDir(stateDir, clock);
    try (Journal journal = Journal.create(logDir, clock)) {
      Map<String, Object> details = started(plan, options, invocation);
      if (!carried.isEmpty()) {
        details.put("retired", List.copyOf(carried));
      }
      Map<String, Object> restored = new LinkedHashMap<>();
      restores.forEach((node, b) -> restored.put(node, b.archive().toString()));
      details.put("restores", restored);
      journal.runStarted(logDir.getFileName().toString(), details);
      RestorePhase restore =
          new RestorePhase(new BackupStore(backupDir(stateDir), clock), restores);
      Upgrade result =
          execute(
              plan,
              options,
              progress,
              onStaged,
              note,
              RunRecord.both(journal, observer),
              logDir,
              steps -> rollbackPhases(steps, restore),
              false,
              // The release a node goes back to is normally still there, staged by hoist or
              // not (it ran there): only where it was removed is it staged again.
              true,
              NodeMarkers.of(logDir.getFileName().toString(), "rollback", clock),
              carried);
      journal.runEnded(result.exitCode(), result.run().map(RunResult::interrupted).orElse(false));
      return result;
    }
  }

  /**
   * How many failed nodes the run may skip past: the budget, a percentage of the nodes the run
   * upgrades (those with a hop, less those skipped by the runs it resumes), rounded down.
   */
  static int allowedFailures(Plan plan, Options options) {
    Map<String, ?> skipped = options.resume() == null ? Map.of() : options.resume().skipped();
    int upgrading =
        (int)
            plan.nodes().stream()
                .filter(n -> !n.versions().isEmpty() && !skipped.containsKey(n.node()))
                .count();
    return options.budget().allowed(upgrading);
  }

  /** A rollback's phases for the steps its plan names, in {@link PhaseId} order. */
  static List<Phase> rollbackPhases(NodeSteps steps, RestorePhase restore) {
    Set<PhaseId> named = steps.steps().stream().map(Step::phase).collect(Collectors.toSet());
    Map<PhaseId, Phase> all = new EnumMap<>(PhaseId.class);
    // A node left inside a hop by a killed run may report the release it goes back to: it is
    // brought back up all the same (stop, switch: already done, start, check).
    boolean sameVersion = steps.from().equals(steps.to());
    all.put(PhaseId.VERSION_CHECK, new VersionCheckPhase(sameVersion));
    all.put(PhaseId.RETIRE, new RetirePhase());
    all.put(PhaseId.STOP, new StopPhase());
    all.put(PhaseId.RESTORE, restore);
    all.put(PhaseId.INSTALL, new InstallPhase());
    all.put(PhaseId.START, new StartPhase());
    all.put(PhaseId.POST_VALIDATE, new PostValidatePhase());
    all.put(PhaseId.REJOIN, new RejoinPhase());
    List<Phase> phases = new ArrayList<>();
    for (PhaseId id : PhaseId.values()) {
      if (named.contains(id) && all.containsKey(id)) {
        phases.add(all.get(id));
      }
    }
    return phases;
  }

  private Upgrade execute(
      Plan plan,
      Options options,
      java.util.function.Function<Version, DownloadProgress> progress,
      Consumer<StageResult> onStaged,
      Consumer<String> note,
      RunRecord observer,
      Path logDir,
      java.util.function.Function<NodeSteps, List<Phase>> phases,
      boolean undoOnFailure,
      boolean onlyMissing,
      io.hoist.command.NodeMarker marker,
      Set<String> carriedRetired) {
    List<ReleaseService.Prepared> staged = new ArrayList<>();
    RecordedRun record = new RecordedRun();
    record.carryRetired(carriedRetired);
    Map<String, Node> byName = new HashMap<>();
    cluster.nodes().forEach(n -> byName.putIfAbsent(n.name(), n));
    Map<String, io.hoist.phase.NodeOutcome> skipped =
        options.resume() == null ? Map.of() : options.resume().skipped();
    for (Hop hop : plan.hops()) {
      List<Node> nodes = new ArrayList<>();
      Map<String, Version> from = new HashMap<>();
      for (Batch batch : hop.batches()) {
        for (NodeSteps steps : batch.nodes()) {
          Node node = byName.get(steps.node());
          if (node == null) {
            throw new IllegalStateException(
                "the plan names node " + steps.node() + " not in the cluster");
          }
          if ((onlyMissing && hasRelease(node, hop.version()))
              || skipped.containsKey(node.name())) {
            continue;
          }
          nodes.add(node);
          from.put(steps.node(), Version.parse(steps.from()));
        }
      }
      Version version = Version.parse(hop.version());
      if (nodes.isEmpty()) {
        continue;
      }
      note.accept("hop " + hop.number() + " of " + plan.hops().size() + ": staging " + version);
      ReleaseService.Prepared prepared =
          releases.prepare(
              version, nodes, options.maxParallel(), progress.apply(version), onStaged, from);
      staged.add(prepared);
      if (!prepared.isOk()) {
        return new Upgrade(staged, Optional.empty(), record, logDir, backupDir(stateDir));
      }
    }
    ClusterRun run =
        new ClusterRun(
            cluster,
            plan,
            transports,
            phases,
            new PhaseRunner(RunRecord.both(record, observer), clock, undoOnFailure, marker),
            sleeper,
            hooks,
            logDir,
            clock,
            options.oneShotWindow(),
            new ClusterRun.Limits(
                Optional.ofNullable(options.budget()).map(b -> allowedFailures(plan, options)),
                skipped,
                options.notAfter()));
    return new Upgrade(staged, Optional.of(run.run()), record, logDir, backupDir(stateDir));
  }

  /**
   * The phases a node's steps name, in {@link PhaseId} order; the backup right before the install
   * when {@code backup} is set.
   */
  static List<Phase> phasesFor(NodeSteps steps, Options options, BackupPhase backup) {
    Set<PhaseId> named = steps.steps().stream().map(Step::phase).collect(Collectors.toSet());
    Map<PhaseId, Phase> all = new EnumMap<>(PhaseId.class);
    Resume resume = options.resume();
    boolean inHop = resume != null && resume.inHop(steps.node(), steps.to());
    // A node caught inside this hop may already report the hop's release: go on regardless.
    all.put(PhaseId.VERSION_CHECK, new VersionCheckPhase(options.force() || inHop));
    all.put(PhaseId.PRE_VALIDATE, new PreValidatePhase(options.ignoreInspectFailures()));
    all.put(PhaseId.RETIRE, new RetirePhase());
    all.put(PhaseId.STOP, new StopPhase());
    all.put(PhaseId.INSTALL, new InstallPhase());
    all.put(PhaseId.START, new StartPhase());
    all.put(PhaseId.MIGRATE, new MigratePhase());
    all.put(PhaseId.POST_VALIDATE, new PostValidatePhase());
    all.put(PhaseId.REJOIN, new RejoinPhase());
    List<Phase> phases = new ArrayList<>();
    if (backup != null) {
      all.put(PhaseId.BACKUP, backup);
    }
    for (PhaseId id : PhaseId.values()) {
      if (named.contains(id) && all.containsKey(id)) {
        if (inHop && id == PhaseId.PRE_VALIDATE && resume.passed(steps.node(), id)) {
          // It passed its checks before the crash; they may fail now only because it is
          // half-way (its product stopped).
          continue;
        }
        phases.add(all.get(id));
      }
    }
    return phases;
  }

  /** The names of the plan's nodes. */
  private static Set<String> planned(Plan plan) {
    return plan.nodes().stream().map(NodePath::node).collect(Collectors.toSet());
  }

  /**
   * The pre-flight: refuses the run (exit 3, nothing changed) when a node it is about to change
   * carries the marker of a run not in {@code accepted} ({@link NodeMarkers}).
   */
  private void refuseMarked(Plan plan, Set<String> accepted, String what) {
    Map<String, Node> byName = new HashMap<>();
    cluster.nodes().forEach(n -> byName.putIfAbsent(n.name(), n));
    List<Node> touched =
        plan.nodes().stream()
            .filter(p -> !p.versions().isEmpty())
            .map(p -> byName.get(p.node()))
            .filter(Objects::nonNull)
            .toList();
    NodeMarkers.refuseForeign(
        transports,
        touched,
        knownMarkers,
        accepted,
        what,
        cluster.timeouts().command(),
        FanOut.DEFAULT_MAX_PARALLEL);
  }

  /** Whether the node's release directory of {@code version} is there. */
  private boolean hasRelease(Node node, String version) {
    try (io.hoist.transport.Transport transport = transports.open(node)) {
      return transport
          .exec(
              io.hoist.command.ShellCommand.of(
                  "test -d "
                      + io.hoist.command.ShellQuote.quote(node.layout().releaseDir(version))),
              cluster.timeouts().command(),
              io.hoist.transport.OutputSink.NONE)
          .isSuccess();
    } catch (io.hoist.error.TransportException e) {
      return false;
    }
  }
}
