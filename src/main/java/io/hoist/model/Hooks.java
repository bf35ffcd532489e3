package io.hoist.model;

/**
 * Commands run on the core node around a cluster run; {@code null} when not set.
 *
 * @param beforeCluster run before the first node (e.g. maintenance mode on)
 * @param afterCluster always run at the end, also after a failure (maintenance mode off)
 */
public record Hooks(String beforeCluster, String afterCluster) {

  public static Hooks none() {
    return new Hooks(null, null);
  }
}
