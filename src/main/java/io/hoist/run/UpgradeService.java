package io.hoist.run;

import io.hoist.backup.BackupStore;
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
import io.hoist.phase.RetirePhase;
import io.hoist.phase.RunRecord;
import io.hoist.phase.Sleeper;
import io.hoist.phase.StartPhase;
import io.hoist.phase.StopPhase;
import io.hoist.phase.VersionCheckPhase;
import io.hoist.plan.Batch;
import io.hoist.plan.Hop;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Plan;
import io.hoist.plan.Step;
import io.hoist.release.DownloadProgress;
import io.hoist.release.Version;
import io.hoist.stage.StageResult;
import io.hoist.transport.TransportFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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
   */
  public record Options(
      boolean force,
      boolean ignoreInspectFailures,
      boolean rollback,
      int maxParallel,
      Duration oneShotWindow) {

    /** Rolling. */
    public Options(
        boolean force, boolean ignoreInspectFailures, boolean rollback, int maxParallel) {
      this(force, ignoreInspectFailures, rollback, maxParallel, null);
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
   */
  public record Upgrade(
      List<ReleaseService.Prepared> staged,
      Optional<RunResult> run,
      RecordedRun record,
      Path logDir,
      Path backupDir) {

    public Upgrade {
      staged = List.copyOf(staged);
      Objects.requireNonNull(run, "run");
    }

    /** The exit code: the run's; 3 when staging failed (nothing switched). */
    public int exitCode() {
      return run.map(RunResult::exitCode).orElse(RunResult.NOTHING_CHANGED);
    }
  }

  private final Cluster cluster;
  private final TransportFactory transports;
  private final ReleaseService releases;
  private final HookRunner hooks;
  private final Path stateDir;
  private final Sleeper sleeper;
  private final Clock clock;

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
  }

  /**
   * The node-log directory of a run that starts now: {@code logs/RUN-ID} under the state directory,
   * the run id being the UTC time ({@code 20261121T131847Z}). Not created here.
   */
  public static Path logDir(Path stateDir, Clock clock) {
    String runId =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .format(clock.instant().atOffset(ZoneOffset.UTC));
    return stateDir.resolve("logs").resolve(runId);
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
   */
  public Upgrade upgrade(
      Plan plan,
      Options options,
      java.util.function.Function<Version, DownloadProgress> progress,
      Consumer<StageResult> onStaged,
      Consumer<String> note,
      RunRecord observer) {
    List<ReleaseService.Prepared> staged = new ArrayList<>();
    RecordedRun record = new RecordedRun();
    Path logDir = logDir(stateDir, clock);
    for (Hop hop : plan.hops()) {
      List<Node> nodes = new ArrayList<>();
      Map<String, Version> from = new HashMap<>();
      for (Batch batch : hop.batches()) {
        for (NodeSteps steps : batch.nodes()) {
          nodes.add(node(steps.node()));
          from.put(steps.node(), Version.parse(steps.from()));
        }
      }
      Version version = Version.parse(hop.version());
      note.accept("hop " + hop.number() + " of " + plan.hops().size() + ": staging " + version);
      ReleaseService.Prepared prepared =
          releases.prepare(
              version, nodes, options.maxParallel(), progress.apply(version), onStaged, from);
      staged.add(prepared);
      if (!prepared.isOk()) {
        return new Upgrade(staged, Optional.empty(), record, logDir, backupDir(stateDir));
      }
    }
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the log directory " + logDir, e);
    }
    BackupStore store = new BackupStore(backupDir(stateDir), clock);
    BackupPhase backup =
        cluster.backup().paths().isEmpty() ? null : new BackupPhase(store, cluster.backup());
    ClusterRun run =
        new ClusterRun(
            cluster,
            plan,
            transports,
            steps -> phasesFor(steps, options, backup),
            new PhaseRunner(RunRecord.both(record, observer), clock, options.rollback()),
            sleeper,
            hooks,
            logDir,
            clock,
            options.oneShotWindow());
    return new Upgrade(staged, Optional.of(run.run()), record, logDir, backupDir(stateDir));
  }

  /**
   * The phases a node's steps name, in {@link PhaseId} order; the backup right before the install
   * when {@code backup} is set.
   */
  static List<Phase> phasesFor(NodeSteps steps, Options options, BackupPhase backup) {
    Set<PhaseId> named = steps.steps().stream().map(Step::phase).collect(Collectors.toSet());
    Map<PhaseId, Phase> all = new EnumMap<>(PhaseId.class);
    all.put(PhaseId.VERSION_CHECK, new VersionCheckPhase(options.force()));
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
        phases.add(all.get(id));
      }
    }
    return phases;
  }

  private Node node(String name) {
    return cluster
        .node(name)
        .orElseThrow(
            () -> new IllegalStateException("the plan names node " + name + " not in the cluster"));
  }
}
