package io.hoist.model;

import java.time.Duration;
import java.util.Objects;

/**
 * Default time limits.
 *
 * @param command any single command without a more specific limit (version, checks, retire)
 * @param stop stopping the product
 * @param switchRelease switching {@code current} or running the install command
 * @param start starting the product
 */
public record Timeouts(Duration command, Duration stop, Duration switchRelease, Duration start) {

  public Timeouts {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(stop, "stop");
    Objects.requireNonNull(switchRelease, "switchRelease");
    Objects.requireNonNull(start, "start");
  }

  /** 60s per command, stop 90s, switch 180s, start 300s (Weka's defaults). */
  public static Timeouts defaults() {
    return new Timeouts(
        Duration.ofSeconds(60),
        Duration.ofSeconds(90),
        Duration.ofSeconds(180),
        Duration.ofSeconds(300));
  }
}
