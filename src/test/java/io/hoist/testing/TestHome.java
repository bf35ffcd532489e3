package io.hoist.testing;

import io.hoist.model.Commands;
import io.hoist.model.HostKeyPolicy;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.SshSettings;
import io.hoist.model.TransportKind;
import io.hoist.transport.ssh.SshContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A throwaway user home for SSH client tests: {@code ~/.ssh} (0700), a known_hosts file, an ssh
 * config path, and the {@link SshContext} that points the transport at them, so nothing reads the
 * developer's own {@code ~/.ssh}.
 */
public final class TestHome {

  /** The login user the tests use. */
  public static final String USER = "hoist";

  private final Path dir;

  private TestHome(Path dir) {
    this.dir = dir;
  }

  /** A new home in {@code parent/home}. */
  public static TestHome create(Path parent) {
    try {
      Path dir = Files.createDirectories(parent.resolve("home"));
      Files.createDirectories(dir.resolve(".ssh"));
      Files.setPosixFilePermissions(
          dir.resolve(".ssh"), PosixFilePermissions.fromString("rwx------"));
      return new TestHome(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** {@code ~/.ssh}. */
  public Path sshDir() {
    return dir.resolve(".ssh");
  }

  /** {@code ~/.ssh/known_hosts} (may not exist yet). */
  public Path knownHosts() {
    return sshDir().resolve("known_hosts");
  }

  /** {@code ~/.ssh/config} (may not exist yet). */
  public Path sshConfig() {
    return sshDir().resolve("config");
  }

  /** Adds the server's host key to known_hosts. */
  public TestHome trust(SshServerFixture server) {
    return appendKnownHost(server.knownHostsLine());
  }

  /** Appends a line to known_hosts. */
  public TestHome appendKnownHost(String line) {
    try {
      Files.writeString(
          knownHosts(),
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A context with this home, {@code USER=hoist} and the node's host key policy. */
  public SshContext context() {
    return context(Map.of(), null);
  }

  /** A context with this home, {@code USER=hoist} plus {@code env}, and a policy override. */
  public SshContext context(Map<String, String> env, HostKeyPolicy override) {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("USER", USER);
    return new SshContext(dir, all, override);
  }

  /**
   * SSH settings for a fixture on {@code port}: user {@code hoist}, the given identities, this
   * home's known_hosts and config, strict host keys, a 5 s connect timeout.
   */
  public SshSettings settings(Integer port, List<Path> identities) {
    return settings(port, identities, List.of());
  }

  /** The same, offering these key exchange algorithms (empty: the ssh config's or the default). */
  public SshSettings settings(Integer port, List<Path> identities, List<String> kex) {
    return new SshSettings(
        USER,
        port,
        identities.stream().map(Path::toString).toList(),
        "~/.ssh/known_hosts",
        HostKeyPolicy.STRICT,
        "~/.ssh/config",
        Duration.ofSeconds(5),
        Duration.ofSeconds(15),
        kex);
  }

  /** An SSH node at {@code host} with these settings, its layout home in {@code home}. */
  public static Node node(String name, String host, SshSettings ssh, Path home) {
    return new Node(
        name,
        TransportKind.SSH,
        host,
        List.of("dea"),
        ssh,
        new Layout(home.toString(), 0),
        Commands.none());
  }
}
