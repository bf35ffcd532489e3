package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.model.Commands;
import io.hoist.model.HealthCheck;
import io.hoist.model.Node;
import io.hoist.model.PhaseId;
import io.hoist.model.Timeouts;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Step;
import io.hoist.transport.ExecResult;
import io.hoist.transport.Transport;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a phase of one node needs.
 *
 * @param node the node
 * @param transport the connection to it (used by one thread at a time: the node's)
 * @param steps the node's steps from the plan: versions {@code from} and {@code to}, and each
 *     phase's rendered commands
 * @param commands the commands in force on the node ({@link io.hoist.model.Cluster#commandsFor}),
 *     for what the rendered steps do not say: which of the restart commands are set, the health
 *     check's retries and interval
 * @param timeouts the time limits
 * @param sleeper waits between health-check tries
 * @param log where the node's command output goes
 * @param record where {@link #warn} records a warning; the {@link PhaseRunner} binds its own record
 *     here before it runs the phases ({@link #withRecord})
 * @param ran the phases that ran (or started to) on the node in this hop, bound by the runner
 *     before it undoes them ({@link #withRan}): an undo asks it whether the new release ever ran
 */
public record PhaseContext(
    Node node,
    Transport transport,
    NodeSteps steps,
    Commands commands,
    Timeouts timeouts,
    Sleeper sleeper,
    NodeLog log,
    RunRecord record,
    Set<PhaseId> ran) {

  /** A record that keeps nothing: warnings of a context no runner has bound are dropped. */
  private static final RunRecord NO_RECORD =
      new RunRecord() {
        @Override
        public void phaseStarted(String node, PhaseId phase) {}

        @Override
        public void phaseEnded(
            String node, PhaseId phase, Outcome outcome, Duration duration, String message) {}

        @Override
        public void undoStarted(String node, PhaseId phase) {}

        @Override
        public void undoEnded(
            String node, PhaseId phase, Outcome outcome, Duration duration, String message) {}
      };

  /** A context without a record of its own (the runner binds one with {@link #withRecord}). */
  public PhaseContext(
      Node node,
      Transport transport,
      NodeSteps steps,
      Commands commands,
      Timeouts timeouts,
      Sleeper sleeper,
      NodeLog log) {
    this(node, transport, steps, commands, timeouts, sleeper, log, NO_RECORD, Set.of());
  }

  public PhaseContext {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(steps, "steps");
    Objects.requireNonNull(commands, "commands");
    Objects.requireNonNull(timeouts, "timeouts");
    Objects.requireNonNull(sleeper, "sleeper");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(record, "record");
    ran = ran.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(ran));
  }

  /** This context with warnings going to {@code runRecord}. */
  public PhaseContext withRecord(RunRecord runRecord) {
    return new PhaseContext(
        node, transport, steps, commands, timeouts, sleeper, log, runRecord, ran);
  }

  /** This context knowing which phases ran on the node. */
  public PhaseContext withRan(Set<PhaseId> phases) {
    return new PhaseContext(
        node, transport, steps, commands, timeouts, sleeper, log, record, phases);
  }

  /** Whether the new release may have run on the node: its start or its migration ran. */
  public boolean newReleaseRan() {
    return ran.contains(PhaseId.START) || ran.contains(PhaseId.MIGRATE);
  }

  /**
   * Records a warning of {@code phase} on this node: something went wrong that the user chose to
   * accept (a failed check under {@code --ignore-inspect-failures}); the run continues.
   */
  public void warn(PhaseId phase, String message) {
    record.warning(node.name(), phase, message);
  }

  /** The plan's step for {@code phase}, if the node has that phase. */
  public Optional<Step> step(PhaseId phase) {
    return steps.step(phase);
  }

  /**
   * The plan's step for {@code phase}.
   *
   * @throws IllegalStateException when the plan has none (a phase was built for a plan without it:
   *     a bug)
   */
  public Step requireStep(PhaseId phase) {
    return step(phase)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "the plan of node " + node.name() + " has no " + phase.id() + " step"));
  }

  /** The node's health check, if one is defined. */
  public Optional<HealthCheck> health() {
    return Optional.ofNullable(commands.health());
  }

  /** Runs {@code command} on the node within {@code timeout}, its output to the node log. */
  public ExecResult exec(PhaseId phase, ShellCommand command, Duration timeout) {
    return transport.exec(command, timeout, log.sink(phase));
  }

  /**
   * As {@link #exec}, and a {@link PhaseFailure} naming the command and its last output line unless
   * it exited 0 in time.
   */
  public ExecResult execOrFail(PhaseId phase, ShellCommand command, Duration timeout) {
    ExecResult result = exec(phase, command, timeout);
    if (!result.isSuccess()) {
      throw new PhaseFailure(phase, failureMessage(phase, command, timeout, result));
    }
    return result;
  }

  /** "node n1, restart: `systemctl start acme` timed out after 5m: last line". */
  String failureMessage(PhaseId phase, ShellCommand command, Duration timeout, ExecResult result) {
    String how =
        result.timedOut()
            ? "timed out after " + timeout.toMillis() + "ms"
            : "exited " + result.exitCode();
    String last = result.lastLine();
    return "node "
        + node.name()
        + ", "
        + phase.id()
        + ": `"
        + command.display()
        + "` "
        + how
        + (last.isEmpty() ? " (no output)" : ": " + last);
  }
}
