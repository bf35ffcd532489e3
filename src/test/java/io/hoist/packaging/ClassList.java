package io.hoist.packaging;

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
import java.util.stream.Stream;

/**
 * Writes the class list the Debian package installs as /usr/share/hoist/hoist.classlist: the
 * classes the built jar loads for the commands whose time is mostly start-up ({@code --version},
 * {@code --help}, a command's help, the shell completion's words from a cluster file) and for
 * {@code hoist inspect} over SSH (JSch, Bouncy Castle's sntrup761, the JDK's security classes,
 * hoist's inspect and transport), one per line in the order a JVM loaded them, as {@code
 * -XX:DumpLoadedClassList} writes them.
 *
 * <p>The inspect runs go to a real SSH server started here (Apache MINA SSHD, {@link
 * SshServerFixture}: 127.0.0.1 only, a generated host key in the known_hosts file the cluster file
 * names, a generated client key, commands run by bash), stopped at the end. Two runs, one per key
 * exchange whose classes an admin's inspect loads: sntrup761x25519-sha512 (what OpenSSH 9.0 to 9.8
 * negotiates with hoist's default offer) and curve25519-sha256 (pinned with {@code ssh.kex}, as
 * bench/fanout.sh pins it). The server's record of the negotiated key exchange is checked.
 *
 * <p>The package's postinst dumps a class-data sharing archive from it ({@code java -Xshare:dump
 * -XX:SharedClassListFile}) for the Java installed there: an archive is tied to one Java build and
 * to the jar's path and time stamp, so it cannot be made here. A static archive, unlike one from
 * {@code -XX:ArchiveClassesAtExit}, also holds picocli's classes (Java 5 class files).
 *
 * <p>Run by the build (exec-maven-plugin, package phase, after the shade plugin); a training run
 * that fails, or an empty list, fails the build.
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
      layout: { min_free: 0 }
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
      lines.addAll(inspectRuns(jar, work));
      for (String needed :
          List.of("picocli/CommandLine", "io/hoist/inspect/Inspector", "com/jcraft/jsch/Session")) {
        if (!lines.contains(needed)) {
          throw new IllegalStateException(
              "the class list lacks " + needed + ": " + lines.size() + " lines");
        }
      }
      Files.createDirectories(out.toAbsolutePath().getParent());
      List<String> text = new ArrayList<>();
      text.add(
          "# The classes hoist's start-up and inspect load, for java -XX:SharedClassListFile.");
      text.add(
          "# Written by the build (io.hoist.packaging.ClassList); see the package's postinst.");
      text.addAll(lines);
      Files.write(out, text, StandardCharsets.UTF_8);
    } finally {
      deleteTree(work);
    }
  }

  /**
   * Two runs of {@code hoist -c CLUSTER inspect} against two nodes on an embedded SSH server (the
   * server offering {@link #HYBRID_KEX} first, then {@link #PINNED_KEX}): the first with hoist's
   * default key exchange offer and output, the second pinned to {@link #PINNED_KEX} and with {@code
   * -q}, as the benchmarks run it. Returns the classes both loaded.
   *
   * <p>The server offers only these two: hoist's default offer puts mlkem768x25519-sha256 first,
   * which MINA with Bouncy Castle would pick (OpenSSH 9.9 and later does too); its classes are not
   * trained here.
   */
  private static List<String> inspectRuns(Path jar, Path work)
      throws IOException, InterruptedException {
    Path key = TestKeys.ed25519(work.resolve("keys"), "id_training");
    Path knownHosts = work.resolve("known_hosts");
    Path repo = Files.createDirectories(work.resolve("repo"));
    SshServerFixture server =
        SshServerFixture.builder(work.resolve("node"), work.resolve("host_key"))
            .authorize(TestKeys.publicKeyOf(key))
            .kex(HYBRID_KEX, PINNED_KEX)
            .start();
    try {
      Files.writeString(knownHosts, server.knownHostsLine() + "\n");
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
      String ssh =
          "  user: hoist\n  identity: \""
              + key
              + "\"\n  known_hosts: \""
              + knownHosts
              + "\"\n  config: none";
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
      classes.addAll(
          loadedClasses(
              jar, work, "inspect-default", List.of("-c", byDefault.toString(), "inspect")));
      int seen = expectKex(server, 0, HYBRID_KEX, "the default offer");
      classes.addAll(
          loadedClasses(
              jar, work, "inspect-pinned", List.of("-q", "-c", pinned.toString(), "inspect")));
      expectKex(server, seen, PINNED_KEX, "ssh.kex: [" + PINNED_KEX + "]");
      return classes;
    } finally {
      server.stop();
    }
  }

  /**
   * Fails unless the server completed key exchanges after the first {@code before} and all of them
   * were {@code kex}; returns how many it completed in all.
   */
  private static int expectKex(SshServerFixture server, int before, String kex, String run) {
    List<String> all = server.negotiatedKex();
    List<String> negotiated = all.subList(before, all.size());
    if (negotiated.isEmpty() || negotiated.stream().anyMatch(k -> !k.equals(kex))) {
      throw new IllegalStateException(
          "inspect with " + run + " negotiated " + negotiated + ", expected only " + kex);
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
    // The options the installed launcher gives these commands.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
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
