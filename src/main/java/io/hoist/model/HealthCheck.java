package io.hoist.model;

import java.time.Duration;
import java.util.Objects;

/**
 * A health check: {@code run} must exit 0; it is tried up to {@code retries} more times, {@code
 * interval} apart.
 */
public record HealthCheck(String run, int retries, Duration interval) {

  public HealthCheck {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(interval, "interval");
  }
}
