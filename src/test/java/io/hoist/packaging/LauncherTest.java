package io.hoist.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Debian launcher (src/deb/bin/hoist) picks the JVM options by command: the full JIT for the
 * bulk work of {@code version} (pack, prepare), {@code demo}, and an upgrade or rollback of a
 * cluster with backups; C1 alone, which it tells hoist with {@code -Dhoist.jit=c1}, for every other
 * command and for any help or version print. Run with a Java whose {@code bin/java} only prints the
 * arguments it was given.
 */
class LauncherTest {

  private static final Path LAUNCHER = Path.of("src/deb/bin/hoist");

  @TempDir Path temp;

  private List<String> javaArguments(String... hoistArguments) throws Exception {
    return javaArguments(Map.of(), hoistArguments);
  }

  /**
   * The arguments the launcher gives java for {@code hoistArguments}, run in the temporary
   * directory with {@code env} added (and no HOIST_CLUSTER unless {@code env} sets it).
   */
  private List<String> javaArguments(Map<String, String> env, String... hoistArguments)
      throws Exception {
    Path home = temp.resolve("jdk");
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
    Path java = home.resolve("bin/java");
    Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> command =
        new java.util.ArrayList<>(List.of("/bin/sh", LAUNCHER.toAbsolutePath().toString()));
    command.addAll(List.of(hoistArguments));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", home.toString());
    builder.environment().remove("HOIST_JAVA_OPTS");
    builder.environment().remove("HOIST_CLUSTER");
    builder.environment().putAll(env);
    builder.directory(temp.toFile());
    Process process = builder.start();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), out);
    return out.lines().toList();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--version",
        "upgrade --help",
        "version prepare --help",
        "demo -h",
        "__complete nodes --cluster-file cluster.yaml",
        "-c cluster.yaml inspect",
        "-c cluster.yaml --output json inspect --max-parallel 100",
        "inspect --help",
        "-c cluster.yaml upgrade --cluster --yes",
        "-c cluster.yaml --output json upgrade --cluster --dry-run --to 1.1.0",
        "-c cluster.yaml rollback --node n1",
        "-c cluster.yaml status",
        "-c version.yaml finalize"
      })
  void shortCommandsRunWithC1AloneAndSayItToHoist(String command) throws Exception {
    assertTrue(c1(launched(command)));
  }

  /**
   * The launcher's java arguments for {@code command} (words split on blanks): the parallel
   * collector and a 64 MB first heap for inspect (but its help), else the serial collector and a 16
   * MB first heap, then the jar and hoist's arguments unchanged.
   */
  private List<String> launched(String command) throws Exception {
    List<String> arguments = javaArguments(command.split(" "));
    boolean fanOut = command.contains("inspect") && !command.contains("-h");
    assertEquals(fanOut, arguments.contains("-XX:+UseParallelGC"), arguments.toString());
    assertEquals(fanOut, arguments.contains("-Xms64m"), arguments.toString());
    assertEquals(!fanOut, arguments.contains("-XX:+UseSerialGC"), arguments.toString());
    assertEquals(!fanOut, arguments.contains("-Xms16m"), arguments.toString());
    int jar = arguments.indexOf("-jar");
    assertEquals("/usr/share/hoist/hoist.jar", arguments.get(jar + 1));
    assertEquals(List.of(command.split(" ")), arguments.subList(jar + 2, arguments.size()));
    return arguments;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-c cluster.yaml version prepare 1.1.0",
        "version pack build --version 1.1.0 --into repo",
        "-c cluster.yaml --output json version prepare 1.1.0 --max-parallel 20",
        "demo",
        "demo --nodes 5"
      })
  void bulkWorkKeepsTheFullJit(String command) throws Exception {
    assertFalse(c1(launched(command)));
  }

  private Path clusterFile(String name, boolean backups) throws IOException {
    Path file = temp.resolve(name);
    Files.writeString(
        file,
        "cluster: c\n"
            + (backups ? "backup: { paths: [\"${home}/data\"] }\n" : "")
            + "nodes:\n  - { name: n1, host: 127.0.0.1 }\n");
    return file;
  }

  private static boolean c1(List<String> arguments) {
    boolean level1 = arguments.contains("-XX:TieredStopAtLevel=1");
    assertEquals(level1, arguments.contains("-Dhoist.jit=c1"), arguments.toString());
    return level1;
  }

  /**
   * An upgrade or rollback of a cluster with backups downloads and hashes each node's archive: bulk
   * work, which keeps the full JIT, whichever way hoist finds the cluster file.
   */
  @Test
  void anUpgradeOrRollbackOfAClusterWithBackupsKeepsTheFullJit() throws Exception {
    String with = clusterFile("with.yaml", true).toString();
    String without = clusterFile("without.yaml", false).toString();
    assertFalse(c1(javaArguments("-c", with, "upgrade", "--cluster", "--yes")));
    assertFalse(c1(javaArguments("--cluster-file", with, "rollback", "--cluster", "--yes")));
    assertFalse(c1(javaArguments("--cluster-file=" + with, "upgrade", "--cluster", "--yes")));
    assertFalse(c1(javaArguments("-c=" + with, "upgrade", "--cluster", "--yes")));
    assertFalse(c1(javaArguments("-c" + with, "upgrade", "--cluster", "--yes")));
    assertFalse(c1(javaArguments(Map.of("HOIST_CLUSTER", with), "upgrade", "--cluster", "--yes")));
    // -c wins over HOIST_CLUSTER, as in hoist
    assertTrue(c1(javaArguments(Map.of("HOIST_CLUSTER", with), "-c", without, "upgrade", "--yes")));
    assertTrue(c1(javaArguments("-c", without, "upgrade", "--cluster", "--yes")));
    assertTrue(c1(javaArguments("-c", without, "rollback", "--cluster", "--yes")));
    // No bulk work: a dry run, inspect, status, help
    assertTrue(c1(javaArguments("-c", with, "upgrade", "--cluster", "--dry-run")));
    assertTrue(c1(javaArguments("-c", with, "inspect")));
    assertTrue(c1(javaArguments("-c", with, "status")));
    assertTrue(c1(javaArguments("-c", with, "upgrade", "--help")));
    // A cluster file that cannot be read (hoist reports it): nothing to decide by
    assertTrue(c1(javaArguments("-c", temp.resolve("missing.yaml").toString(), "upgrade")));
  }

  @Test
  void theClusterFileInTheWorkingDirectoryCountsWhenNoneIsNamed() throws Exception {
    clusterFile("cluster.yaml", true);
    assertFalse(c1(javaArguments("upgrade", "--cluster", "--yes")));
    Files.delete(temp.resolve("cluster.yaml"));
    clusterFile("cluster.yaml", false);
    assertTrue(c1(javaArguments("upgrade", "--cluster", "--yes")));
  }

  @Test
  void theLauncherIsAPosixShellScript() throws IOException {
    assertTrue(Files.readString(LAUNCHER).startsWith("#!/bin/sh\n"));
  }
}
