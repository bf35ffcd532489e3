package io.hoist.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.ConfigException;
import io.hoist.error.Problem;
import io.hoist.model.BatchSize;
import io.hoist.model.Cluster;
import io.hoist.model.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cluster-file keys of ramps and failure domains: batches, by_zone, zone. */
class RampConfigTest {

  /** Lines 1 to 3; each test adds its own lines from line 4 on. */
  private static final String BASE =
      """
      cluster: c
      release: { repository: "file:/r", bundle: "p-${version}.tgz" }
      layout: { home: /opt/p }
      """;

  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("cluster.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private List<Problem> problems(String yaml) throws IOException {
    Path file = write(yaml);
    return assertThrows(ConfigException.class, () -> new ClusterLoader().load(file)).problems();
  }

  private void assertOnlyProblem(String yaml, int line, int column, String fragment)
      throws IOException {
    List<Problem> problems = problems(yaml);
    assertEquals(1, problems.size(), problems.toString());
    Problem problem = problems.get(0);
    assertEquals(line + ":" + column, problem.line() + ":" + problem.column(), problem.toString());
    assertTrue(problem.message().contains(fragment), problem.toString());
  }

  @Test
  void aRampZonesAndByZoneLoad() throws IOException {
    Cluster cluster =
        new ClusterLoader()
            .load(
                write(
                    BASE
                        + """
                        roles:
                          web: { batches: [1, 5, "20%"], by_zone: true }
                        nodes:
                          - { name: a, host: a, roles: [web], zone: rack-1 }
                          - { name: b, host: b, roles: [web], zone: rack-2 }
                        """));

    Role web = cluster.role("web").orElseThrow();
    assertEquals(List.of(BatchSize.of(1), BatchSize.of(5), BatchSize.percent(20)), web.batches());
    assertTrue(web.byZone());
    assertEquals("rack-1", cluster.node("a").orElseThrow().zone());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      value = {
        "[1, 0]|11|'roles.web.batches[1]' must be at least 1 node, not 0",
        "[-2]|8|'roles.web.batches[0]' must be at least 1 node, not -2",
        "[\"120%\"]|8|'roles.web.batches[0]' must be a percentage from 1% to 100%, not 120%",
        "[\"0%\"]|8|must be a percentage from 1% to 100%, not 0%",
        "[abc]|8|'roles.web.batches[0]' must be a number of nodes (5) or a percentage of the"
            + " role's nodes (\"20%\"), not 'abc'",
        "[1.5]|8|not '1.5'",
        "[[1]]|8|not a list",
        "[]|7|'roles.web.batches' is empty: list at least one batch size",
        "5|7|'roles.web.batches' must be a list of batch sizes, e.g. batches: [1, 5, \"20%\"]",
      })
  void aWrongRampIsAProblemAtItsEntry(String ramp, int column, String fragment) throws IOException {
    assertOnlyProblem(
        BASE
            + "roles:\n  web:\n    batches: "
            + ramp
            + "\nnodes: [{ name: n, host: h, roles: [web] }]\n",
        6,
        column + 7,
        fragment);
  }

  @Test
  void batchesAndMaxParallelTogetherAreAProblemNamingBoth() throws IOException {
    assertOnlyProblem(
        BASE
            + "roles:\n  web: { max_parallel: 3, batches: [1, 2] }\n"
            + "nodes: [{ name: n, host: h, roles: [web] }]\n",
        5,
        36,
        "role 'web' sets both 'batches' and 'max_parallel'; keep one");
  }

  @Test
  void byZoneNeedsAZoneOnEveryNodeOfTheRoleAndNamesTheOnesWithout() throws IOException {
    assertOnlyProblem(
        BASE
            + """
            roles:
              web: { by_zone: true }
            nodes:
              - { name: a, host: a, roles: [web], zone: z1 }
              - { name: b, host: b, roles: [web] }
              - { name: c, host: c, roles: [web] }
              - { name: d, host: d }
            """,
        5,
        10,
        "role 'web' is upgraded by zone (by_zone: true), but nodes b, c have no 'zone'");
  }

  @Test
  void aZoneIsAName() throws IOException {
    assertOnlyProblem(
        BASE + "nodes: [{ name: n, host: h, zone: \"rack 1\" }]\n",
        4,
        35,
        "'nodes[0].zone' 'rack 1' is not a valid name");
  }

  @Test
  void byZoneIsTrueOrFalse() throws IOException {
    assertOnlyProblem(
        BASE + "roles:\n  web: { by_zone: zone }\nnodes: [{ name: n, host: h, roles: [web] }]\n",
        5,
        19,
        "'roles.web.by_zone' must be true or false");
  }
}
