package io.hoist.model;

/**
 * The commands hoist runs on a node; each is a template ({@code ${version}}...). A field that is
 * {@code null} is not set at this level: {@link #overlay} fills it from below.
 *
 * @param version prints the running version
 * @param stop stops the product
 * @param start starts the product
 * @param health post-validation health check
 * @param migrate migrates state after start, when defined
 * @param install installs a release instead of switching {@code current}, when defined
 */
public record Commands(
    String version, String stop, String start, HealthCheck health, String migrate, String install) {

  /** No command set. */
  public static Commands none() {
    return new Commands(null, null, null, null, null, null);
  }

  /** These commands, with each field that {@code top} sets replaced by top's. */
  public Commands overlay(Commands top) {
    return new Commands(
        top.version != null ? top.version : version,
        top.stop != null ? top.stop : stop,
        top.start != null ? top.start : start,
        top.health != null ? top.health : health,
        top.migrate != null ? top.migrate : migrate,
        top.install != null ? top.install : install);
  }
}
