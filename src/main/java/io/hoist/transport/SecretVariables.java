package io.hoist.transport;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Environment variables that hold secrets for hoist itself and must never reach a command it runs:
 * a child that prints its environment (or fails with it in a message) would show them.
 */
public final class SecretVariables {

  /** The password for SSH password authentication. */
  public static final String SSH_PASSWORD = "HOIST_SSH_PASSWORD";

  /** Every secret variable. */
  public static final Set<String> ALL = Set.of(SSH_PASSWORD);

  private SecretVariables() {}

  /** A copy of {@code env} without the secret variables. */
  public static Map<String, String> without(Map<String, String> env) {
    Map<String, String> kept = new HashMap<>(env);
    kept.keySet().removeAll(ALL);
    return kept;
  }
}
