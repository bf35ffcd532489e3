package io.hoist.run;

import io.hoist.model.PhaseId;
import io.hoist.phase.NodeOutcome;
import io.hoist.phase.NodeRun;
import io.hoist.phase.Phase;
import io.hoist.phase.PhaseContext;
import io.hoist.phase.PhaseRunner;
import io.hoist.phase.PostValidatePhase;
import io.hoist.plan.Batch;
import io.hoist.plan.Hop;
import io.hoist.plan.NodeSteps;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One hop in one-shot mode (WekaIO's {@code upgrade --mode one-shot}): every node of the hop goes
 * through a phase before any node starts the next, so the cluster is stopped, switched and started
 * as one.
 *
 * <ol>
 *   <li>Preparation (the release was staged before): the version check and the pre-validation on
 *       every node. A failure stops here, naming the node: nothing was disrupted, the other nodes
 *       stay not started.
 *   <li>The window opens with the first stop: stop all (each within the stop limit), back up all,
 *       switch all (the switch limit), start all (the start limit), migrate all, then the health
 *       check of all, each node retried until the window closes ({@code --window}).
 *   <li>Any failure after the window opened, or an interrupt, reverts every node that was touched
 *       (in parallel, each with its own rollback: stop, switch back, restore, start, check): the
 *       failed node ends rolled back, the others {@link NodeOutcome.Status#REVERTED}. With {@code
 *       --on-failure stop} nothing is reverted.
 * </ol>
 *
 * Retire and rejoin are not run: the whole cluster goes down together, there is nowhere to drain
 * to.
 */
final class OneShotHop {

  /** How the hop ended. */
  enum Outcome {
    OK,
    FAILED,
    INTERRUPTED
  }

  /** The phases one-shot mode leaves out. */
  static final Set<PhaseId> NOT_IN_ONE_SHOT = EnumSet.of(PhaseId.RETIRE, PhaseId.REJOIN);

  private final Hop hop;
  private final Duration window;
  private final Clock clock;
  private final PhaseRunner runner;
  private final AtomicBoolean stopping;
  private final List<String> warnings;
  private final AtomicReference<Instant> windowEnd = new AtomicReference<>();

  OneShotHop(
      Hop hop,
      Duration window,
      Clock clock,
      PhaseRunner runner,
      AtomicBoolean stopping,
      List<String> warnings) {
    this.hop = Objects.requireNonNull(hop, "hop");
    this.window = Objects.requireNonNull(window, "window");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.runner = Objects.requireNonNull(runner, "runner");
    this.stopping = Objects.requireNonNull(stopping, "stopping");
    this.warnings = Objects.requireNonNull(warnings, "warnings");
  }

  /**
   * Runs the hop.
   *
   * @param contexts a node's context
   * @param phasesFor a node's phases
   * @param ended receives the outcome of every node that got past the preparation (and of a node
   *     that failed it); nodes not reported were not started
   */
  Outcome run(
      ExecutorService pool,
      Function<NodeSteps, PhaseContext> contexts,
      Function<NodeSteps, List<Phase>> phasesFor,
      BiConsumer<NodeSteps, NodeOutcome> ended) {
    Map<NodeSteps, NodeRun> runs = new LinkedHashMap<>();
    Map<NodeSteps, Map<PhaseId, Phase>> phases = new LinkedHashMap<>();
    for (Batch batch : hop.batches()) {
      for (NodeSteps steps : batch.nodes()) {
        runs.put(steps, runner.start(contexts.apply(steps)));
        Map<PhaseId, Phase> byId = new LinkedHashMap<>();
        for (Phase phase : phasesFor.apply(steps)) {
          if (!NOT_IN_ONE_SHOT.contains(phase.id())) {
            byId.put(
                phase.id(),
                phase.id() == PhaseId.POST_VALIDATE
                    ? new PostValidatePhase(windowEnd::get, clock)
                    : phase);
          }
        }
        phases.put(steps, byId);
      }
    }
    Map<NodeSteps, NodeRun> active = new LinkedHashMap<>(runs);
    boolean disrupted = false;
    boolean interrupted = false;
    for (PhaseId id : PhaseId.values()) {
      if (stopping.get() || Thread.currentThread().isInterrupted()) {
        interrupted = true;
        break;
      }
      List<NodeSteps> column = new ArrayList<>();
      for (NodeSteps steps : active.keySet()) {
        if (phases.get(steps).containsKey(id)) {
          column.add(steps);
        }
      }
      if (column.isEmpty()) {
        continue;
      }
      if (id.changesTheNode() && !disrupted) {
        disrupted = true;
        windowEnd.set(clock.instant().plus(window));
      }
      Map<NodeSteps, NodeRun.Result> results =
          onAll(pool, column, steps -> active.get(steps).step(phases.get(steps).get(id)));
      for (Map.Entry<NodeSteps, NodeRun.Result> result : results.entrySet()) {
        if (result.getValue() == NodeRun.Result.NODE_DONE) {
          ended.accept(result.getKey(), active.remove(result.getKey()).finish());
        }
      }
      if (results.containsValue(NodeRun.Result.FAILED)) {
        break;
      }
    }
    List<NodeSteps> failed = active.keySet().stream().filter(s -> runs.get(s).failed()).toList();
    if (failed.isEmpty() && !interrupted) {
      active.forEach((steps, run) -> ended.accept(steps, run.finish()));
      return Outcome.OK;
    }
    if (!disrupted) {
      // Nothing changed on any node: report only the failed ones; the rest never started.
      failed.forEach(steps -> ended.accept(steps, runs.get(steps).finish()));
      return interrupted ? Outcome.INTERRUPTED : Outcome.FAILED;
    }
    String cause =
        failed.isEmpty()
            ? "reverted with the cluster: the run was interrupted"
            : "reverted with the cluster: node "
                + failed.get(0).node()
                + " failed in "
                + runs.get(failed.get(0)).outcome().failedPhase().map(PhaseId::id).orElse("?");
    if (runner.undoOnFailure()) {
      List<NodeSteps> touched =
          active.keySet().stream().filter(s -> active.get(s).touchedAnything()).toList();
      boolean wasStopping = stopping.get();
      onAll(
          pool,
          touched,
          steps -> {
            active.get(steps).rollBack(cause);
            return NodeRun.Result.RAN;
          });
      if (wasStopping) {
        warnings.add("the run was interrupted during the one-shot window: every node was reverted");
      }
    }
    active.forEach((steps, run) -> ended.accept(steps, run.finish()));
    return interrupted ? Outcome.INTERRUPTED : Outcome.FAILED;
  }

  /** Runs {@code action} on every node at once and waits for all of them. */
  private <T> Map<NodeSteps, T> onAll(
      ExecutorService pool, List<NodeSteps> nodes, Function<NodeSteps, T> action) {
    Map<NodeSteps, Future<T>> futures = new LinkedHashMap<>();
    for (NodeSteps steps : nodes) {
      Callable<T> task = () -> action.apply(steps);
      futures.put(steps, pool.submit(task));
    }
    Map<NodeSteps, T> results = new LinkedHashMap<>();
    for (Map.Entry<NodeSteps, Future<T>> future : futures.entrySet()) {
      while (true) {
        try {
          results.put(future.getKey(), future.getValue().get());
          break;
        } catch (InterruptedException e) {
          // Let every node finish the phase it is in, then revert.
          stopping.set(true);
        } catch (ExecutionException e) {
          throw e.getCause() instanceof RuntimeException re
              ? re
              : new IllegalStateException(e.getCause());
        }
      }
    }
    return results;
  }
}
