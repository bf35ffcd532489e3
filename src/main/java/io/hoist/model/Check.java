package io.hoist.model;

import java.time.Duration;
import java.util.Objects;

/**
 * A pre-validation check from the cluster file: passes when {@code run} exits 0 within {@code
 * timeout}. Its output's last line is shown as the check's message.
 */
public record Check(String name, String run, Duration timeout) {

  public Check {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(timeout, "timeout");
  }
}
