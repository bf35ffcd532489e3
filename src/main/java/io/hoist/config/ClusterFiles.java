package io.hoist.config;

import io.hoist.error.ConfigException;
import io.hoist.error.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the cluster file: {@code -c FILE}, else {@code $HOIST_CLUSTER}, else {@code
 * ./cluster.yaml}, else {@code /etc/hoist/cluster.yaml}.
 */
public final class ClusterFiles {

  /** The environment variable naming the cluster file. */
  public static final String ENV = "HOIST_CLUSTER";

  /** The file looked for in the working directory. */
  public static final String LOCAL_NAME = "cluster.yaml";

  /** The system-wide cluster file. */
  public static final Path SYSTEM_FILE = Path.of("/etc/hoist/cluster.yaml");

  private ClusterFiles() {}

  /**
   * The cluster file to use. A file named explicitly ({@code -c} or {@code $HOIST_CLUSTER}) is
   * returned even if it does not exist, so that loading it reports it missing under the name the
   * user gave.
   *
   * @param option the value of {@code -c}, or {@code null}
   * @param env the environment
   * @param cwd the working directory
   * @throws ConfigException when nothing was named and neither default file exists
   */
  public static Path locate(String option, Map<String, String> env, Path cwd) {
    return locate(option, env, cwd, SYSTEM_FILE);
  }

  static Path locate(String option, Map<String, String> env, Path cwd, Path systemFile) {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(cwd, "cwd");
    if (option != null && !option.isBlank()) {
      return cwd.resolve(option);
    }
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return cwd.resolve(fromEnv);
    }
    Path local = cwd.resolve(LOCAL_NAME);
    if (Files.exists(local)) {
      return local;
    }
    if (Files.exists(systemFile)) {
      return systemFile;
    }
    throw new ConfigException(
        new Problem(
            local.toString(),
            0,
            0,
            "no cluster file: tried "
                + local
                + " and "
                + systemFile
                + "; name one with -c FILE or "
                + ENV
                + "=FILE (the README, section The cluster file, describes its keys)"));
  }
}
