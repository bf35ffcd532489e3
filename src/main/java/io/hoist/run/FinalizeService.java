package io.hoist.run;

import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import io.hoist.error.ValidationException;
import io.hoist.journal.Finalization;
import io.hoist.journal.Journal;
import io.hoist.journal.JournalReader;
import io.hoist.journal.RunState;
import io.hoist.journal.Runs;
import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.model.Role;
import io.hoist.phase.NodeLog;
import io.hoist.plan.Planner;
import io.hoist.release.Version;
import io.hoist.transport.ExecResult;
import io.hoist.transport.Transport;
import io.hoist.transport.TransportFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The finalize commands of an upgrade (its point of no return, {@link io.hoist.model.Finalize}):
 * role by role in the role order, each on every node of the upgrade that has the role, one node at
 * a time in the plan's order, each journaled (started, ended) with its output in the node's log.
 * The first command that fails stops: the upgrade stays not finalized (the commands are idempotent,
 * so {@code hoist finalize} runs them all again). Used by {@code hoist finalize} (reading the last
 * upgrade from the journals) and by an upgrade that finalizes in the same run ({@code --finalize},
 * {@code when: auto}).
 */
public final class FinalizeService {

  /** The command name of a {@code hoist finalize} run in its journal. */
  public static final String COMMAND = "finalize";

  /** One finalize command on one node. */
  public record Step(String node, String role, ShellCommand command) {
    public Step {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(command, "command");
    }
  }

  /** How a step ended. */
  public enum Status {
    OK,
    FAILED,
    NOT_STARTED
  }

  /**
   * One step's end.
   *
   * @param command the command as shown (secrets masked)
   */
  public record StepResult(
      String node, String role, String command, Status status, Duration duration, String message) {
    public StepResult {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(duration, "duration");
      message = message == null ? "" : message;
    }
  }

  /**
   * How the finalize commands of an upgrade ended.
   *
   * @param upgradeRun the upgrade run finalized (the last of its resume chain)
   * @param roles the roles with a finalize command
   * @param steps every step, in order (those after a failure not started)
   * @param finalizedAt when the last step ended well, empty when one failed
   * @param logDir where the nodes' logs are (the run's directory)
   */
  public record Result(
      String upgradeRun,
      List<String> roles,
      List<StepResult> steps,
      Optional<Instant> finalizedAt,
      Path logDir) {
    public Result {
      roles = List.copyOf(roles);
      steps = List.copyOf(steps);
    }

    /** Whether every finalize command ran well: the upgrade is finalized. */
    public boolean finalized() {
      return finalizedAt.isPresent();
    }

    /** The step that failed, if one did. */
    public Optional<StepResult> failure() {
      return steps.stream().filter(s -> s.status() == Status.FAILED).findFirst();
    }

    /** 0 when finalized; 5 (needs attention) when a command failed. */
    public int exitCode() {
      return finalized() ? RunResult.OK : RunResult.NEEDS_ATTENTION;
    }
  }

  /**
   * The last upgrade, ready to finalize.
   *
   * @param upgrade the last run of its resume chain
   * @param target the release it took the nodes to
   * @param roles the roles whose finalize commands are pending
   * @param steps the commands to run, in order
   */
  public record Target(RunState upgrade, String target, List<String> roles, List<Step> steps) {
    public Target {
      Objects.requireNonNull(upgrade, "upgrade");
      roles = List.copyOf(roles);
      steps = List.copyOf(steps);
    }
  }

  private final Cluster cluster;
  private final TransportFactory transports;
  private final Map<String, String> secretValues;
  private final Clock clock;

  public FinalizeService(
      Cluster cluster, TransportFactory transports, Map<String, String> secretValues, Clock clock) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.transports = Objects.requireNonNull(transports, "transports");
    this.secretValues = Map.copyOf(secretValues);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The roles of {@code nodes} that have a finalize command, in the role order. */
  public List<String> roles(Collection<String> nodes) {
    Set<String> present = new LinkedHashSet<>();
    for (String name : nodes) {
      cluster.node(name).ifPresent(n -> present.addAll(n.roles()));
    }
    List<String> order = new ArrayList<>(cluster.roleOrder());
    cluster.roles().forEach(r -> order.add(r.name()));
    List<String> roles = new ArrayList<>();
    for (String role : new LinkedHashSet<>(order)) {
      if (present.contains(role)
          && cluster.role(role).map(r -> r.finalizeCommand() != null).orElse(false)) {
        roles.add(role);
      }
    }
    return roles;
  }

  /** Whether one of {@code roles} finalizes right after the upgrade ({@code when: auto}). */
  public boolean isAuto(List<String> roles) {
    return roles.stream()
        .anyMatch(r -> cluster.role(r).map(x -> x.finalizeCommand().auto()).orElse(false));
  }

