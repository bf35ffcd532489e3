package io.hoist.phase;

import io.hoist.command.ShellCommand;
import io.hoist.error.InterruptedRunException;
import io.hoist.error.TransportException;
import io.hoist.model.HealthCheck;
import io.hoist.model.PhaseId;
import io.hoist.transport.ExecResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Waits until a node is healthy, for the post-validation and for a rollback's check of the previous
 * release. With a health check: its command is tried until it exits 0, {@code interval} apart, up
 * to {@code retries} more times or, given a deadline, until the next try would start past it; a try
 * whose connection dropped (or could not be opened) counts as a failed try. Without one the command
 * is the version command, tried once, which must print the expected version.
 */
final class HealthWait {

  /** When the waiting must end, and the clock that tells. */
  record Deadline(Instant at, Clock clock) {}

  private HealthWait() {}

  static void await(
      PhaseContext context,
      PhaseId phase,
      ShellCommand command,
      String expectVersion,
      Optional<Deadline> deadline) {
    Duration timeout = context.timeouts().command();
    if (context.health().isEmpty()) {
      ExecResult result = context.execOrFail(phase, command, timeout);
      if (!result.lastLine().equals(expectVersion)) {
        throw new PhaseFailure(
            phase,
            "node "
                + context.node().name()
                + ", "
                + phase.id()
                + ": `"
                + command.display()
                + "` printed "
                + (result.lastLine().isEmpty() ? "nothing" : result.lastLine())
                + ", not "
                + expectVersion);
      }
      return;
    }
    HealthCheck health = context.health().get();
    ExecResult result = null;
    TransportException lost = null;
    int tries = 0;
    do {
      if (tries > 0) {
        try {
          context.sleeper().sleep(health.interval());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedRunException(
              "interrupted while waiting for node " + context.node().name() + " to become healthy");
        }
      }
      tries++;
      try {
        result = context.exec(phase, command, timeout);
        lost = null;
      } catch (TransportException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw e;
        }
        // A health check only reads: a try whose connection dropped is a failed try, like one
        // that timed out, and the next try opens a new connection.
        result = null;
        lost = e;
      }
    } while ((result == null || !result.isSuccess()) && another(tries, health, deadline));
    String after =
        " (after "
            + tries
            + (tries == 1 ? " try" : " tries")
            + deadline.map(d -> ", at the end of the window").orElse("")
            + ")";
    if (lost != null) {
      throw new PhaseFailure(phase, lost.getMessage() + after, lost);
    }
    if (!result.isSuccess()) {
      throw new PhaseFailure(
          phase, context.failureMessage(phase, command, timeout, result) + after);
    }
  }

  private static boolean another(int tries, HealthCheck health, Optional<Deadline> deadline) {
    if (deadline.isPresent()) {
      Deadline d = deadline.get();
      return !d.clock().instant().plus(health.interval()).isAfter(d.at());
    }
    return tries <= health.retries();
  }
}
