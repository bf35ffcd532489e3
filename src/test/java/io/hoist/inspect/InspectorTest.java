package io.hoist.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.config.ClusterLoader;
import io.hoist.model.Cluster;
import io.hoist.transport.local.LocalTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks of one node, on local nodes (real processes, real files). */
class InspectorTest {

  @TempDir Path root;

  private Cluster cluster(String extra) throws IOException {
    return cluster(extra, "1KiB");
  }

  private Cluster cluster(String extra, String minFree) throws IOException {
    for (String node : new String[] {"a", "b"}) {
      Path release = Files.createDirectories(root.resolve(node).resolve("releases/2.1.0"));
      Files.writeString(release.resolve("VERSION"), "2.1.0\n");
      Files.createSymbolicLink(root.resolve(node).resolve("current"), Path.of("releases/2.1.0"));
    }
    Path file = root.resolve("cluster.yaml");
    Files.writeString(
        file,
        """
        cluster: t
        release: { repository: "file:/nowhere", bundle: "p-${version}.tgz" }
        layout: { min_free: MIN_FREE }
        """
                .replace("MIN_FREE", minFree)
            + extra
            + """
            nodes:
              - { name: a, transport: local, roles: [db], layout: { home: "ROOT/a" } }
              - { name: b, transport: local, roles: [web, db], layout: { home: "ROOT/b" } }
            """
                .replace("ROOT", root.toString()));
    return new ClusterLoader().load(file);
  }

  private Inspector inspector(Cluster cluster) {
    return new Inspector(cluster, LocalTransport::new, Map.of("TOKEN", "s3cret"));
  }

  @Test
  void aRoleCommandSeesItsOwnRoleWhateverRolePlacesTheNode() throws IOException {
    Cluster cluster =
        cluster(
            """
            role_order: [web, db]
            roles:
              db: { commands: { version: "test ${role} = db && cat ${home}/current/VERSION" } }
              web: {}
            """);
    NodeReport a = inspector(cluster).probe(cluster.node("a").orElseThrow());
    assertTrue(a.isOk(), a.toString());
    assertEquals("2.1.0", a.version());
    NodeReport b = inspector(cluster).probe(cluster.node("b").orElseThrow());
    assertTrue(b.isOk(), "b is placed by web, but its db role's command applies: " + b);
  }

  @Test
  void tooLittleFreeSpaceFailsTheDiskCheck() throws IOException {
    Cluster cluster = cluster("roles: { db: {}, web: {} }\n", "1000TiB");
    NodeReport report = inspector(cluster).inspect(cluster.node("a").orElseThrow());
    CheckResult disk = report.checks().get(2);
    assertEquals("disk", disk.name());
    assertEquals(CheckStatus.FAIL, disk.status(), disk.toString());
    assertTrue(disk.message().contains("free in " + root.resolve("a")), disk.message());
  }

  @Test
  void aMinimumOfZeroSkipsTheDiskCheckWithoutRunningDf() throws IOException {
    // The home is gone: df on it fails, so a disk check that ran would fail.
    String echo = "roles: { db: {}, web: {} }\ncommands: { version: \"echo 2.1.0\" }\n";
    Cluster checked = cluster(echo, "1KiB");
    Path file = root.resolve("cluster.yaml");
    Files.writeString(file, Files.readString(file).replace("min_free: 1KiB", "min_free: 0"));
    Cluster unchecked = new ClusterLoader().load(file);
    deleteTree(root.resolve("a"));

    CheckResult ran = inspector(checked).inspect(checked.node("a").orElseThrow()).checks().get(2);
    assertEquals(CheckStatus.FAIL, ran.status(), "df ran on the missing home: " + ran);

    NodeReport report = inspector(unchecked).inspect(unchecked.node("a").orElseThrow());
    CheckResult disk = report.checks().get(2);
    assertEquals("disk", disk.name());
    assertEquals(CheckStatus.SKIP, disk.status(), disk.toString());
    assertEquals("not checked: layout.min_free is 0", disk.message());
    assertTrue(report.isOk(), "a skipped check is not a failed one: " + report);
    assertEquals("2.1.0", report.version());
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void aVersionCommandPrintingGarbageFailsTheVersionCheck() throws IOException {
    Cluster cluster =
        cluster("roles: { db: {}, web: {} }\ncommands: { version: \"echo not-a-version\" }\n");
    NodeReport report = inspector(cluster).probe(cluster.node("a").orElseThrow());
    assertEquals(CheckStatus.FAIL, report.checks().get(1).status());
    assertTrue(report.checks().get(1).message().contains("'not-a-version'"), report.toString());
  }

  @Test
  void secretsReachTheCheckButNotItsMessage() throws IOException {
    Cluster cluster =
        cluster(
            """
            roles: { db: {}, web: {} }
            secrets: [TOKEN]
            checks:
              - { name: auth, run: "test ${secret.TOKEN} = s3cret && echo authenticated" }
            """);
    NodeReport report = inspector(cluster).inspect(cluster.node("a").orElseThrow());
    CheckResult auth = report.checks().get(3);
    assertEquals(CheckStatus.PASS, auth.status(), auth.toString());
    assertEquals("authenticated", auth.message());
  }
}
