package io.hoist.transport;

import io.hoist.command.ShellCommand;
import java.time.Duration;
import java.util.Objects;

/**
 * A command and the time it may take, for {@link Transport#execEach}.
 *
 * @param command what to run
 * @param timeout how long it may run
 */
public record TimedCommand(ShellCommand command, Duration timeout) {

  public TimedCommand {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(timeout, "timeout");
  }
}