  /**
   * The finalize commands of {@code roles} on {@code nodes} (in the plan's order), role by role.
   *
   * @param versions each node's release before the upgrade and the one it took it to
   */
  public List<Step> steps(List<String> roles, List<String> nodes, Map<String, Version[]> versions) {
    Planner planner = new Planner(cluster);
    List<Step> steps = new ArrayList<>();
    for (String roleName : roles) {
      Role role = cluster.role(roleName).orElseThrow();
      for (String name : nodes) {
        Optional<Node> node = cluster.node(name);
        if (node.isEmpty() || !node.get().roles().contains(roleName)) {
          continue;
        }
        Version[] fromTo = versions.get(name);
        steps.add(
            new Step(
                name,
                roleName,
                planner.finalizeCommand(node.get(), role, fromTo[0], fromTo[1], secretValues)));
      }
    }
    return steps;
  }

  /**
   * The nodes of a plan in its order: as its batches list them (first appearance), then the others
   * (already at the target) in the order given.
   */
  public static List<String> order(List<List<String>> batches, Collection<String> all) {
    Set<String> order = new LinkedHashSet<>();
    batches.forEach(order::addAll);
    order.addAll(all);
    return List.copyOf(order);
  }

  /**
   * Runs the steps, one at a time, stopping at the first that fails; records {@code run-finalized}
   * of {@code upgradeRun} when all ran well.
   *
   * @param logDir where each node's log {@code NODE.log} is (must exist)
   * @param onEach called as each step ends
   */
  public Result run(
      String upgradeRun,
      List<String> roles,
      List<Step> steps,
      Journal journal,
      Path logDir,
      Consumer<StepResult> onEach) {
    List<StepResult> results = new ArrayList<>();
    boolean failed = false;
    for (Step step : steps) {
      if (failed) {
        results.add(
            new StepResult(
                step.node(),
                step.role(),
                step.command().display(),
                Status.NOT_STARTED,
                Duration.ZERO,
                "not started: an earlier finalize command failed"));
        continue;
      }
      journal.finalizeStarted(step.node(), step.role(), step.command().display());
      StepResult result = exec(step, logDir);
      journal.finalizeEnded(
          step.node(),
          step.role(),
          result.status() == Status.OK,
          result.duration(),
          result.message());
      results.add(result);
      onEach.accept(result);
      failed = result.status() != Status.OK;
    }
    Optional<Instant> at = Optional.empty();
    if (!failed) {
      journal.runFinalized(upgradeRun);
      at = Optional.of(clock.instant());
    }
    return new Result(upgradeRun, roles, results, at, logDir);
  }

  private StepResult exec(Step step, Path logDir) {
    Node node = cluster.node(step.node()).orElseThrow();
    Duration limit = cluster.timeouts().start();
    Instant started = clock.instant();
    try (Transport transport = transports.open(node);
        NodeLog log = NodeLog.open(logDir.resolve(node.name() + ".log"), clock)) {
      ExecResult result = transport.exec(step.command(), limit, log.sink(COMMAND));
      if (result.isSuccess()) {
        return new StepResult(
            step.node(), step.role(), step.command().display(), Status.OK, result.duration(), "");
      }
      String how =
          result.timedOut()
              ? "timed out after " + limit.toMillis() + "ms (timeouts.start)"
              : "exited " + result.exitCode();
      String last = result.lastLine();
      return new StepResult(
          step.node(),
          step.role(),
          step.command().display(),
          Status.FAILED,
          result.duration(),
          "node "
              + step.node()
              + ", finalize (role "
              + step.role()
              + "): `"
              + step.command().display()
              + "` "
              + how
              + (last.isEmpty() ? " (no output)" : ": " + last));
    } catch (TransportException e) {
      return new StepResult(
          step.node(),
          step.role(),
          step.command().display(),
          Status.FAILED,
          Duration.between(started, clock.instant()),
          "node " + step.node() + ", finalize (role " + step.role() + "): " + e.getMessage());
    }
  }

  /**
   * Refuses a new upgrade while the last one waits for its point of no return: an upgrade that
   * ended "upgraded, not finalized", or whose finalize completed on some nodes only, is either
   * finalized or rolled back as a whole first. A new upgrade on top would leave two upgrades that
   * each could be finalized or rolled back, and a rollback of either would take the other's nodes
   * along.
   *
   * @throws ValidationException (nothing changed) naming the run and the two ways out
   */
  public static void refuseUnfinalized(Path stateDir) {
    List<Path> runs = Runs.list(stateDir);
    RunState last = null;
    for (int i = runs.size() - 1; i >= 0 && last == null; i--) {
      RunState run;
      try {
        run = RunState.of(JournalReader.read(runs.get(i).resolve(Journal.FILE)));
      } catch (IllegalArgumentException e) {
        continue; // a journal torn before its first line: no run to read
      }
      if (!COMMAND.equals(run.command())) {
        last = run;
      }
    }
    if (last == null || !"upgrade".equals(last.command())) {
      return;
    }
    Finalization finalization = Finalization.of(stateDir, last);
    if (finalization.finalized() || (!finalization.isPending() && !finalization.partly())) {
      return;
    }
    throw new ValidationException(
        "the last upgrade, "
            + last.runId()
            + ", "
            + (finalization.partly()
                ? "was partly finalized (a finalize command ran on some of its nodes)"
                : "ended upgraded, not finalized (the finalize commands of role "
                    + String.join(", ", finalization.pending())
                    + " have not run)")
            + ": run 'hoist finalize' to complete it, or 'hoist rollback --cluster' to undo it,"
            + " before a new upgrade. Nothing was changed.");
  }

