package io.hoist.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.ConfigException;
import io.hoist.error.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are not cluster files at all fail with a clean problem, quickly. */
class HostileFilesTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  @TempDir Path dir;

  private Problem onlyProblem(Path file) {
    ConfigException e =
        assertTimeoutPreemptively(
            BOUND, () -> assertThrows(ConfigException.class, () -> new ClusterLoader().load(file)));
    List<Problem> problems = e.problems();
    assertEquals(1, problems.size(), problems.toString());
    assertEquals(file.toString(), problems.get(0).file());
    return problems.get(0);
  }

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("cluster.yaml"), text);
  }

  @Test
  void emptyFileIsOneProblem() throws IOException {
    Problem problem = onlyProblem(write(""));
    assertTrue(problem.message().contains("the file is empty"), problem.toString());
  }

  @Test
  void commentOnlyFileIsOneProblem() throws IOException {
    Problem problem = onlyProblem(write("# nothing yet\n"));
    assertTrue(problem.message().contains("no YAML value"), problem.toString());
  }

  @Test
  void directoryIsOneProblem() {
    Problem problem = onlyProblem(dir);
    assertTrue(problem.message().contains("is a directory"), problem.toString());
  }

  @Test
  void missingFileIsOneProblem() {
    Problem problem = onlyProblem(dir.resolve("nope.yaml"));
    assertTrue(problem.message().contains("no such file"), problem.toString());
    assertTrue(problem.message().contains("-c or $HOIST_CLUSTER"), "what to do: " + problem);
  }

  @Test
  void nonUtf8BytesAreReportedWhereTheyAre() throws IOException {
    Path file = dir.resolve("cluster.yaml");
    Files.write(file, "cluster: c\nname: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    Problem problem = onlyProblem(file);
    assertEquals("2:10", problem.line() + ":" + problem.column());
    assertTrue(problem.message().contains("not UTF-8"), problem.toString());
  }

  @Test
  void scalarRootIsOneProblem() throws IOException {
    Problem problem = onlyProblem(write("just a string\n"));
    assertTrue(problem.message().contains("not a string"), problem.toString());
  }

  @Test
  void billionLaughsAliasesFailWithinBounds() throws IOException {
    StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i <= 9; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      yaml.append("]\n");
    }
    yaml.append("secrets: *a9\n");
    Problem problem = onlyProblem(write(yaml.toString()));
    assertTrue(problem.message().contains("more than"), problem.toString());
  }

  @Test
  void deeplyNestedFileFailsWithinBounds() throws IOException {
    Problem problem = onlyProblem(write("a: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n"));
    assertTrue(problem.line() <= 1, problem.toString());
  }

  @Test
  void tenMegabyteFileFailsWithinBounds() throws IOException {
    Path file = dir.resolve("cluster.yaml");
    byte[] line =
        "key: value value value value value value value value value\n"
            .getBytes(StandardCharsets.UTF_8);
    try (var out = Files.newOutputStream(file)) {
      for (int written = 0; written < 10 * 1024 * 1024; written += line.length) {
        out.write(line);
      }
    }
    Problem problem = onlyProblem(file);
    assertTrue(problem.message().contains("larger than"), problem.toString());
  }

  @Test
  void hugeMisspeltRoleNameIsReportedWithoutASuggestion() throws IOException {
    // Two 25,000-character names one letter apart: a full edit-distance matrix would be 2.5 GB.
    String role = "r".repeat(25_000);
    String typo = "r".repeat(24_999) + "s";
    Path file =
        write(
            "cluster: c\n"
                + "release: { repository: \"file:/r\", bundle: \"p-${version}.tgz\" }\n"
                + "layout: { home: /opt/p }\n"
                + "role_order: ["
                + role
                + "]\n"
                + "nodes: [{ name: n, host: h, roles: ["
                + typo
                + "] }]\n");
    ConfigException e =
        assertTimeoutPreemptively(
            BOUND, () -> assertThrows(ConfigException.class, () -> new ClusterLoader().load(file)));
    List<Problem> problems = e.problems();
    assertEquals(2, problems.size(), problems.toString());
    Problem tooLong = problems.get(0);
    assertEquals("4:14", tooLong.line() + ":" + tooLong.column());
    assertTrue(
        tooLong.message().endsWith("is 25000 characters long; a name has at most 128"),
        tooLong.toString());
    Problem problem = problems.get(1);
    assertEquals("5:37", problem.line() + ":" + problem.column());
    assertTrue(problem.message().startsWith("unknown role 'rrr"), problem.toString());
    assertFalse(problem.message().contains("did you mean"), problem.toString());
    assertTrue(problem.message().contains("characters left out"), problem.toString());
  }
}
