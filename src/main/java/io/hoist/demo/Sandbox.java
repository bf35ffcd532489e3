package io.hoist.demo;

import io.hoist.release.Bundles;
import io.hoist.release.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A throwaway cluster on this machine: six local nodes with their own install homes, running
 * release 1.0.0 of a small product ("acme"), a {@code file:} repository with three releases
 * (bundles and {@code .sha256} files; 2.0.0 may only be reached from 1.1.0 or later, so the upgrade
 * takes two hops), and a cluster file that ties them together with roles, a serial role with a
 * leader probe and the upgrade path.
 */
public final class Sandbox {

  /** The releases in the repository, oldest first. */
  public static final List<String> RELEASES = List.of("1.0.0", "1.1.0", "2.0.0");

  /** The release 2.0.0 must be upgraded from (a gate: 1.0.0 goes through 1.1.0 first). */
  static final String GATE = ">=1.1.0";

  /** Node name to the release it runs at the start. */
  public static final Map<String, String> NODES =
      new TreeMap<>(
          Map.of(
              "router-1", "1.0.0",
              "router-2", "1.0.0",
              "ctl-1", "1.0.0",
              "db-1", "1.0.0",
              "db-2", "1.0.0",
              "db-3", "1.0.0"));

  private final Path root;

  private Sandbox(Path root) {
    this.root = root;
  }

  /** The sandbox's directory. */
  public Path root() {
    return root;
  }

  /** Its cluster file. */
  public Path clusterFile() {
    return root.resolve("cluster.yaml");
  }

  /** A node's install home. */
  public Path home(String node) {
    return root.resolve("nodes").resolve(node);
  }

  /**
   * Creates the sandbox in {@code root} (which must be empty or missing).
   *
   * @throws IOException when a file cannot be written
   */
  public static Sandbox create(Path root) throws IOException {
    Files.createDirectories(root);
    Sandbox sandbox = new Sandbox(root);
    Path repo = Files.createDirectories(root.resolve("repo"));
    for (String version : RELEASES) {
      writeBundle(root, repo, version);
    }
    for (Map.Entry<String, String> node : NODES.entrySet()) {
      Path home = sandbox.home(node.getKey());
      Path release = home.resolve("releases").resolve(node.getValue());
      writeRelease(release, node.getValue());
      Files.createSymbolicLink(home.resolve("current"), Path.of("releases", node.getValue()));
      Files.createDirectories(home.resolve("state"));
      // The product's data: backed up before each switch, migrated by each new release.
      Path data = Files.createDirectories(home.resolve("data"));
      Files.writeString(data.resolve("schema"), "schema " + node.getValue() + "\n");
      Files.writeString(data.resolve("orders.db"), "order 1\norder 2\norder 3\n");
      Files.writeString(home.resolve("state/running"), node.getValue() + "\n");
      if (node.getKey().equals("db-2")) {
        // The serial role's leader: the run asks, and upgrades it last.
        Files.writeString(home.resolve("state/leader"), "");
      }
    }
    Files.writeString(sandbox.clusterFile(), clusterYaml(sandbox), StandardCharsets.UTF_8);
    return sandbox;
  }

