package io.hoist.phase;

import io.hoist.model.PhaseId;
import java.util.Objects;

/**
 * A phase did not achieve its effect on a node: a command exited non-zero or timed out, or the node
 * stayed unhealthy. The message names the command (display form, secrets masked) and its last
 * output line. An outcome for the runner to record and roll back, not a bug.
 */
public final class PhaseFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final PhaseId phase;

  public PhaseFailure(PhaseId phase, String message) {
    super(message);
    this.phase = Objects.requireNonNull(phase, "phase");
  }

  public PhaseFailure(PhaseId phase, String message, Throwable cause) {
    super(message, cause);
    this.phase = Objects.requireNonNull(phase, "phase");
  }

  /** The phase that failed. */
  public PhaseId phase() {
    return phase;
  }
}
