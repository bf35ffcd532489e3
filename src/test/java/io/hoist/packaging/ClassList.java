package io.hoist.packaging;

import io.hoist.demo.Sandbox;
import io.hoist.testing.SshServerFixture;
import io.hoist.testing.TestKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes the class list the Debian package installs as /usr/share/hoist/hoist.classlist: the
 * classes the built jar loads for the commands whose time is mostly start-up ({@code --version},
 * {@code --help}, a command's help, the shell completion's words from a cluster file), for {@code
 * hoist demo} (an upgrade of local nodes, every step in JSON), and for the commands an admin runs
 * over SSH: {@code hoist inspect}, {@code upgrade --cluster --dry-run} (text and JSON), {@code
 * version prepare} (a bundle staged over SFTP), {@code upgrade --cluster --yes} (journal, run lock,
 * phases, text and JSON report) and {@code status} (JSch, hoist's sntrup761, the JDK's security
 * classes, Jackson, hoist's transport, plan, release, run and journal). One class per line in the
 * order a JVM loaded them, as {@code -XX:DumpLoadedClassList} writes them.
 *
 * <p>The SSH runs go to a real SSH server started here (Apache MINA SSHD, {@link SshServerFixture}:
 * 127.0.0.1 only, a generated host key in the known_hosts file the cluster file names, a generated
 * client key, commands run by bash on this machine, SFTP on its file system), stopped at the end.
 * Two inspect runs, one per key exchange whose classes an admin's inspect loads:
 * sntrup761x25519-sha512 (what OpenSSH 9.0 to 9.8 negotiates with hoist's default offer) and
 * curve25519-sha256 (pinned with {@code ssh.kex}, as bench/fanout.sh pins it). Then the upgrade
 * runs ({@link #upgradeRuns}), against the sandbox {@code hoist demo} builds ({@link Sandbox}) with
 * its nodes moved to that server: two hops, 1.0.0 to 1.1.0 to 2.0.0. The server's record of the
 * negotiated key exchanges is checked, and so are the nodes' releases at the end. Each run gets the
 * JIT options the installed launcher gives its command.
 *
 * <p>The package's postinst dumps a class-data sharing archive from it ({@code java -Xshare:dump
 * -XX:SharedClassListFile}) for the Java installed there: an archive is tied to one Java build and
 * to the jar's path and time stamp, so it cannot be made here. A static archive, unlike one from
 * {@code -XX:ArchiveClassesAtExit}, also holds picocli's classes (Java 5 class files).
 *
 * <p>Run by the build (exec-maven-plugin, package phase, after the shade plugin); a training run
 * that fails (or does not end within five minutes), or a list that lacks one of the classes that
 * prove the runs happened, fails the build.
 */
public final class ClassList {

  /** What the JVM records but no archive can hold: proxies and reflection accessors it spins. */
  private static final Pattern GENERATED =
      Pattern.compile(".*/\\$Proxy\\d+|jdk/internal/reflect/Generated\\w*Accessor\\d+");

  private static final String CLUSTER =
      """
      cluster: training
      release: { repository: "file:/nonexistent", bundle: "app-${version}.tar.gz" }
      layout: { home: /opt/app }
      role_order: [web, db]
      roles:
        web: { max_parallel: 2 }
        db: { serial: true }
      nodes:
        - { name: web-1, host: 127.0.0.1, roles: [web] }
        - { name: db-1, host: 127.0.0.1, roles: [db] }
      """;

  /**
   * The inspect training cluster, with @REPO@, @NODES@ and @SSH@ (the {@code ssh:} block) filled
   * in. The version command, a free-space minimum of 0 and one check, as in bench/fanout.sh.
   */
  private static final String INSPECT_CLUSTER =
      """
      cluster: training-inspect
      release: { repository: "file:@REPO@", bundle: "app-${version}.tar.gz" }
      ssh:
      @SSH@
      layout: { min_free: 1KiB }
      commands:
        version: "echo 1.0.0"
      checks:
        - { name: trivial, run: "true" }
      nodes:
      @NODES@
      """;

  /** The key exchange the server offers first and hoist negotiates in the first inspect run. */
  private static final String HYBRID_KEX = "sntrup761x25519-sha512";

  /** The key exchange the second inspect run pins ({@code ssh.kex}). */
  private static final String PINNED_KEX = "curve25519-sha256";

  /** The sandbox's nodes the upgrade runs over SSH upgrade ({@link #upgradeRuns}). */
  private static final List<String> UPGRADE_NODES = List.of("router-1", "router-2", "db-1", "db-2");

  private ClassList() {}

  /** {@code ClassList JAR OUT_FILE}. */
  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: ClassList JAR OUT_FILE");
    }
    Path jar = Path.of(args[0]).toAbsolutePath();
    Path out = Path.of(args[1]);
    Path work = Files.createTempDirectory("hoist-classlist");
    try {
      Path cluster = Files.writeString(work.resolve("cluster.yaml"), CLUSTER);
      String c = cluster.toString();
      List<List<String>> runs =
          List.of(
              List.of("--version"),
              List.of("--help"),
              List.of("upgrade", "--help"),
              List.of("-c", c, "__complete", "nodes"),
              List.of("-c", c, "__complete", "roles"));
      Set<String> lines = new LinkedHashSet<>();
      for (int i = 0; i < runs.size(); i++) {
        lines.addAll(loadedClasses(jar, work, "run" + i, runs.get(i)));
      }
      lines.addAll(demoRun(jar, work));
      lines.addAll(inspectAndUpgradeRuns(jar, work));
      for (String needed :
          List.of(
              "picocli/CommandLine",
              "io/hoist/inspect/Inspector",
              "com/jcraft/jsch/Session",
              "com/jcraft/jsch/bc/ChaCha20Poly1305",
              "io/hoist/transport/local/LocalTransport",
              "com/jcraft/jsch/ChannelSftp",
              "com/fasterxml/jackson/databind/ObjectMapper",
              "io/hoist/run/ClusterRun",
              "io/hoist/journal/Journal",
              "io/hoist/journal/RunLock",
              "io/hoist/journal/JournalReader")) {
        if (!lines.contains(needed)) {
          throw new IllegalStateException(
              "the class list lacks " + needed + ": " + lines.size() + " lines");
        }
      }
      Files.createDirectories(out.toAbsolutePath().getParent());
      List<String> text = new ArrayList<>();
      text.add(
          "# The classes hoist's start-up, inspect, upgrade, prepare and status load, for java"
              + " -XX:SharedClassListFile.");
      text.add(
          "# Written by the build (io.hoist.packaging.ClassList); see the package's postinst.");
      text.addAll(lines);
      Files.write(out, text, StandardCharsets.UTF_8);
    } finally {
      deleteTree(work);
    }
  }

  /**
   * {@code hoist demo}: an upgrade of six nodes with {@code transport: local} in two hops, run in
   * one JVM (inspect, dry run, prepare-only, the upgrade, status and version list), with {@code
   * --output json}: the local transport and the JSON renderings of every step. Returns the classes
   * it loaded.
   */
  private static List<String> demoRun(Path jar, Path work)
      throws IOException, InterruptedException {
    Path dir = work.resolve("demo");
    return loadedClasses(
        jar, work, "demo", List.of("-q", "--output", "json", "demo", "--dir", dir.toString()));
  }

  /**
   * Runs against an embedded SSH server (the server offering {@link #HYBRID_KEX} first, then {@link
   * #PINNED_KEX}): {@link #inspectRuns} and {@link #upgradeRuns}. Returns the classes all of them
   * loaded.
   */
  private static List<String> inspectAndUpgradeRuns(Path jar, Path work)
      throws IOException, InterruptedException {
    Path key = TestKeys.ed25519(work.resolve("keys"), "id_training");
    Path knownHosts = work.resolve("known_hosts");
    SshServerFixture server =
        SshServerFixture.builder(work.resolve("node"), work.resolve("host_key"))
            .authorize(TestKeys.publicKeyOf(key))
            .kex(HYBRID_KEX, PINNED_KEX)
            .start();
    try {
      Files.writeString(knownHosts, server.knownHostsLine() + "\n");
      String ssh =
          "  user: hoist\n  identity: \""
              + key
              + "\"\n  known_hosts: \""
              + knownHosts
              + "\"\n  config: none";
      List<String> classes = new ArrayList<>(inspectRuns(jar, work, server, ssh));
      classes.addAll(upgradeRuns(jar, work, server, ssh));
      return classes;
    } finally {
      server.stop();
    }
  }

  /**
   * Two runs of {@code hoist -c CLUSTER inspect} against two nodes on {@code server}: the first
   * with hoist's default key exchange offer and output, the second pinned to {@link #PINNED_KEX}
   * and with {@code -q}, as the benchmarks run it. {@code ssh} is the cluster file's {@code ssh:}
   * block. Returns the classes both loaded.
   *
   * <p>The server offers only {@link #HYBRID_KEX} and {@link #PINNED_KEX}: hoist's default offer
   * puts mlkem768x25519-sha256 first, which MINA with Bouncy Castle would pick (OpenSSH 9.9 and
   * later does too); its classes are not trained here.
   */
  private static List<String> inspectRuns(Path jar, Path work, SshServerFixture server, String ssh)
      throws IOException, InterruptedException {
    Path repo = Files.createDirectories(work.resolve("repo"));
    StringBuilder nodes = new StringBuilder();
    for (String node : List.of("n1", "n2")) {
      Path home = Files.createDirectories(work.resolve("nodes").resolve(node));
      nodes.append(
          "  - { name: "
              + node
              + ", host: 127.0.0.1, ssh: { port: "
              + server.port()
              + " }, layout: { home: \""
              + home
              + "\" } }\n");
    }
    String cluster =
        INSPECT_CLUSTER
            .replace("@SSH@\n", ssh + "\n")
            .replace("@NODES@\n", nodes.toString())
            .replace("@REPO@", repo.toString());
    Path byDefault = Files.writeString(work.resolve("inspect-default.yaml"), cluster);
    Path pinned =
        Files.writeString(
            work.resolve("inspect-pinned.yaml"),
            cluster.replace(" config: none", " config: none\n  kex: [" + PINNED_KEX + "]"));
    List<String> classes = new ArrayList<>();
    int before = server.negotiatedKex().size();
    classes.addAll(
        loadedClasses(
            jar, work, "inspect-default", List.of("-c", byDefault.toString(), "inspect")));
    int seen = expectKex(server, before, HYBRID_KEX, "inspect with the default offer");
    classes.addAll(
        loadedClasses(
            jar, work, "inspect-pinned", List.of("-q", "-c", pinned.toString(), "inspect")));
    expectKex(server, seen, PINNED_KEX, "inspect with ssh.kex: [" + PINNED_KEX + "]");
    return classes;
  }

  /**
   * The runs of an upgrade over SSH, against the sandbox {@code hoist demo} makes ({@link Sandbox}:
   * six nodes on release 1.0.0, a file repository with 1.0.0, 1.1.0 and 2.0.0, two hops), four of
   * its nodes ({@link #UPGRADE_NODES}) moved from {@code transport: local} to {@code server} (every
   * node's home a directory here, its commands run by bash): the dry run (text, and JSON to 1.1.0
   * as bench/overhead.sh reads it), {@code version prepare 1.1.0} (the bundle staged over SFTP),
   * the upgrade to 1.1.0 (journal, run lock, phases, report), {@code status}, the upgrade to 2.0.0
   * with {@code --output json} (staging inside the run, the JSON report) and {@code status} in
   * JSON. Each run must end with 0, with the nodes on 2.0.0 and every key exchange {@link
   * #HYBRID_KEX} (hoist's default offer against OpenSSH 9.0 to 9.8). Returns the classes they
   * loaded.
   */
  private static List<String> upgradeRuns(Path jar, Path work, SshServerFixture server, String ssh)
      throws IOException, InterruptedException {
    Sandbox sandbox = Sandbox.create(work.resolve("sandbox"));
    String local = Files.readString(sandbox.clusterFile());
    // Four of its six nodes, to keep the runs short: a batch of two routers and the serial primary
    // role's two batches (a settle wait between them, the leader db-2 last).
    String remote =
        local
            .lines()
            .filter(
                l ->
                    !l.startsWith("  - { name: ")
                        || UPGRADE_NODES.stream()
                            .anyMatch(n -> l.startsWith("  - { name: " + n + ",")))
            .collect(Collectors.joining("\n", "", "\n"))
            .replace("transport: local", "host: 127.0.0.1, ssh: { port: " + server.port() + " }")
            .replace("\nlayout:\n", "\nssh:\n" + ssh + "\nlayout:\n");
    if (remote.contains("transport: local")
        || UPGRADE_NODES.stream().anyMatch(n -> !remote.contains("{ name: " + n + ", host: "))) {
      throw new IllegalStateException("cannot move the sandbox's nodes to SSH:\n" + local);
    }
    String c = Files.writeString(sandbox.clusterFile(), remote).toString();
    List<List<String>> runs =
        List.of(
            List.of("-c", c, "upgrade", "--cluster", "--dry-run"),
            List.of(
                "-q",
                "-c",
                c,
                "--output",
                "json",
                "upgrade",
                "--cluster",
                "--dry-run",
                "--to",
                "1.1.0"),
            List.of("-c", c, "version", "prepare", "1.1.0"),
            List.of("-c", c, "upgrade", "--cluster", "--yes", "--to", "1.1.0"),
            List.of("-c", c, "status"),
            List.of("-q", "-c", c, "--output", "json", "upgrade", "--cluster", "--yes"),
            List.of("-c", c, "--output", "json", "status"));
    List<String> classes = new ArrayList<>();
    int before = server.negotiatedKex().size();
    for (int i = 0; i < runs.size(); i++) {
      classes.addAll(loadedClasses(jar, work, "upgrade" + i, runs.get(i)));
    }
    expectKex(server, before, HYBRID_KEX, "the upgrade runs with the default offer");
    for (String node : UPGRADE_NODES) {
      Path current = sandbox.home(node).resolve("current").toRealPath();
      if (!current.getFileName().toString().equals("2.0.0")) {
        throw new IllegalStateException("the upgrade runs left " + node + " on " + current);
      }
    }
    return classes;
  }

  /**
   * Fails unless the server completed key exchanges after the first {@code before} and all of them
   * were {@code kex}; returns how many it completed in all.
   */
  private static int expectKex(SshServerFixture server, int before, String kex, String run) {
    List<String> all = server.negotiatedKex();
    List<String> negotiated = all.subList(before, all.size());
    if (negotiated.isEmpty() || negotiated.stream().anyMatch(k -> !k.equals(kex))) {
      throw new IllegalStateException(run + " negotiated " + negotiated + ", expected only " + kex);
    }
    return all.size();
  }

  /** Runs {@code java -jar JAR ARGS} with a class list; returns its entries. */
  private static List<String> loadedClasses(Path jar, Path work, String name, List<String> args)
      throws IOException, InterruptedException {
    Path list = work.resolve(name + ".classlist");
    Path output = work.resolve(name + ".out");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The options the installed launcher (src/deb/bin/hoist) gives these commands: C1 alone for
    // help, version, completion, schema and inspect, the full JIT for the rest.
    String line = " " + String.join(" ", args) + " ";
    if (Stream.of(" --version ", " -V ", " --help ", " -h ", " schema ", " inspect ")
            .anyMatch(line::contains)
        || line.startsWith(" __complete ")) {
      command.add("-XX:TieredStopAtLevel=1");
      // and tells hoist so, as the launcher does: SSH then offers the cipher it runs fastest
      // under C1 (ChaCha20-Poly1305, Bouncy Castle's), whose classes the archive should hold.
      command.add("-Dhoist.jit=c1");
    }
    command.add("-XX:+UseSerialGC");
    command.add("-Xms16m");
    command.add("-XX:DumpLoadedClassList=" + list);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().remove("HOIST_CLUSTER");
    builder.environment().put("HOME", work.toString());
    builder.environment().put("HOIST_STATE_DIR", work.resolve("state").toString());
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("hoist " + String.join(" ", args) + " did not end");
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "hoist "
              + String.join(" ", args)
              + " exited with "
              + process.exitValue()
              + ":\n"
              + Files.readString(output));
    }
    return Files.readAllLines(list, StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#") && !GENERATED.matcher(l).matches())
        .toList();
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
