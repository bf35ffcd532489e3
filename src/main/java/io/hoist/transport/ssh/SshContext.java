package io.hoist.transport.ssh;

import io.hoist.model.HostKeyPolicy;
import io.hoist.transport.SecretVariables;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What the SSH transport takes from the environment instead of reading it itself, so that tests
 * (and embedding code) control it completely.
 *
 * @param userHome the directory {@code ~} stands for in paths of the SSH settings
 * @param env environment variables: {@code SSH_AUTH_SOCK} (use the ssh-agent), {@code
 *     HOIST_SSH_PASSWORD} (allow password authentication with this password), {@code USER} (the
 *     default login user)
 * @param hostKeys the host key policy to use instead of the node's ({@code
 *     --accept-new-host-keys}), or {@code null} to use the node's
 */
public record SshContext(Path userHome, Map<String, String> env, HostKeyPolicy hostKeys) {

  /** The variable holding the password for password authentication. */
  public static final String PASSWORD_VARIABLE = SecretVariables.SSH_PASSWORD;

  public SshContext {
    Objects.requireNonNull(userHome, "userHome");
    env = Map.copyOf(env);
  }

  /** {@code path} with a leading {@code ~} replaced by {@link #userHome()}. */
  public Path expand(String path) {
    if (path.equals("~")) {
      return userHome;
    }
    if (path.startsWith("~/")) {
      return userHome.resolve(path.substring(2));
    }
    return userHome.resolve(path);
  }

  /** Hides the password. */
  @Override
  public String toString() {
    return "SshContext[userHome="
        + userHome
        + ", env="
        + env.keySet()
        + ", hostKeys="
        + hostKeys
        + "]";
  }
}
