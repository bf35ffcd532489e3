package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.testing.HoistJar;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/security.md, "Files": after a real run under {@code umask 000}, with a backup taken and
 * restored, a log file and a known_hosts file written by {@code --accept-new-host-keys}, every
 * directory hoist created is 0700 and every file 0600: the state directory (journal, node logs,
 * backups, the lock and its owner record), the bundle cache, the log file, known_hosts.
 */
class FileModesIT {

  @TempDir Path root;
  private SecurityScenario scenario;

  @BeforeEach
  void start() throws IOException {
    scenario = new SecurityScenario(root);
  }

  @AfterEach
  void stop() {
    scenario.close();
  }

  @Test
  void everythingHoistCreatesIsTheOwnersOnlyWhateverTheUmask() throws IOException {
    Files.delete(scenario.sim.knownHosts());

    HoistJar.Result result =
        scenario.upgrade(scenario.jar().withUmask("000"), "--accept-new-host-keys");

    assertEquals(5, result.code(), result.toString());
    assertTrue(
        result.err().contains("permanently added"), "known_hosts was written\n" + result.err());
    List<String> wrong = new ArrayList<>();
    for (Path dir : List.of(scenario.stateDir(), scenario.cacheDir())) {
      assertTrue(Files.isDirectory(dir), dir.toString());
      check(dir, wrong);
    }
    check(scenario.logFile(), wrong);
    check(scenario.sim.knownHosts(), wrong);
    assertEquals(List.of(), wrong);
    assertTrue(
        SecurityScenario.files(scenario.stateDir()).stream()
            .anyMatch(f -> f.getFileName().toString().equals("archive.tar.gz")),
        "a backup was taken");
    // The umask did reach hoist: the after_cluster hook, its child, inherited it.
    assertEquals("0000", Files.readString(scenario.coreUmask()).strip());
  }

  /** Adds every path under {@code path} (itself included) whose mode is not 0700/0600. */
  private static void check(Path path, List<String> wrong) {
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        String expected = Files.isDirectory(p) ? "rwx------" : "rw-------";
        if (!mode.equals(expected)) {
          wrong.add(p + " is " + mode);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
