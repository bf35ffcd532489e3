package io.hoist.run;

import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import io.hoist.transport.Transport;
import java.time.Duration;
import java.util.Objects;

/** Runs a cluster hook ({@code before_cluster}, {@code after_cluster}) on the core node. */
@FunctionalInterface
public interface HookRunner {

  /**
   * Runs {@code command}; blocks until it ends or hits its time limit. Failures are results.
   *
   * @param hook the hook's name ({@code before_cluster})
   */
  HookOutcome run(String hook, String command);

  /** A hook runner executing on {@code transport} (a local transport for the core node). */
  static HookRunner on(Transport transport, Duration timeout) {
    return (hook, command) -> {
      try {
        ExecResult result = transport.exec(ShellCommand.of(command), timeout, OutputSink.NONE);
        if (result.isSuccess()) {
          return new HookOutcome(hook, command, true, "");
        }
        String how =
            result.timedOut()
                ? "timed out after " + timeout.toMillis() + "ms"
                : "exited " + result.exitCode();
        String last = result.lastLine();
        return new HookOutcome(
            hook,
            command,
            false,
            hook + ": `" + command + "` " + how + (last.isEmpty() ? "" : ": " + last));
      } catch (TransportException e) {
        return new HookOutcome(hook, command, false, hook + ": " + e.getMessage());
      }
    };
  }

  /**
   * How a hook ended.
   *
   * @param hook the hook's name
   * @param command the command run
   * @param success whether it exited 0 in time
   * @param message empty on success; else what went wrong
   */
  record HookOutcome(String hook, String command, boolean success, String message) {
    public HookOutcome {
      Objects.requireNonNull(hook, "hook");
      Objects.requireNonNull(command, "command");
      Objects.requireNonNull(message, "message");
    }
  }
}
