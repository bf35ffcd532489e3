package io.hoist.phase;

import java.time.Duration;

/** Waits between retries; tests pass a fake that records instead of sleeping. */
@FunctionalInterface
public interface Sleeper {

  /** {@link Thread#sleep}. */
  Sleeper REAL = duration -> Thread.sleep(duration.toMillis());

  /**
   * Blocks for {@code duration}.
   *
   * @throws InterruptedException when the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;
}
