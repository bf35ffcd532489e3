package io.hoist.inspect;

import java.time.Duration;
import java.util.Objects;

/**
 * One check on one node.
 *
 * @param name the check's name ({@code reachable}, {@code version}, {@code disk}, or a file check)
 * @param status how it ended
 * @param message what it found (version, free space, the command's last line, the error)
 * @param duration how long it took
 */
public record CheckResult(String name, CheckStatus status, String message, Duration duration) {

  public CheckResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(duration, "duration");
  }
}