  /**
   * The last upgrade, if it can be finalized.
   *
   * @throws ValidationException (nothing changed) when no upgrade is recorded, the last run is not
   *     an upgrade, it did not complete or failed, it has nothing to finalize, or it was finalized
   */
  public Target target(Path stateDir) {
    RunState last = null;
    List<Path> runs = Runs.list(stateDir);
    for (int i = runs.size() - 1; i >= 0 && last == null; i--) {
      RunState run = RunState.of(JournalReader.read(runs.get(i).resolve(Journal.FILE)));
      if (!COMMAND.equals(run.command())) {
        last = run;
      }
    }
    if (last == null) {
      throw new ValidationException(
          "no upgrade is recorded in " + Runs.dir(stateDir) + ": nothing to finalize");
    }
    String id = last.runId();
    if (!"upgrade".equals(last.command())) {
      throw new ValidationException(
          "the last run, "
              + id
              + ", was a "
              + last.command()
              + ", not an upgrade: nothing to finalize (finalize follows a completed upgrade)");
    }
    if (!last.ended()) {
      throw new ValidationException(
          "the last upgrade, "
              + id
              + ", did not complete (it stopped while running): 'hoist upgrade --resume'"
              + " finishes it, or 'hoist rollback --cluster' undoes it; nothing was finalized");
    }
    if (last.exitCode().orElse(-1) != RunResult.OK || !last.complete()) {
      throw new ValidationException(
          "the last upgrade, "
              + id
              + ", "
              + (last.interrupted()
                  ? "was interrupted"
                  : "failed (exit " + last.exitCode().orElse(-1) + ")")
              + ": only an upgrade that took every node to its target can be finalized; see"
              + " 'hoist status'");
    }
    Finalization finalization = Finalization.of(stateDir, last);
    if (finalization.finalized()) {
      throw new ValidationException(
          "the last upgrade, "
              + id
              + ", was already finalized at "
              + finalization.finalizedAt().orElseThrow()
              + " (run "
              + finalization.finalizedBy().orElseThrow()
              + "): nothing to do");
    }
    if (finalization.pending().isEmpty()) {
      throw new ValidationException(
          "the last upgrade, "
              + id
              + ", has nothing to finalize: no role of its nodes had a finalize command");
    }
    List<RunState> chain = Runs.chain(stateDir, last);
    Map<String, Version[]> versions = new LinkedHashMap<>();
    List<List<String>> batches = new ArrayList<>();
    for (RunState run : chain) {
      batches.addAll(run.batches());
      for (RunState.Node node : run.nodes()) {
        if (node.from() == null) {
          continue;
        }
        Version[] fromTo = versions.get(node.node());
        Version from = fromTo == null ? Version.parse(node.from()) : fromTo[0];
        versions.put(node.node(), new Version[] {from, Version.parse(node.target())});
      }
    }
    List<String> roles =
        finalization.pending().stream().filter(r -> cluster.role(r).isPresent()).toList();
    List<String> gone =
        finalization.pending().stream()
            .filter(r -> cluster.role(r).map(x -> x.finalizeCommand() == null).orElse(true))
            .toList();
    if (!gone.isEmpty()) {
      throw new ValidationException(
          "the last upgrade, "
              + id
              + ", waits for the finalize command of "
              + String.join(", ", gone)
              + ", which the cluster file no longer defines: put it back (roles: ROLE: {"
              + " finalize: COMMAND })");
    }
    List<String> order = order(batches, versions.keySet());
    return new Target(last, last.target(), roles, steps(roles, order, versions));
  }

  /**
   * {@code hoist finalize}: a run of its own (journal {@code command: finalize}, naming the upgrade
   * it finalizes), running the target's steps.
   *
   * @param invocation what started the run (the command and its arguments), for the journal
   */
  public Result finalizeLast(
      Path stateDir, Target target, Map<String, Object> invocation, Consumer<StepResult> onEach) {
    Path logDir = Runs.create(stateDir, clock);
    try (Journal journal = Journal.create(logDir, clock)) {
      Map<String, Object> details = new LinkedHashMap<>(invocation);
      details.put("cluster", cluster.name());
      details.put("target", target.target());
      details.put("finalizes", target.upgrade().runId());
      details.put("roles", target.roles());
      details.put("nodes", Map.of());
      journal.runStarted(logDir.getFileName().toString(), details);
      Result result =
          run(target.upgrade().runId(), target.roles(), target.steps(), journal, logDir, onEach);
      journal.runEnded(result.exitCode(), false);
      return result;
    }
  }
}
