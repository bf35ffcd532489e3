package io.hoist.cli;

import io.hoist.transport.TransportFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What hoist reads from the process it runs in, passed in so tests give their own (never the
 * developer's HOME or ~/.ssh).
 *
 * @param variables environment variables
 * @param cwd the working directory
 * @param home the user's home directory
 * @param interactive whether stdin and stdout are a terminal
 * @param root whether hoist runs as root (system-wide cache and state directories)
 * @param wire how commands reach the nodes, or {@code null}: each node's own transport (SSH, or
 *     {@code bash -c} for a local node). Benchmarks give a simulated one, so that everything but
 *     the wire is hoist's own code.
 */
public record Environment(
    Map<String, String> variables,
    Path cwd,
    Path home,
    boolean interactive,
    boolean root,
    TransportFactory wire) {

  public Environment {
    variables = Map.copyOf(variables);
    Objects.requireNonNull(cwd, "cwd");
    Objects.requireNonNull(home, "home");
  }

  /** An environment whose nodes are reached over their own transports. */
  public Environment(
      Map<String, String> variables, Path cwd, Path home, boolean interactive, boolean root) {
    this(variables, cwd, home, interactive, root, null);
  }

  /** The real process environment. */
  public static Environment system() {
    Map<String, String> env = System.getenv();
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return new Environment(
        env,
        Path.of("").toAbsolutePath(),
        Path.of(home),
        System.console() != null,
        "root".equals(System.getProperty("user.name")));
  }

  /** A variable, or null. */
  public String get(String name) {
    return variables.get(name);
  }
}
