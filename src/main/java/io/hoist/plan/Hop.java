package io.hoist.plan;

import java.util.List;
import java.util.Objects;

/**
 * One step of the cluster towards the target: every node whose path passes through {@code version}
 * is upgraded to it, batch by batch, before the next hop starts.
 *
 * @param number 1-based
 * @param version the release this hop installs
 * @param batches in order
 */
public record Hop(int number, String version, List<Batch> batches) {

  public Hop {
    Objects.requireNonNull(version, "version");
    batches = List.copyOf(batches);
  }
}
