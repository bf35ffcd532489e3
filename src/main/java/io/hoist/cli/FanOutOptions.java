package io.hoist.cli;

import io.hoist.error.UsageException;
import io.hoist.run.FanOut;
import picocli.CommandLine.Option;

/** {@code --max-parallel} of commands that contact many nodes at once (inspect, prepare). */
final class FanOutOptions {

  @Option(
      names = "--max-parallel",
      paramLabel = "N",
      defaultValue = "" + FanOut.DEFAULT_MAX_PARALLEL,
      description = "Work on at most N nodes at once. Default: ${DEFAULT-VALUE}.")
  int maxParallel = FanOut.DEFAULT_MAX_PARALLEL;

  /** The bound, checked. */
  int maxParallel() {
    if (maxParallel < 1) {
      throw new UsageException("--max-parallel must be at least 1, got " + maxParallel);
    }
    return maxParallel;
  }
}
