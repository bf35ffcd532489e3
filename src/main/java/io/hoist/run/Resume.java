package io.hoist.run;

import io.hoist.journal.RunState;
import io.hoist.model.PhaseId;
import io.hoist.phase.NodeOutcome;
import io.hoist.release.Version;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code hoist upgrade --resume} carries over from an interrupted run's journal: the nodes it
 * caught inside a hop are planned from that hop's start and finish it (their version check goes on
 * even when {@code current} already names the hop's release, their checks are not run again when
 * they passed, the backup taken before the crash is the one a rollback restores); every other node
 * is planned from the version it reports, so a node already at the target is not upgraded twice and
 * one not yet started is not skipped.
 *
 * @param runId the interrupted run
 * @param inHop each node caught inside a hop: the hop's start version
 * @param hopTo each node caught inside a hop: the hop's release
 * @param passed each node caught inside a hop: the phases that ended well before the crash
 * @param backups each node caught inside a hop: the backup written in it, if any
 * @param skipped each node a run of the chain skipped past within its failure budget ({@code
 *     --on-failure skip}), with its failure: a resume does not retry it, counts it against its
 *     budget and reports it as skipped ({@code hoist upgrade NODE} retries it, as a new run)
 * @param runs the interrupted run and the runs it resumed: their node markers are this resume's
 * @param retired the nodes hoist retired in those runs and did not rejoin (the journal's {@code
 *     node-retired} and {@code node-rejoined}): the resume owes them a rejoin
 */
public record Resume(
    String runId,
    Map<String, String> inHop,
    Map<String, String> hopTo,
    Map<String, List<String>> passed,
    Map<String, Path> backups,
    Map<String, NodeOutcome> skipped,
    java.util.Set<String> runs,
    java.util.Set<String> retired) {

  public Resume {
    Objects.requireNonNull(runId, "runId");
    inHop = Map.copyOf(inHop);
    hopTo = Map.copyOf(hopTo);
    passed = Map.copyOf(passed);
    backups = Map.copyOf(backups);
    skipped = Map.copyOf(skipped);
    runs = java.util.Set.copyOf(runs);
    retired = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(retired));
  }

  /**
   * What to carry over from a chain of runs (the interrupted run and those it resumed, oldest
   * first): each node as the newest run that touched it left it, so a resume killed before it
   * reached a node the first run left inside a hop still finishes that hop.
   */
  public static Resume of(List<RunState> chain) {
    Map<String, RunState.Node> latest = new LinkedHashMap<>();
    Map<String, String> by = new LinkedHashMap<>();
    for (RunState run : chain) {
      for (RunState.Node node : run.nodes()) {
        if (node.state() != RunState.NodeState.NOT_STARTED || !latest.containsKey(node.node())) {
          RunState.Node before = latest.put(node.node(), node);
          // A resume journals the skips it carries again: the run that skipped it is the first.
          if (before == null
              || before.state() != RunState.NodeState.SKIPPED
              || node.state() != RunState.NodeState.SKIPPED) {
            by.put(node.node(), run.runId());
          }
        }
      }
    }
    java.util.Set<String> runs = new java.util.LinkedHashSet<>();
    chain.forEach(run -> runs.add(run.runId()));
    // The last run carried the earlier runs' debts over (its run-started "retired"): its own
    // state says which nodes are still owed a rejoin.
    RunState last = chain.get(chain.size() - 1);
    return of(last.runId(), latest.values(), by, runs, last.notRejoined());
  }

  /** What to carry over from {@code state} alone. */
  public static Resume of(RunState state) {
    Map<String, String> by = new LinkedHashMap<>();
    state.nodes().forEach(n -> by.put(n.node(), state.runId()));
    return of(
        state.runId(), state.nodes(), by, java.util.Set.of(state.runId()), state.notRejoined());
  }

  private static Resume of(
      String runId,
      java.util.Collection<RunState.Node> nodes,
      Map<String, String> by,
      java.util.Set<String> runs,
      List<String> retired) {
    Map<String, NodeOutcome> skipped = new LinkedHashMap<>();
    for (RunState.Node node : nodes) {
      if (node.state() == RunState.NodeState.SKIPPED) {
        skipped.put(node.node(), skippedOutcome(node, by.get(node.node())));
      }
    }
    Map<String, String> inHop = new LinkedHashMap<>();
    Map<String, String> hopTo = new LinkedHashMap<>();
    Map<String, List<String>> passed = new LinkedHashMap<>();
    Map<String, Path> backups = new LinkedHashMap<>();
    for (RunState.Node node : nodes) {
      if (node.state() != RunState.NodeState.IN_PROGRESS) {
        continue;
      }
      inHop.put(node.node(), node.hopFrom());
      hopTo.put(node.node(), node.hopTo());
      passed.put(node.node(), node.passed());
      if (node.hopBackup() != null) {
        backups.put(node.node(), Path.of(node.hopBackup()));
      }
    }
    return new Resume(
        runId,
        inHop,
        hopTo,
        passed,
        backups,
        skipped,
        runs,
        new java.util.LinkedHashSet<>(retired));
  }

  private static NodeOutcome skippedOutcome(RunState.Node node, String run) {
    Optional<PhaseId> phase =
        Arrays.stream(PhaseId.values()).filter(p -> p.id().equals(node.failedPhase())).findFirst();
    return new NodeOutcome(
        node.node(),
        NodeOutcome.Status.FAILED_ROLLED_BACK,
        phase,
        node.message().startsWith("skipped by run ")
            ? node.message()
            : "skipped by run " + run + ": " + node.message(),
        Map.of(),
        Optional.empty());
  }

  /** The versions to plan the nodes caught inside a hop from. */
  public Map<String, Version> overrides() {
    Map<String, Version> overrides = new LinkedHashMap<>();
    inHop.forEach((node, from) -> overrides.put(node, Version.parse(from)));
    return overrides;
  }

  /** Whether {@code node}'s hop to {@code to} is the one the interrupted run caught it in. */
  public boolean inHop(String node, String to) {
    return to.equals(hopTo.get(node));
  }

  /** Whether {@code phase} ended well for {@code node} in the hop it was caught in. */
  public boolean passed(String node, PhaseId phase) {
    return passed.getOrDefault(node, List.of()).contains(phase.id());
  }
}
