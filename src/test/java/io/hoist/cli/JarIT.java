package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.testing.HoistJar;
import io.hoist.testing.SimulatedCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built jar as a user runs it: a child process with its own HOME. */
class JarIT {

  /** OpenSSH 9.2's server default: sntrup761x25519, no ML-KEM. */
  private static final String[] OPENSSH_9_2_KEX = {
    "sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "ecdh-sha2-nistp256"
  };

  @TempDir Path root;

  @Test
  void manifestIsMultiReleaseForJsch() throws IOException {
    try (JarFile jar = new JarFile(HoistJar.jar().toFile())) {
      assertEquals("true", jar.getManifest().getMainAttributes().getValue("Multi-Release"));
      assertEquals("io.hoist.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
    }
  }

  @Test
  void versionNamesTheCommit() {
    HoistJar.in(root).run("--version").exitsWith(0).outContains("hoist ").outContains("commit ");
  }

  @Test
  void loginWithEd25519KeyFromTheBuiltJar() {
    try (SimulatedCluster sim = SimulatedCluster.in(root, false)) {
      sim.releases("1.0.0")
          .node("n1", "worker", "1.0.0")
          .writeClusterFile("role_order: [worker]\n");
      HoistJar.in(sim.home())
          .run("-c", sim.clusterFile().toString(), "inspect")
          .exitsWith(0)
          .outContains("connected to hoist@127.0.0.1:" + sim.server("n1").port());
    }
  }

  @Test
  void loginWithRsaKeyFromTheBuiltJar() {
    try (SimulatedCluster sim = SimulatedCluster.in(root, true)) {
      sim.releases("1.0.0")
          .node("n1", "worker", "1.0.0")
          .writeClusterFile("role_order: [worker]\n");
      HoistJar.in(sim.home())
          .run("-c", sim.clusterFile().toString(), "inspect")
          .exitsWith(0)
          .outContains("All 1 nodes passed every check.");
    }
  }

  /**
   * The post-quantum key exchanges need Bouncy Castle, and JSch leaves them out silently when it is
   * missing or broken: log in with each through the built jar, as the node sees it.
   */
  @Test
  void postQuantumKeyExchangesFromTheBuiltJar() {
    try (SimulatedCluster sim = SimulatedCluster.in(root, false)) {
      sim.releases("1.0.0")
          .node("mlkem", "worker", "1.0.0")
          .node("sntrup", "worker", "1.0.0", server -> server.kex(OPENSSH_9_2_KEX))
          .writeClusterFile("role_order: [worker]\n");
      HoistJar.in(sim.home())
          .run("-c", sim.clusterFile().toString(), "inspect")
          .exitsWith(0)
          .outContains("All 2 nodes passed every check.");
      assertEquals(List.of("mlkem768x25519-sha256"), sim.server("mlkem").negotiatedKex());
      assertEquals(
          List.of("sntrup761x25519-sha512@openssh.com"), sim.server("sntrup").negotiatedKex());
    }
  }

  /**
   * Bouncy Castle loads only when hoist connects, not at start-up; its post-quantum code (ML-KEM,
   * sntrup761) only for a post-quantum key exchange. X25519 and Ed25519 are Bouncy Castle's for
   * every connection (cheaper than the JDK's, docs/security.md).
   */
  @Test
  void bouncyCastleLoadsOnlyToConnectAndItsPostQuantumCodeOnlyForAPostQuantumKeyExchange()
      throws IOException {
    try (SimulatedCluster sim = SimulatedCluster.in(root, false)) {
      sim.releases("1.0.0").node("n1", "worker", "1.0.0");
      Path clusterFile = sim.writeClusterFile("role_order: [worker]\n");
      Path curveFile = root.resolve("curve25519.yaml");
      Files.writeString(
          curveFile,
          Files.readString(clusterFile)
              .replace(
                  "  connect_timeout: 5s\n", "  connect_timeout: 5s\n  kex: curve25519-sha256\n"));
      String bc = " org.bouncycastle.";
      String postQuantum = " org.bouncycastle.crypto.kems.mlkem.";
      assertEquals(0, classesLoaded(sim.home(), bc, "--version"));
      assertTrue(
          classesLoaded(
                  sim.home(),
                  " org.bouncycastle.math.ec.rfc7748.",
                  "-c",
                  curveFile.toString(),
                  "inspect")
              > 0,
          "X25519 is Bouncy Castle's");
      assertEquals(
          0, classesLoaded(sim.home(), postQuantum, "-c", curveFile.toString(), "inspect"));
      assertTrue(
          classesLoaded(sim.home(), postQuantum, "-c", clusterFile.toString(), "inspect") > 0,
          "the default negotiates mlkem768x25519, with Bouncy Castle");
      assertEquals(
          List.of("curve25519-sha256", "curve25519-sha256", "mlkem768x25519-sha256"),
          sim.server("n1").negotiatedKex());
    }
  }

  private long classesLoaded(Path home, String prefix, String... args) throws IOException {
    Path log = Files.createTempFile(root, "classes", ".log");
    HoistJar.in(home).withJvmOptions("-Xlog:class+load:file=" + log).run(args).exitsWith(0);
    try (Stream<String> lines = Files.lines(log)) {
      return lines.filter(line -> line.contains(prefix)).count();
    }
  }

  /**
   * The jar holds only the Bouncy Castle packages JSch uses (pom.xml, shade filter): every Bouncy
   * Castle class a JSch class reaches, directly or through other Bouncy Castle classes, is in it.
   */
  @Test
  void everyBouncyCastleClassJschReachesIsInTheJar() {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        jdeps.run(
            new PrintWriter(out),
            new PrintWriter(err),
            "--multi-release",
            "17",
            "-verbose:class",
            "-filter:none",
            HoistJar.jar().toString());
    assertEquals(0, code, err.toString());
    Map<String, Set<String>> edges = new HashMap<>();
    Set<String> missing = new HashSet<>();
    Pattern edge = Pattern.compile("\\s+(\\S+)\\s+->\\s+(\\S+)\\s+(.*)");
    for (String line : out.toString().split("\n")) {
      Matcher m = edge.matcher(line);
      if (m.matches()) {
        edges.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(m.group(2));
        if (m.group(3).strip().equals("not found")) {
          missing.add(m.group(2));
        }
      }
    }
    Deque<String> todo = new ArrayDeque<>();
    edges.keySet().stream().filter(c -> c.startsWith("com.jcraft.jsch.")).forEach(todo::add);
    Set<String> seen = new HashSet<>(todo);
    Set<String> absent = new TreeSet<>();
    while (!todo.isEmpty()) {
      for (String target : edges.getOrDefault(todo.pop(), Set.of())) {
        if (target.startsWith("org.bouncycastle.")) {
          if (missing.contains(target)) {
            absent.add(target);
          } else if (seen.add(target)) {
            todo.add(target);
          }
        }
      }
    }
    assertTrue(seen.stream().anyMatch(c -> c.startsWith("org.bouncycastle.pqc.crypto.ntruprime.")));
    assertTrue(absent.isEmpty(), "JSch reaches these, missing from the jar: " + absent);
  }

  @Test
  void unknownHostKeyRefusedThenAcceptedWithTheFlag() throws IOException {
    try (SimulatedCluster sim = SimulatedCluster.in(root, false)) {
      sim.releases("1.0.0")
          .node("n1", "worker", "1.0.0")
          .writeClusterFile("role_order: [worker]\n");
      Files.delete(sim.knownHosts());
      HoistJar jar = HoistJar.in(sim.home());
      jar.run("-c", sim.clusterFile().toString(), "inspect")
          .exitsWith(3)
          .outContains("known_hosts")
          .noStackTrace();
      jar.run("-c", sim.clusterFile().toString(), "inspect", "--accept-new-host-keys").exitsWith(0);
      assertTrue(Files.readString(sim.knownHosts()).contains("127.0.0.1]:"));
      jar.run("-c", sim.clusterFile().toString(), "inspect").exitsWith(0);
    }
  }

  @Test
  void verboseShowsEachCommandOnStderrAndQuietShowsNone() {
    try (SimulatedCluster sim = SimulatedCluster.in(root, false)) {
      sim.releases("1.0.0")
          .node("n1", "worker", "1.0.0")
          .writeClusterFile("role_order: [worker]\n");
      HoistJar jar = HoistJar.in(sim.home());
      String command = "$ cat " + sim.nodeHome("n1") + "/current/VERSION";
      HoistJar.Result verbose =
          jar.run("-c", sim.clusterFile().toString(), "-v", "inspect").exitsWith(0);
      verbose.errContains("n1: " + command).errContains("n1: exit 0 in ");
      HoistJar.Result plain = jar.run("-c", sim.clusterFile().toString(), "inspect").exitsWith(0);
      assertTrue(plain.err().isEmpty(), plain.toString());
      // Free space may change between the two runs: compare with its figure masked.
      String freeSpace = "[0-9.]+ [KMGT]?i?B free";
      assertEquals(
          verbose.out().replaceAll(freeSpace, "N free"),
          plain.out().replaceAll(freeSpace, "N free"),
          "-v changes stderr only");
    }
  }

  @Test
  void demoRunsInspectAndThePlanOnALocalCluster() {
    HoistJar.Result result = HoistJar.in(root).run("--no-color", "demo");
    result
        .exitsWith(0)
        .outContains("All 6 nodes passed every check.")
        .outContains("Plan for cluster demo: upgrade to 2.0.0")
        .outContains("Hop 2 of 2: to 2.0.0")
        .outContains("Every node is at 2.0.0.")
        .errContains("== hoist upgrade --cluster --dry-run");
  }

  @Test
  void demoFailAtRollsThatNodeBackAndKeepsItsSandboxForALook() throws IOException {
    Path sandbox = root.resolve("sandbox");
    HoistJar.Result result =
        HoistJar.in(root)
            .run("--no-color", "demo", "--fail-at", "db-1", "--keep", "--dir", sandbox.toString());

    result.exitsWith(5).errContains("the sandbox is kept in " + sandbox).noStackTrace();
    assertTrue(
        result
            .out()
            .lines()
            .anyMatch(
                l ->
                    l.matches(
                        "db-1\\s+primary\\s+1\\.0\\.0\\s+2\\.0\\.0\\s+1\\.0\\.0\\s+failed-rolled-back\\s+yes.*")),
        result.out());
    Path db1 = sandbox.resolve("nodes/db-1");
    assertEquals(db1.resolve("releases/1.0.0"), Files.readSymbolicLink(db1.resolve("current")));
    // 1.1.0 migrated db-1's data, then the rollback restored the backup taken before the switch.
    assertEquals("schema 1.0.0\n", Files.readString(db1.resolve("data/schema")));
    assertEquals("schema 1.1.0\n", Files.readString(sandbox.resolve("nodes/router-1/data/schema")));
  }

  @Test
  void unknownFailAtNodeIsAUsageErrorNamingTheDemosNodes() {
    HoistJar.in(root)
        .run("demo", "--fail-at", "db-9")
        .exitsWith(2)
        .errContains("the demo has no node 'db-9'; its nodes are ctl-1, db-1")
        .noStackTrace();
  }

  @Test
  void brokenClusterFileIsAConfigErrorWithoutTrace() throws IOException {
    Path file = root.resolve("cluster.yaml");
    Files.writeString(file, "cluster: x\nnodes: [ { name: a, hots: b } ]\n");
    HoistJar.in(root).run("inspect").exitsWith(2).errContains("cluster.yaml:2:").noStackTrace();
  }
}
