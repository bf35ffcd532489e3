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
import java.util.Objects;
import java.util.Optional;

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
 */
public record PhaseContext(
    Node node,
    Transport transport,
    NodeSteps steps,
    Commands commands,
    Timeouts timeouts,
    Sleeper sleeper,
    NodeLog log) {

  public PhaseContext {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(steps, "steps");
    Objects.requireNonNull(commands, "commands");
    Objects.requireNonNull(timeouts, "timeouts");
    Objects.requireNonNull(sleeper, "sleeper");
    Objects.requireNonNull(log, "log");
  }

  /** The plan's step for {@code phase}, if the node has that phase. */
  public Optional<Step> step(PhaseId phase) {
    return steps.steps().stream().filter(s -> s.phase() == phase).findFirst();
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