  private static String clusterYaml(Sandbox sandbox) {
    StringBuilder nodes = new StringBuilder();
    for (String node : NODES.keySet()) {
      String role =
          node.startsWith("router") ? "router" : node.startsWith("ctl") ? "controller" : "primary";
      nodes
          .append("  - { name: ")
          .append(node)
          .append(", transport: local, roles: [")
          .append(role)
          .append("], layout: { home: ")
          .append(yamlString(sandbox.home(node).toString()))
          .append(" } }\n");
    }
    return """
        # A throwaway cluster made by 'hoist demo': every node is a directory on this machine.
        cluster: demo
        release:
          repository: file:repo
          bundle: acme-${version}.tar.gz
          cache: CACHE  # the core node's bundle cache, inside the sandbox
          upgrade_paths:               # 2.0 only from 1.1 or later: 1.0.0 -> 1.1.0 -> 2.0.0
            - { to: "2.0", from: "GATE" }
        layout:
          min_free: 1MiB
        role_order: [router, controller, primary]
        roles:
          router:  { max_parallel: 2 }
          controller: {}
          primary: { serial: true, settle: 1s, leader: "test -f ${home}/state/leader" }
        commands:
          version: "cat ${home}/current/VERSION"
          stop:    "${home}/current/bin/acmed stop"
          start:   "${home}/current/bin/acmed start"
          migrate: "${home}/current/bin/acmed migrate"
          health:  { run: "${home}/current/bin/acmed status", retries: 5, interval: 1s }
        checks:
          - { name: product-running, run: "${home}/current/bin/acmed status" }
        backup:                        # archived on the core node before each switch
          paths: ["${home}/data"]
          keep: 2
        timeouts: { command: 20s, stop: 20s, start: 20s }
        nodes:
        """
            .replace("CACHE", yamlString(sandbox.root.resolve("cache").toString()))
            .replace("GATE", GATE)
        + nodes;
  }

  /**
   * A YAML double-quoted string holding {@code text} exactly: the sandbox's directory is the user's
   * choice ({@code --dir}) and may hold quotes, backslashes, '#', ': ' or line breaks.
   */
  static String yamlString(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0xfeff) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  private static void writeRelease(Path dir, String version) throws IOException {
    Files.createDirectories(dir.resolve("bin"));
    Files.writeString(dir.resolve("VERSION"), version + "\n");
    Path script = dir.resolve("bin/acmed");
    Files.writeString(script, productScript(version));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /**
   * Makes every release newer than the one {@code node} runs unhealthy on it, so that its upgrade
   * fails its post-validation and is rolled back ({@code hoist demo --fail-at}).
   *
   * @throws IllegalArgumentException for a node the sandbox does not have
   */
  public void failHealthAt(String node) throws IOException {
    String running = NODES.get(node);
    if (running == null) {
      throw new IllegalArgumentException(node);
    }
    List<String> newer = RELEASES.subList(RELEASES.indexOf(running) + 1, RELEASES.size());
    Files.writeString(home(node).resolve("state/unhealthy"), String.join("\n", newer) + "\n");
  }

  /** The demo product: start/stop/status against HOME/state, found from the release dir. */
  private static String productScript(String version) {
    return """
        #!/usr/bin/env bash
        # acmed VERSION: the demo product of 'hoist demo'.
        set -euo pipefail
        release="$(cd "$(dirname "$0")/.." && pwd -P)"   # HOME/releases/VERSION
        home="$(dirname "$(dirname "$release")")"
        state="$home/state"
        case "${1:-}" in
          start)  mkdir -p "$state"; echo VERSION > "$state/running"; echo "acmed VERSION started" ;;
          stop)   rm -f "$state/running"; echo "acmed stopped" ;;
          migrate) echo "schema VERSION" > "$home/data/schema"; echo "acmed: data migrated to VERSION" ;;
          status)
            # 'hoist demo --fail-at NODE' lists the releases that are unhealthy on NODE.
            if grep -qx VERSION "$state/unhealthy" 2>/dev/null; then
              echo "acmed VERSION: 2 of 3 replicas lagging (hoist demo --fail-at)" >&2; exit 3
            fi
            if [ -f "$state/running" ]; then echo "acmed $(cat "$state/running") running"; \
        else echo "acmed not running" >&2; exit 3; fi ;;
          *) echo "usage: acmed start|stop|status|migrate" >&2; exit 2 ;;
        esac
        """
        .replace("VERSION", version);
  }

  /** Packs a release with hoist's own packer, as a release engineer would. */
  private static void writeBundle(Path root, Path repo, String version) throws IOException {
    Path build = root.resolve("build").resolve(version);
    writeRelease(build, version);
    String from = version.equals("2.0.0") ? GATE : null;
    Bundles.pack(
        build, Version.parse(version), "acme", from, null, repo, "acme-" + version + ".tar.gz");
  }
}
