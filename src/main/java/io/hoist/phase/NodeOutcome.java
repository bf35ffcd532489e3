package io.hoist.phase;

import io.hoist.model.PhaseId;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How one node's upgrade ended: a value, also when it failed.
 *
 * @param node the node's name
 * @param status how it ended
 * @param failedPhase the phase that failed, when one did
 * @param message empty on success; else the original failure's message
 * @param durations how long each phase that ran took, in run order (skipped phases are absent)
 * @param failure the original failure, with undo failures attached as suppressed exceptions, when
 *     one occurred
 */
public record NodeOutcome(
    String node,
    Status status,
    Optional<PhaseId> failedPhase,
    String message,
    Map<PhaseId, Duration> durations,
    Optional<PhaseFailure> failure) {

  /** How a node's upgrade ended. */
  public enum Status {
    /** Every phase ran or was already done, at least one ran. */
    UPGRADED,
    /** Every phase's effect was already present: nothing ran. */
    ALREADY_AT_TARGET,
    /**
     * A phase that only reads (version check, pre-validation) failed before anything on the node
     * changed.
     */
    FAILED_UNCHANGED,
    /** A phase failed and every completed phase was undone: the node is back where it was. */
    FAILED_ROLLED_BACK,
    /**
     * The node succeeded but was reverted to the previous release with the rest of the cluster
     * (one-shot mode: another node failed, or the cluster was not healthy within the window).
     */
    REVERTED,
    /** A phase failed and was not (or not fully) undone: the node needs a person. */
    FAILED_NEEDS_ATTENTION
  }

  public NodeOutcome {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(failedPhase, "failedPhase");
    Objects.requireNonNull(message, "message");
    // Not Map.copyOf: the run order of the phases is part of the value.
    durations = Collections.unmodifiableMap(new LinkedHashMap<>(durations));
    Objects.requireNonNull(failure, "failure");
  }

  /** Whether the node ended on the target release. */
  public boolean isSuccess() {
    return status == Status.UPGRADED || status == Status.ALREADY_AT_TARGET;
  }
}
