package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.testing.HoistJar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/security.md, "Secrets": a real upgrade logged in with {@code HOIST_SSH_PASSWORD} and using a
 * cluster secret that its commands echo, with {@code -vv --log-file --output json}; nowhere it
 * wrote holds the password or the secret: not stdout, stderr, the log file, the state directory
 * (journal, node logs, backups and their manifests, the lock), the cache, its temporary directory,
 * nor what it left on the nodes.
 */
class SecretsNeverWrittenIT {

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
  void neitherThePasswordNorASecretIsWrittenAnywhereAlsoWhenACommandFailsWithIt()
      throws IOException {
    // -vv: JSch's debug log may show traces of its own (a closed socket at the end).
    HoistJar.Result result = scenario.upgrade(scenario.jar());

    // n1 upgraded, n2 failed its health check and was rolled back, n3 not started: the password
    // logged in (the client key is not authorised) and both paths ran.
    assertEquals(5, result.code(), result.toString());
    Path runDir;
    try (var runs = Files.list(scenario.stateDir().resolve("runs"))) {
      runDir = runs.findFirst().orElseThrow();
    }
    // The secret did reach the commands and came back masked, on every path.
    String n1Log = Files.readString(runDir.resolve("n1.log"));
    String n2Log = Files.readString(runDir.resolve("n2.log"));
    assertTrue(n1Log.contains("stdout check token=***"), n1Log);
    assertTrue(n1Log.contains("stderr check-err ***"), n1Log);
    assertTrue(n1Log.contains("stdout started with ***"), n1Log);
    assertTrue(n2Log.contains("stderr health ***"), n2Log);
    assertTrue(result.out().contains("health ***"), "the failure in the JSON\n" + result);
    assertTrue(result.err().contains("exited 1: health ***"), "the failure on stderr\n" + result);

    Map<String, String> written = new LinkedHashMap<>();
    written.put("stdout", result.out());
    written.put("stderr", result.err());
    List<Path> dirs =
        List.of(
            scenario.stateDir(),
            scenario.cacheDir(),
            scenario.tmp(),
            scenario.sim.home(),
            scenario.sim.nodeHome("n1").getParent(),
            root.resolve("data"));
    for (Path dir : dirs) {
      for (Path file : SecurityScenario.files(dir)) {
        written.put(file.toString(), SecurityScenario.readAll(file));
      }
    }
    written.put(scenario.logFile().toString(), Files.readString(scenario.logFile()));
    assertTrue(written.keySet().stream().anyMatch(f -> f.endsWith("journal.jsonl")), "journal");
    assertTrue(written.keySet().stream().anyMatch(f -> f.endsWith("manifest.txt")), "backups");
    assertTrue(written.keySet().stream().anyMatch(f -> f.endsWith(".tar.gz")), "cache");

    List<String> leaks = new ArrayList<>();
    written.forEach(
        (where, text) -> {
          if (text.contains(SecurityScenario.PASSWORD)) {
            leaks.add("the password in " + where);
          }
          if (text.contains(SecurityScenario.TOKEN)) {
            leaks.add("the secret in " + where);
          }
        });
    assertEquals(List.of(), leaks, "checked " + written.keySet());
  }
}
