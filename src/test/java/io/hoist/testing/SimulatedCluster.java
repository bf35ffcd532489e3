package io.hoist.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Simulated nodes for integration tests: each is a directory (its install home, with {@code
 * releases/V/VERSION} and a {@code current} link) served by its own embedded SSH server on
 * 127.0.0.1; plus a test HOME with a client key and a known_hosts holding every server's key, a
 * {@code file:} repository with bundles and checksums ({@code max_step: minor}), and a cluster file
 * for all of it.
 */
public final class SimulatedCluster implements AutoCloseable {

  private final Path root;
  private final Path clientKey;
  private final Map<String, SshServerFixture> servers = new LinkedHashMap<>();
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private final Map<String, String> roles = new LinkedHashMap<>();
  private final Map<String, String> zones = new LinkedHashMap<>();
  private final List<String> releases = new ArrayList<>();
  private String repository;
  private String password;

  private SimulatedCluster(Path root, Path clientKey) {
    this.root = root;
    this.clientKey = clientKey;
  }

  /** An empty cluster in {@code root} with an ed25519 client key (or RSA when {@code rsa}). */
  public static SimulatedCluster in(Path root, boolean rsa) {
    Path keys = root.resolve("home/.ssh");
    Path key = rsa ? TestKeys.rsa(keys, "id_test") : TestKeys.ed25519(keys, "id_test");
    return new SimulatedCluster(root, key);
  }

  /** The test HOME (with .ssh/known_hosts and the client key). */
  public Path home() {
    return root.resolve("home");
  }

  public Path knownHosts() {
    return home().resolve(".ssh/known_hosts");
  }

  public Path clusterFile() {
    return root.resolve("cluster.yaml");
  }

  /** A node's install home. */
  public Path nodeHome(String node) {
    return root.resolve("nodes").resolve(node);
  }

  public SshServerFixture server(String node) {
    return servers.get(node);
  }

  /** Releases offered by the repository. */
  public SimulatedCluster releases(String... versions) {
    releases.addAll(List.of(versions));
    return this;
  }

  /**
   * The cluster file's {@code release.repository} (e.g. {@code http://127.0.0.1:PORT/repo}) instead
   * of the default {@code file:ROOT/repo} with placeholder bundles.
   */
  public SimulatedCluster repository(String location) {
    repository = location;
    return this;
  }

  /**
   * Nodes added from now on accept only this password (any user), not the client key: hoist must
   * log in with {@code HOIST_SSH_PASSWORD}. The cluster file still names the key, which is offered
   * first and refused.
   */
  public SimulatedCluster passwordOnly(String password) {
    this.password = password;
    return this;
  }

  /** The directory the default {@code file:} repository is in. */
  public Path repositoryDir() {
    return root.resolve("repo");
  }

  /** Adds a node running {@code version}, with one role, served by a fresh SSH server. */
  public SimulatedCluster node(String name, String role, String version) {
    return node(name, role, version, false, server -> {});
  }

  /** The same, its server set up further by {@code server} (its key exchanges, say). */
  public SimulatedCluster node(
      String name, String role, String version, Consumer<SshServerFixture.Builder> server) {
    return node(name, role, version, false, server);
  }

  /**
   * Adds a node whose {@code df} reports 100 KiB free on its file system (a fake {@code df} first
   * on that node's PATH; {@link #freeSpace} removes it).
   */
  public SimulatedCluster nodeWithLittleSpace(String name, String role, String version) {
    return node(name, role, version, true, server -> {});
  }

  /** Removes a node's fake {@code df}: its real free space shows again. */
  public void freeSpace(String node) {
    try {
      Files.deleteIfExists(fakeBin(node).resolve("df"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path fakeBin(String node) {
    return root.resolve("fakebin").resolve(node);
  }

  private SimulatedCluster node(
      String name,
      String role,
      String version,
      boolean littleSpace,
      Consumer<SshServerFixture.Builder> server) {
    try {
      Path home = nodeHome(name);
      Path release = Files.createDirectories(home.resolve("releases").resolve(version));
      Files.writeString(release.resolve("VERSION"), version + "\n");
      Files.createSymbolicLink(home.resolve("current"), Path.of("releases", version));
      SshServerFixture.Builder builder =
          SshServerFixture.builder(home, root.resolve("hostkeys").resolve(name));
      if (password != null) {
        builder.password(password);
      } else {
        builder.authorize(TestKeys.publicKeyOf(clientKey));
      }
      if (littleSpace) {
        Path bin = Files.createDirectories(fakeBin(name));
        Path df = bin.resolve("df");
        Files.writeString(
            df,
            "#!/bin/sh\n"
                + "echo 'Filesystem 1024-blocks Used Available Capacity Mounted on'\n"
                + "echo 'tiny 1000 900 100 90% /'\n");
        Files.setPosixFilePermissions(df, PosixFilePermissions.fromString("rwxr-xr-x"));
        builder.environment(
            "PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
      }
      server.accept(builder);
      SshServerFixture started = builder.start();
      servers.put(name, started);
      ports.put(name, started.port());
      roles.put(name, role);
      Files.writeString(
          knownHosts(),
          started.knownHostsLine() + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Puts a node in a zone ({@code zone:} in the cluster file written next). */
  public SimulatedCluster zone(String node, String zone) {
    zones.put(node, zone);
    return this;
  }

  /** Stops a node's server: the node is down (its port refuses connections). */
  public void stop(String node) {
    servers.get(node).stop();
  }

  /**
   * Writes the cluster file.
   *
   * @param extra YAML appended at top level before {@code nodes:} (roles, checks, ...)
   */
  public Path writeClusterFile(String extra) {
    try {
      Path repo = Files.createDirectories(repositoryDir());
      for (String version : releases) {
        Path bundle = repo.resolve("acme-" + version + ".tar.gz");
        Files.writeString(bundle, "bundle " + version + "\n");
        Files.writeString(
            repo.resolve(bundle.getFileName() + ".sha256"),
            "0".repeat(64) + "  " + bundle.getFileName() + "\n");
      }
      StringBuilder yaml = new StringBuilder();
      yaml.append("cluster: sim\n")
          .append("release:\n")
          .append("  repository: ")
          .append(repository != null ? repository : "file:" + repo)
          .append("\n  bundle: acme-${version}.tar.gz\n  max_step: minor\n  cache: ")
          .append(root.resolve("cache"))
          .append("\n")
          .append("ssh:\n  user: hoist\n  identity: ")
          .append(clientKey)
          .append("\n  known_hosts: ")
          .append(knownHosts())
          .append("\n  connect_timeout: 5s\n")
          .append("layout: { min_free: 1MiB }\n")
          .append("commands:\n  version: \"cat ${home}/current/VERSION\"\n")
          .append(extra)
          .append("nodes:\n");
      for (Map.Entry<String, Integer> node : ports.entrySet()) {
        yaml.append("  - { name: ")
            .append(node.getKey())
            .append(", host: 127.0.0.1, roles: [")
            .append(roles.get(node.getKey()))
            .append("], ssh: { port: ")
            .append(node.getValue())
            .append(" }, layout: { home: \"")
            .append(nodeHome(node.getKey()))
            .append("\" }")
            .append(zones.containsKey(node.getKey()) ? ", zone: " + zones.get(node.getKey()) : "")
            .append(" }\n");
      }
      Files.writeString(clusterFile(), yaml.toString());
      return clusterFile();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    servers.values().forEach(SshServerFixture::stop);
  }
}
