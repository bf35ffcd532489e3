package io.hoist.run;

import io.hoist.command.ShellCommand;
import io.hoist.error.InterruptedRunException;
import io.hoist.error.TransportException;
import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.model.PhaseId;
import io.hoist.model.Role;
import io.hoist.phase.NodeLog;
import io.hoist.phase.NodeOutcome;
import io.hoist.phase.Phase;
import io.hoist.phase.PhaseContext;
import io.hoist.phase.PhaseRunner;
import io.hoist.phase.Sleeper;
import io.hoist.plan.Batch;
import io.hoist.plan.Hop;
import io.hoist.plan.NodePath;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Plan;
import io.hoist.run.HookRunner.HookOutcome;
import io.hoist.run.RunResult.NodeResult;
import io.hoist.run.RunResult.State;
import io.hoist.transport.OutputSink;
import io.hoist.transport.TransportFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs a plan on the cluster, rolling: {@code before_cluster} first; hops in order, each only after
 * every node of the previous one succeeded; within a hop, batches in order, a batch's nodes at
 * once; {@code after_cluster} always, in {@code finally}.
 *
 * <p>Serial roles: the batches of one serial role form a group. When the run reaches the group's
 * first batch it runs every member's leader probe on that member (exit 0: leader) and moves the
 * leader's batch after the group's last batch; when no member or several answer, plan order stays
 * and a warning is recorded. After a serial node succeeded and another member of its role follows
 * in the hop, the run sleeps the role's {@code settle}.
 *
 * <p>The run stops after the first batch with a failed node: later nodes are never touched ({@link
 * State#NOT_STARTED}). With a failure budget ({@link Limits#maxFailures()}, {@code --on-failure
 * skip}) a node that failed and was rolled back cleanly (or failed its checks before anything
 * changed) is marked {@link State#SKIPPED}, not taken to later hops, and the run goes on while the
 * failures counted (those skipped by the runs this one resumes, then this run's, in batch order)
 * are within the budget; the failure past it stops the run. A node whose rollback failed always
 * stops the run, and so does any failure in a batch of a serial (quorum) role: the next member
 * would go down while this one may not be serving, and two members down may lose the quorum.
 *
 * <p>A maintenance window ({@link Limits#notAfter()}): before each batch the run reads the clock;
 * once the window's end is reached no new node starts, the batches in flight finish their nodes,
 * and the result is interrupted (resumable) with {@link RunResult#windowClosed()} set. A settle
 * wait that would end after the window's end is not waited: the next node could not start anyway.
 * When the calling thread is interrupted, no new batch starts, running nodes stop before their next
 * phase ({@link State#INTERRUPTED}), {@code after_cluster} runs and the result says {@code
 * interrupted}; the interrupt flag is set again on return.
 *
 * <p>A batch is over for the run once each of its nodes' outcome is known ({@link PhaseRunner#run(
 * PhaseContext, List, java.util.function.Consumer)}): the next batch starts while the finished
 * nodes still remove their node marker and record their end. Each hop, and the run, waits for those
 * before it ends, so that a node's end is always in the journal before {@code after_cluster} and
 * the report, and a node killed in between is still open there (a resume takes it up again).
 *
 * <p>One executor per run, sized for twice the largest batch (one batch running, the one before it
 * finishing). Blocking; one {@link #run()} per instance.
 */
public final class ClusterRun {

  /** The hook run first. */
  public static final String BEFORE_CLUSTER = "before_cluster";

  /** The hook always run last. */
  public static final String AFTER_CLUSTER = "after_cluster";

  private final Cluster cluster;
  private final Plan plan;
  private final TransportFactory transports;
  private final Function<NodeSteps, List<Phase>> phasesFor;
  private final PhaseRunner runner;
  private final Sleeper sleeper;
  private final HookRunner hooks;
  private final Path logDir;
  private final Clock clock;

  private final Optional<Duration> oneShotWindow;

  private final Limits limits;

  /** Failed nodes counted against the budget: carried over, then this run's. */
  private int failures;

  /** Set when the run stopped because the maintenance window closed. */
  private java.time.Instant windowClosedAt;

  /** The node tasks of this hop that may still be finishing (their outcome is known). */
  private final List<Future<?>> finishing = new ArrayList<>();

  /**
   * What may stop a rolling run besides a failure: a failure budget, a maintenance window.
   *
   * @param maxFailures how many failed nodes may be skipped past ({@code --on-failure skip}), a
   *     percentage already resolved; empty: the first failure stops the run
   * @param skippedBefore the nodes the runs this one resumes skipped past, with their failure:
   *     counted against the budget, never started again, reported as skipped
   * @param notAfter no node starts at or after this instant; null: no window
   */
  public record Limits(
      Optional<Integer> maxFailures, Map<String, NodeOutcome> skippedBefore, Instant notAfter) {

    /** No budget, no window. */
    public static final Limits NONE = new Limits(Optional.empty(), Map.of(), null);

    public Limits {
      Objects.requireNonNull(maxFailures, "maxFailures");
      skippedBefore = Map.copyOf(skippedBefore);
    }
  }

  /** The cluster's nodes by name: looked up once per node and phase, not by a scan of them all. */
  private final Map<String, Node> nodes = new HashMap<>();

  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<HookOutcome> hookOutcomes = new ArrayList<>();

  /**
   * @param cluster the cluster the plan was made for
   * @param plan what to do
   * @param transports opens node transports (shared per node for the whole run)
   * @param phasesFor a node's phases for one hop
   * @param runner runs one node's phases
   * @param sleeper waits for settle times and health-check retries
   * @param hooks runs the cluster hooks on the core node
   * @param logDir where each node's log {@code NODE.log} is appended (must exist)
   * @param clock timestamps in node logs
   */
  public ClusterRun(
      Cluster cluster,
      Plan plan,
      TransportFactory transports,
      Function<NodeSteps, List<Phase>> phasesFor,
      PhaseRunner runner,
      Sleeper sleeper,
      HookRunner hooks,
      Path logDir,
      Clock clock) {
    this(cluster, plan, transports, phasesFor, runner, sleeper, hooks, logDir, clock, null);
  }

  /** A one-shot run as below, without a budget or a maintenance window. */
  public ClusterRun(
      Cluster cluster,
      Plan plan,
      TransportFactory transports,
      Function<NodeSteps, List<Phase>> phasesFor,
      PhaseRunner runner,
      Sleeper sleeper,
      HookRunner hooks,
      Path logDir,
      Clock clock,
      Duration oneShotWindow) {
    this(
        cluster,
        plan,
        transports,
        phasesFor,
        runner,
        sleeper,
        hooks,
        logDir,
        clock,
        oneShotWindow,
        Limits.NONE);
  }

  /**
   * A run in one-shot mode when {@code oneShotWindow} is not null: within each hop, every node goes
   * through one phase before any node starts the next; the node's own failure handling is replaced
   * by the cluster's (a failure reverts every node), and the post-validation retries until the
   * window, counted from the first stop, closes. One-shot reads the maintenance window before each
   * hop and has no failure budget.
   */
  public ClusterRun(
      Cluster cluster,
      Plan plan,
      TransportFactory transports,
      Function<NodeSteps, List<Phase>> phasesFor,
      PhaseRunner runner,
      Sleeper sleeper,
      HookRunner hooks,
      Path logDir,
      Clock clock,
      Duration oneShotWindow,
      Limits limits) {
    this.oneShotWindow = Optional.ofNullable(oneShotWindow);
    this.limits = Objects.requireNonNull(limits, "limits");
    if (oneShotWindow != null && limits.maxFailures().isPresent()) {
      throw new IllegalArgumentException("one-shot mode has no failure budget");
    }
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.plan = Objects.requireNonNull(plan, "plan");
    this.transports = Objects.requireNonNull(transports, "transports");
    this.phasesFor = Objects.requireNonNull(phasesFor, "phasesFor");
    this.runner = Objects.requireNonNull(runner, "runner");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.hooks = Objects.requireNonNull(hooks, "hooks");
    this.logDir = Objects.requireNonNull(logDir, "logDir");
    this.clock = Objects.requireNonNull(clock, "clock");
    cluster.nodes().forEach(node -> nodes.putIfAbsent(node.name(), node));
  }

  /** Runs the plan; outcomes are values, only bugs throw. */
  public RunResult run() {
    Map<String, NodeState> states = new LinkedHashMap<>();
    for (NodePath path : plan.nodes()) {
      states.put(path.node(), new NodeState(path));
    }
    limits
        .skippedBefore()
        .forEach(
            (node, outcome) -> {
              NodeState state = states.get(node);
              if (state != null) {
                state.skippedBefore(outcome);
                failures++;
              }
            });
    boolean interrupted = false;
    int size = 1;
    for (Hop hop : plan.hops()) {
      int inHop = 0;
      for (Batch batch : hop.batches()) {
        size = Math.max(size, batch.nodes().size());
        inHop += batch.nodes().size();
      }
      if (oneShotWindow.isPresent()) {
        size = Math.max(size, inHop);
      }
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            oneShotWindow.isPresent() ? size : 2 * size,
            r -> {
              Thread thread = new Thread(r, "hoist-node-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    Map<String, NodeLog> logs = new HashMap<>();
    try (SharedTransports shared = new SharedTransports(transports)) {
      // Journaled again in this run, so that its journal alone says which nodes are left out.
      states.values().stream()
          .filter(s -> s.state == State.SKIPPED)
          .forEach(s -> recordSkip(s.path.node(), s.outcome));
      if (hook(BEFORE_CLUSTER, cluster.hooks().beforeCluster())) {
        interrupted =
            oneShotWindow.isPresent()
                ? runHopsOneShot(pool, shared, logs, states)
                : runHops(pool, shared, logs, states);
      }
    } finally {
      // A closed window is not an interrupt of this thread: the flag stays as it was.
      boolean wasInterrupted = Thread.interrupted() || interrupted || stopping.get();
      pool.shutdownNow();
      logs.values().forEach(NodeLog::close);
      hook(AFTER_CLUSTER, cluster.hooks().afterCluster());
      if (wasInterrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return result(states, interrupted);
  }

  /** Runs the hops; whether the run was interrupted. */
  private boolean runHops(
      ExecutorService pool,
      SharedTransports shared,
      Map<String, NodeLog> logs,
      Map<String, NodeState> states) {
    try {
      return runHopsFinishing(pool, shared, logs, states);
    } finally {
      awaitFinishing();
    }
  }

  private boolean runHopsFinishing(
      ExecutorService pool,
      SharedTransports shared,
      Map<String, NodeLog> logs,
      Map<String, NodeState> states) {
    boolean interrupted = false;
    hops:
    for (Hop hop : plan.hops()) {
      // The nodes of the hop before have recorded their end: a node of both hops starts clean.
      awaitFinishing();
      List<Batch> order = new ArrayList<>(hop.batches());
      List<String> probed = new ArrayList<>();
      for (int i = 0; i < order.size(); i++) {
        if (Thread.currentThread().isInterrupted() || stopping.get()) {
          interrupted = true;
          break hops;
        }
        if (windowClosed(Duration.ZERO)) {
          break hops;
        }
        // A node that failed to record its end (the journal could not be written) stops the run.
        throwFinishingFailure();
        Batch batch = order.get(i);
        // Moving a leader last brings the next batch here: it may be the first of another serial
        // role (nodes placed by one role, or by none, can belong to different quorums).
        while (batch.serial() && !probed.contains(batch.serialRole())) {
          probed.add(batch.serialRole());
          moveLeaderLast(order, i, batch.serialRole(), shared);
          batch = order.get(i);
        }
        Batch toRun = withoutSkipped(batch, states);
        if (toRun.nodes().isEmpty()) {
          continue;
        }
        boolean ok = runBatch(toRun, pool, shared, logs, states);
        if (stopping.get()) {
          interrupted = true;
          break hops;
        }
        if (!ok && !skipFailed(toRun, states)) {
          break hops;
        }
        if (batch.serial() && laterMember(order, i, batch.serialRole())) {
          Duration settle =
              cluster.role(batch.serialRole()).map(Role::settle).orElse(Duration.ZERO);
          if (!settle.isZero() && windowClosed(settle)) {
            break hops;
          }
          if (!settle.isZero()) {
            try {
              sleeper.sleep(settle);
            } catch (InterruptedException e) {
              stopping.set(true);
              interrupted = true;
              break hops;
            }
          }
        }
      }
    }
    return interrupted;
  }

  /** One-shot: each hop phase by phase across all its nodes; whether the run was interrupted. */
  private boolean runHopsOneShot(
      ExecutorService pool,
      SharedTransports shared,
      Map<String, NodeLog> logs,
      Map<String, NodeState> states) {
    for (Hop hop : plan.hops()) {
      if (Thread.currentThread().isInterrupted() || stopping.get()) {
        return true;
      }
      if (windowClosed(Duration.ZERO)) {
        return false;
      }
      OneShotHop.Outcome outcome =
          new OneShotHop(hop, oneShotWindow.orElseThrow(), clock, runner, stopping, warnings)
              .run(
                  pool,
                  steps -> context(steps, shared, logs),
                  phasesFor,
                  (steps, result) -> states.get(steps.node()).ended(steps, result));
      // The hop is over for its nodes: their logs hold no file open across the next hop.
      logs.values().forEach(NodeLog::close);
      if (outcome == OneShotHop.Outcome.INTERRUPTED) {
        return true;
      }
      if (outcome == OneShotHop.Outcome.FAILED) {
        return false;
      }
    }
    return false;
  }

  private PhaseContext context(
      NodeSteps steps, SharedTransports shared, Map<String, NodeLog> logs) {
    Node node = node(steps.node());
    NodeLog log =
        logs.computeIfAbsent(node.name(), n -> NodeLog.open(logDir.resolve(n + ".log"), clock));
    return new PhaseContext(
        node,
        shared.open(node),
        steps,
        cluster.commandsFor(node, plan.roleOrder()),
        cluster.timeouts(),
        sleeper,
        log);
  }

  private RunResult result(Map<String, NodeState> states, boolean interrupted) {
    List<NodeResult> nodes = new ArrayList<>();
    for (NodeState s : states.values()) {
      nodes.add(s.result());
    }
    return new RunResult(
        nodes,
        hookOutcomes,
        warnings,
        interrupted || windowClosedAt != null,
        limits.maxFailures().map(max -> new RunResult.Budget(max, failures)),
        Optional.ofNullable(windowClosedAt));
  }

  /**
   * Whether the maintenance window is closed {@code ahead} from now (a settle wait that would end
   * past it); if so, records that the run stops for it.
   */
  private boolean windowClosed(Duration ahead) {
    if (limits.notAfter() == null || clock.instant().plus(ahead).isBefore(limits.notAfter())) {
      return false;
    }
    windowClosedAt = limits.notAfter();
    return true;
  }

  /** The batch without the nodes skipped past in an earlier hop (or an earlier run). */
  private static Batch withoutSkipped(Batch batch, Map<String, NodeState> states) {
    List<NodeSteps> left =
        batch.nodes().stream().filter(n -> states.get(n.node()).state != State.SKIPPED).toList();
    return left.size() == batch.nodes().size()
        ? batch
        : new Batch(batch.number(), batch.role(), batch.serialRole(), batch.leaderProbe(), left);
  }

  /**
   * Counts a batch's failed nodes against the budget, in batch order, and marks those within it
   * skipped; whether the run may go on. Never on a serial batch, never past a node that needs a
   * person or was interrupted (see the class comment).
   */
  private boolean skipFailed(Batch batch, Map<String, NodeState> states) {
    boolean goOn = limits.maxFailures().isPresent() && !batch.serial();
    for (NodeSteps steps : batch.nodes()) {
      NodeState state = states.get(steps.node());
      if (state.ok()) {
        continue;
      }
      failures++;
      boolean clean =
          state.state == State.FAILED_ROLLED_BACK || state.state == State.FAILED_UNCHANGED;
      if (goOn && clean && failures <= limits.maxFailures().orElseThrow()) {
        state.skip();
        recordSkip(steps.node(), state.outcome);
      } else {
        goOn = false;
      }
    }
    return goOn;
  }

  private void recordSkip(String node, NodeOutcome outcome) {
    runner
        .record()
        .nodeSkipped(
            node,
            outcome == null ? null : outcome.failedPhase().orElse(null),
            outcome == null ? "" : outcome.message());
  }

  private boolean hook(String name, String command) {
    if (command == null || command.isBlank()) {
      return true;
    }
    HookOutcome outcome = hooks.run(name, command);
    hookOutcomes.add(outcome);
    runner.record().hookEnded(outcome.hook(), outcome.success(), outcome.message());
    return outcome.success();
  }

  /**
   * Runs a batch's nodes at once until each one's outcome is known; whether every node succeeded.
   * Their tasks go on (marker removal, end recorded) into {@link #finishing}.
   */
  private boolean runBatch(
      Batch batch,
      ExecutorService pool,
      SharedTransports shared,
      Map<String, NodeLog> logs,
      Map<String, NodeState> states) {
    List<CompletableFuture<Void>> decided = new ArrayList<>();
    for (NodeSteps steps : batch.nodes()) {
      Node node = node(steps.node());
      PhaseContext context = context(steps, shared, logs);
      List<Phase> phases =
          phasesFor.apply(steps).stream().map(p -> (Phase) new Stoppable(p, stopping)).toList();
      NodeState state = states.get(node.name());
      state.started(steps);
      CompletableFuture<Void> known = new CompletableFuture<>();
      decided.add(known);
      finishing.add(
          pool.submit(
              () -> {
                try {
                  runner.run(
                      context,
                      phases,
                      outcome -> {
                        state.ended(steps, outcome);
                        known.complete(null);
                      });
                } catch (InterruptedRunException e) {
                  state.interrupted();
                } catch (RuntimeException | Error e) {
                  known.completeExceptionally(e);
                  throw e;
                } finally {
                  // The node's hop is over: its log holds no file open across the rest of the run.
                  context.log().close();
                  known.complete(null);
                }
              }));
    }
    for (CompletableFuture<Void> known : decided) {
      await(known);
    }
    return batch.nodes().stream().allMatch(n -> states.get(n.node()).ok());
  }

  /** Waits for every node task still finishing (a bug in one is thrown here). */
  private void awaitFinishing() {
    try {
      for (Future<?> task : finishing) {
        await(task);
      }
    } finally {
      finishing.clear();
    }
  }

  /**
   * Throws what a node task that already ended threw (a bug, a journal that cannot be written);
   * forgets the tasks that ended well.
   */
  private void throwFinishingFailure() {
    for (java.util.Iterator<Future<?>> tasks = finishing.iterator(); tasks.hasNext(); ) {
      Future<?> task = tasks.next();
      if (task.isDone()) {
        await(task);
        tasks.remove();
      }
    }
  }

  /** Waits for {@code future}; an interrupt meanwhile stops the run (nodes end their phase). */
  private void await(Future<?> future) {
    while (true) {
      try {
        future.get();
        return;
      } catch (InterruptedException e) {
        // Let running nodes finish their current phase, then stop.
        stopping.set(true);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw e.getCause() instanceof RuntimeException re
            ? re
            : new IllegalStateException(e.getCause());
      }
    }
  }

  private void moveLeaderLast(List<Batch> order, int first, String role, SharedTransports shared) {
    List<Integer> members = new ArrayList<>();
    for (int j = first; j < order.size(); j++) {
      if (role.equals(order.get(j).serialRole())) {
        members.add(j);
      }
    }
    if (members.stream().allMatch(j -> order.get(j).leaderProbe() == null)) {
      return;
    }
    // Every member is asked at once: the answers are read together, the role is not waiting.
    List<Integer> probed =
        members.stream().filter(j -> order.get(j).leaderProbe() != null).toList();
    List<Boolean> answers =
        FanOut.map(probed, Math.max(1, probed.size()), j -> isLeader(order.get(j), shared));
    List<Integer> leaders = new ArrayList<>();
    for (int k = 0; k < probed.size(); k++) {
      if (answers.get(k)) {
        leaders.add(probed.get(k));
      }
    }
    if (leaders.size() != 1) {
      warnings.add(
          "role "
              + role
              + ": "
              + (leaders.isEmpty() ? "no node" : leaders.size() + " nodes")
              + " answered the leader command; keeping plan order");
      return;
    }
    int last = members.get(members.size() - 1);
    Batch leader = order.remove((int) leaders.get(0));
    order.add(last, leader);
  }

  private boolean isLeader(Batch batch, SharedTransports shared) {
    Node node = node(batch.nodes().get(0).node());
    try {
      return shared
          .open(node)
          .exec(ShellCommand.of(batch.leaderProbe()), cluster.timeouts().command(), OutputSink.NONE)
          .isSuccess();
    } catch (TransportException e) {
      warnings.add("node " + node.name() + ": leader command failed: " + e.getMessage());
      return false;
    }
  }

  private static boolean laterMember(List<Batch> order, int i, String role) {
    for (int j = i + 1; j < order.size(); j++) {
      if (role.equals(order.get(j).serialRole())) {
        return true;
      }
    }
    return false;
  }

  private Node node(String name) {
    Node node = nodes.get(name);
    if (node == null) {
      throw new IllegalStateException("the plan names node " + name + " not in the cluster");
    }
    return node;
  }

  /** A phase that refuses to start once the run is stopping. */
  private record Stoppable(Phase delegate, AtomicBoolean stopping) implements Phase {
    @Override
    public PhaseId id() {
      return delegate.id();
    }

    @Override
    public void mayStart(PhaseContext context) {
      if (stopping.get()) {
        throw new InterruptedRunException(
            "interrupted before " + delegate.id().id() + " on node " + context.node().name());
      }
      delegate.mayStart(context);
    }

    @Override
    public boolean isDone(PhaseContext context) {
      return delegate.isDone(context);
    }

    @Override
    public boolean takesMarkerClaim() {
      return delegate.takesMarkerClaim();
    }

    @Override
    public boolean isDone(PhaseContext context, io.hoist.phase.MarkerClaim claim) {
      return delegate.isDone(context, claim);
    }

    @Override
    public boolean isDoneForTheNode() {
      return delegate.isDoneForTheNode();
    }

    @Override
    public void run(PhaseContext context) {
      delegate.run(context);
    }

    @Override
    public boolean checksAsItRuns() {
      return delegate.checksAsItRuns();
    }

    @Override
    public boolean runUnlessDone(PhaseContext context) {
      return delegate.runUnlessDone(context);
    }

    @Override
    public void undo(PhaseContext context) {
      delegate.undo(context);
    }

    @Override
    public boolean hasUndo(PhaseContext context) {
      return delegate.hasUndo(context);
    }

    @Override
    public void afterUndo(PhaseContext context) {
      delegate.afterUndo(context);
    }

    @Override
    public boolean hasAfterUndo(PhaseContext context) {
      return delegate.hasAfterUndo(context);
    }
  }

  /** One node across the run. Written by the node's thread, read after its batch ended. */
  private static final class NodeState {
    private final NodePath path;
    private volatile String reached;
    private volatile State state;
    private volatile NodeOutcome outcome;

    NodeState(NodePath path) {
      this.path = path;
      this.reached = path.current();
      this.state = path.versions().isEmpty() ? State.ALREADY_AT_TARGET : State.NOT_STARTED;
    }

    void started(NodeSteps steps) {
      state = State.NOT_STARTED;
    }

    void ended(NodeSteps steps, NodeOutcome result) {
      outcome = result;
      switch (result.status()) {
        case UPGRADED, ALREADY_AT_TARGET -> {
          reached = steps.to();
          upgradedOnce |= result.status() == NodeOutcome.Status.UPGRADED;
          state =
              !reached.equals(lastVersion())
                  ? State.PARTLY_UPGRADED
                  : upgradedOnce ? State.UPGRADED : State.ALREADY_AT_TARGET;
        }
        case FAILED_UNCHANGED -> state = State.FAILED_UNCHANGED;
        case FAILED_ROLLED_BACK -> state = State.FAILED_ROLLED_BACK;
        case REVERTED -> state = State.REVERTED;
        case FAILED_NEEDS_ATTENTION -> state = State.FAILED_NEEDS_ATTENTION;
      }
    }

    private volatile boolean upgradedOnce;

    /** Skipped past within the budget: left where its rollback put it. */
    void skip() {
      state = State.SKIPPED;
    }

    /** Skipped past by a run this one resumes: never started in this run. */
    void skippedBefore(NodeOutcome earlier) {
      outcome = earlier;
      state = State.SKIPPED;
    }

    void interrupted() {
      state = State.INTERRUPTED;
    }

    boolean ok() {
      return outcome != null && outcome.isSuccess() && state != State.INTERRUPTED;
    }

    private String lastVersion() {
      return path.versions().isEmpty()
          ? path.current()
          : path.versions().get(path.versions().size() - 1);
    }

    NodeResult result() {
      return new NodeResult(
          path.node(), path.current(), lastVersion(), reached, state, Optional.ofNullable(outcome));
    }
  }
}
