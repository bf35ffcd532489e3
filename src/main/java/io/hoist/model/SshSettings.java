package io.hoist.model;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to reach a node over SSH. Unset fields ({@code null}, empty) fall back to {@code
 * ~/.ssh/config}, then to OpenSSH's defaults. Paths may start with {@code ~/}.
 *
 * @param user login user, or {@code null}
 * @param port port, or {@code null}
 * @param identities private key files, tried in order; empty: those of ssh config, then {@code
 *     ~/.ssh/id_ed25519}, {@code id_ecdsa}, {@code id_rsa} when present
 * @param knownHosts the known_hosts file
 * @param hostKeys what to do with a host key that is not in known_hosts
 * @param config the OpenSSH client config to honour ({@code Host} entries), or {@code null} for
 *     none
 * @param connectTimeout limit for TCP connect plus SSH handshake
 * @param keepalive interval of keepalive messages on an idle session
 * @param kex key exchange algorithms to offer, in order of preference (names of {@link
 *     KeyExchange#SUPPORTED}); empty: the ssh config's {@code KexAlgorithms}, else {@link
 *     KeyExchange#DEFAULT}
 */
public record SshSettings(
    String user,
    Integer port,
    List<String> identities,
    String knownHosts,
    HostKeyPolicy hostKeys,
    String config,
    Duration connectTimeout,
    Duration keepalive,
    List<String> kex) {

  public SshSettings {
    identities = List.copyOf(identities);
    kex = List.copyOf(kex);
    Objects.requireNonNull(knownHosts, "knownHosts");
    Objects.requireNonNull(hostKeys, "hostKeys");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(keepalive, "keepalive");
  }

  /** The defaults: strict host keys, {@code ~/.ssh/known_hosts}, {@code ~/.ssh/config}. */
  public static SshSettings defaults() {
    return new SshSettings(
        null,
        null,
        List.of(),
        "~/.ssh/known_hosts",
        HostKeyPolicy.STRICT,
        "~/.ssh/config",
        Duration.ofSeconds(10),
        Duration.ofSeconds(15),
        List.of());
  }

  /** A copy with another host key policy (for {@code --accept-new-host-keys}). */
  public SshSettings withHostKeys(HostKeyPolicy policy) {
    return new SshSettings(
        user, port, identities, knownHosts, policy, config, connectTimeout, keepalive, kex);
  }
}
