package io.hoist.run;

import io.hoist.phase.NodeOutcome;
import io.hoist.run.HookRunner.HookOutcome;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a cluster run ended: a value, also when it failed.
 *
 * @param nodes every node of the plan, in plan order
 * @param hooks the hooks that ran, in run order
 * @param warnings things a person should know that did not stop the run (no single leader found)
 * @param interrupted whether the run was interrupted (Ctrl-C, or the maintenance window closed)
 * @param budget the failure budget ({@code --max-failures}) and what was spent of it, if one was
 *     set
 * @param windowClosed the end of the maintenance window ({@code --not-after}) when the run stopped
 *     because it had passed; else empty
 */
public record RunResult(
    List<NodeResult> nodes,
    List<HookOutcome> hooks,
    List<String> warnings,
    boolean interrupted,
    Optional<Budget> budget,
    Optional<java.time.Instant> windowClosed) {

  /** Exit code: 0 success or nothing to do (see {@link #exitCode()}). */
  public static final int OK = 0;

  /** Exit code: the before_cluster hook failed; no node was touched. */
  public static final int NOTHING_CHANGED = 3;

  /** Exit code: a node failed and was rolled back cleanly, and no node was left out. */
  public static final int ROLLED_BACK = 4;

  /** Exit code: a node or the cluster needs a person. */
  public static final int NEEDS_ATTENTION = 5;

  /** Exit code: interrupted. */
  public static final int INTERRUPTED = 130;

  /** Where a node ended. */
  public enum State {
    UPGRADED,
    ALREADY_AT_TARGET,
    /** Failed a check (version check, pre-validation) before anything on it changed. */
    FAILED_UNCHANGED,
    FAILED_ROLLED_BACK,
    /** Healthy, but reverted to its previous release with the cluster (one-shot mode). */
    REVERTED,
    FAILED_NEEDS_ATTENTION,
    /** Stopped between two phases because the run was interrupted: it needs a resume. */
    INTERRUPTED,
    /**
     * The node finished some of its hops (it runs an intermediate release) and the run stopped
     * before its next one.
     */
    PARTLY_UPGRADED,
    /** A hop of this node never started because the run stopped before it. */
    NOT_STARTED,
    /**
     * It failed, was rolled back (or failed its checks before anything changed) and the run went on
     * without it, within the failure budget ({@code --on-failure skip}); not taken to later hops.
     */
    SKIPPED
  }

  /**
   * A failure budget and what a run spent of it.
   *
   * @param maxFailures how many failed nodes the run may skip past ({@code --max-failures}, a
   *     percentage already resolved to a count)
   * @param failures the failed nodes counted against it: those skipped by earlier runs this one
   *     resumes, and the nodes that failed in this run (the one that stopped it included)
   */
  public record Budget(int maxFailures, int failures) {}

  /**
   * One node's end.
   *
   * @param node the node's name
   * @param from its version before the run
   * @param to the version the plan takes it to
   * @param reached the version it ended on as far as the run knows (its last completed hop's)
   * @param state where it ended
   * @param outcome the outcome of its last hop that ran, if any ran
   */
  public record NodeResult(
      String node,
      String from,
      String to,
      String reached,
      State state,
      Optional<NodeOutcome> outcome) {
    public NodeResult {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  public RunResult {
    nodes = List.copyOf(nodes);
    hooks = List.copyOf(hooks);
    warnings = List.copyOf(warnings);
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(windowClosed, "windowClosed");
  }

  /** A run with no failure budget, not stopped by a maintenance window. */
  public RunResult(
      List<NodeResult> nodes, List<HookOutcome> hooks, List<String> warnings, boolean interrupted) {
    this(nodes, hooks, warnings, interrupted, Optional.empty(), Optional.empty());
  }

  /** The nodes skipped past within the failure budget, in plan order. */
  public List<NodeResult> skipped() {
    return nodes.stream().filter(n -> n.state() == State.SKIPPED).toList();
  }

  /** The node with this name. */
  public Optional<NodeResult> node(String name) {
    return nodes.stream().filter(n -> n.node().equals(name)).findFirst();
  }

  /** The hook with this name, if it ran. */
  public Optional<HookOutcome> hook(String name) {
    return hooks.stream().filter(h -> h.hook().equals(name)).findFirst();
  }

  /** Whether the before_cluster hook failed (then no node was touched). */
  public boolean beforeClusterFailed() {
    return hook(ClusterRun.BEFORE_CLUSTER).map(h -> !h.success()).orElse(false);
  }

  /**
   * The exit code, first match wins: 130 when interrupted (also by a closed maintenance window); 3
   * when before_cluster failed (no node touched); 5 when a node needs attention, nodes were skipped
   * ({@code --on-failure skip}) or after_cluster failed; 3 when a node failed its checks before
   * anything changed and no node was changed; 5 when a node failed and others were left
   * NOT_STARTED; 4 when a node failed and was rolled back cleanly (or failed its checks) and no
   * node was left out; else 0.
   */
  public int exitCode() {
    if (interrupted) {
      return INTERRUPTED;
    }
    if (beforeClusterFailed()) {
      return NOTHING_CHANGED;
    }
    boolean afterFailed = hook(ClusterRun.AFTER_CLUSTER).map(h -> !h.success()).orElse(false);
    if (afterFailed
        || has(State.FAILED_NEEDS_ATTENTION)
        || has(State.INTERRUPTED)
        || has(State.SKIPPED)) {
      return NEEDS_ATTENTION;
    }
    boolean changed =
        has(State.UPGRADED) || has(State.FAILED_ROLLED_BACK) || has(State.PARTLY_UPGRADED);
    if (has(State.FAILED_UNCHANGED) && !changed) {
      return NOTHING_CHANGED;
    }
    if (has(State.FAILED_ROLLED_BACK) || has(State.FAILED_UNCHANGED)) {
      return has(State.NOT_STARTED) || has(State.PARTLY_UPGRADED) ? NEEDS_ATTENTION : ROLLED_BACK;
    }
    return OK;
  }

  private boolean has(State state) {
    return nodes.stream().anyMatch(n -> n.state() == state);
  }
}
