package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.testing.HoistJar;
import io.hoist.testing.SimulatedCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built jar as a user runs it: a child process with its own HOME. */
class JarIT {

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
