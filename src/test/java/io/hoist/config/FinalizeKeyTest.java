package io.hoist.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.ConfigException;
import io.hoist.error.Problem;
import io.hoist.model.Cluster;
import io.hoist.model.Finalize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A role's {@code finalize}: a command or {@code { run, when }}, and every way to get it wrong. */
class FinalizeKeyTest {

  /** Lines 1 to 5; each test adds the role's finalize on line 6. */
  private static final String BASE =
      """
      cluster: c
      release: { repository: "file:/r", bundle: "p-${version}.tgz" }
      layout: { home: /opt/p }
      nodes: [{ name: n, host: h, roles: [broker] }]
      roles:
      """;

  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("cluster.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private Finalize load(String role) throws IOException {
    Cluster cluster = new ClusterLoader().load(write(BASE + role));
    return cluster.role("broker").orElseThrow().finalizeCommand();
  }

  private Problem onlyProblem(String role) throws IOException {
    Path file = write(BASE + role);
    ConfigException e = assertThrows(ConfigException.class, () -> new ClusterLoader().load(file));
    assertEquals(1, e.problems().size(), e.problems().toString());
    return e.problems().get(0);
  }

  @Test
  void aStringIsAManualFinalizeWithItsRoleBound() throws IOException {
    Finalize finalize = load("  broker: { finalize: \"kafka-ibp ${version} ${role}\" }\n");
    assertFalse(finalize.auto());
    assertEquals("kafka-ibp ${version} broker", finalize.run());
  }

  @Test
  void aMappingTakesRunAndWhen() throws IOException {
    Finalize finalize = load("  broker: { finalize: { run: \"bump ${version}\", when: auto } }\n");
    assertTrue(finalize.auto());
    assertEquals("bump ${version}", finalize.run());
    assertFalse(load("  broker: { finalize: { run: bump, when: manual } }\n").auto());
    assertFalse(load("  broker: { finalize: { run: bump } }\n").auto());
  }

  @Test
  void noFinalizeIsNull() throws IOException {
    assertNull(load("  broker: { serial: true }\n"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        // an unknown key in the mapping, with the suggestion
        "broker: { finalize: { run: x, wen: auto } }|6|33|unknown key 'roles.broker.finalize.wen'",
        // a bad when
        "broker: { finalize: { run: x, when: later } }|6|39|must be one of auto, manual, not"
            + " 'later'",
        // an unknown variable in the command
        "broker: { finalize: `bump ${versoin}` }|6|23|'roles.broker.finalize': unknown variable",
        // an unknown variable in run
        "broker: { finalize: { run: `bump ${nod}` } }|6|30|'roles.broker.finalize.run'",
        // run missing
        "broker: { finalize: { when: auto } }|6|13|missing 'roles.broker.finalize.run'",
        // a list
        "broker: { finalize: [a, b] }|6|23|'roles.broker.finalize' must be a mapping",
      })
  void problemsAreReportedWithLineAndColumn(String role, int line, int column, String fragment)
      throws IOException {
    // The CSV source trims the leading blanks: the role's indentation is put back here.
    Problem problem = onlyProblem("  " + role.replace('`', '"') + "\n");
    assertTrue(problem.file().endsWith("cluster.yaml"), problem.toString());
    assertTrue(problem.message().contains(fragment), problem.toString());
    assertEquals(line + ":" + column, problem.line() + ":" + problem.column(), problem.toString());
  }

  @Test
  void finalizeIsARoleKey() {
    assertTrue(ClusterBinder.ROLE_KEYS.contains("finalize"));
    assertEquals(List.of("run", "when"), ClusterBinder.FINALIZE_KEYS);
  }
}
