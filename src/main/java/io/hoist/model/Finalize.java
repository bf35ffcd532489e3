package io.hoist.model;

import java.util.Objects;

/**
 * A role's finalize command: the point of no return of an upgrade (bumping a protocol or data
 * format version, as Kafka's {@code inter.broker.protocol.version} or CockroachDB's {@code SET
 * CLUSTER SETTING version}). It runs on every node of the role, one node at a time, once every node
 * of the upgrade is upgraded and healthy; until then the upgrade can be undone.
 *
 * @param run the command template (rendered per node; {@code ${version}} is the new release)
 * @param auto finalize right after a successful upgrade ({@code when: auto}); else it waits for
 *     {@code hoist finalize} ({@code when: manual}, the default)
 */
public record Finalize(String run, boolean auto) {

  public Finalize {
    Objects.requireNonNull(run, "run");
  }
}
