package io.hoist.stage;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How staging a release on one node ended.
 *
 * @param node the node's name
 * @param status what happened
 * @param message what was done, or what failed and what to do about it
 * @param bytesSent bundle bytes uploaded (0 when nothing was uploaded or the upload failed)
 * @param duration wall time of the whole staging on this node
 * @param pruned names of the old releases removed from {@code HOME/releases}, oldest first
 */
public record StageResult(
    String node,
    StageResult.Status status,
    String message,
    long bytesSent,
    Duration duration,
    List<String> pruned) {

  /** A node on which nothing was attempted, for {@code reason} (e.g. it cannot be reached). */
  public static StageResult failed(String node, String reason) {
    return new StageResult(node, Status.FAILED, reason, 0, Duration.ZERO, List.of());
  }

  /** The outcome on one node. */
  public enum Status {
    /** The release was uploaded and unpacked now. */
    STAGED,
    /** The release was already staged from the same bundle: nothing was sent or changed. */
    ALREADY_STAGED,
    /** Staging failed; the message says where and what to do. */
    FAILED
  }

  public StageResult {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(duration, "duration");
    pruned = List.copyOf(pruned);
  }

  /** Whether the release is staged on the node now (just staged or already there). */
  public boolean isStaged() {
    return status != Status.FAILED;
  }
}
