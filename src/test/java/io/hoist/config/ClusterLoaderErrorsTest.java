package io.hoist.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.hoist.error.ConfigException;
import io.hoist.error.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** One test per kind of problem, each asserting the file, line, column and message. */
class ClusterLoaderErrorsTest {

  /** Lines 1 to 3; each test adds its own lines from line 4 on. */
  private static final String BASE =
      """
      cluster: c
      release: { repository: "file:/r", bundle: "p-${version}.tgz" }
      layout: { home: /opt/p }
      """;

  private static final String NODES = "nodes: [{ name: n, host: h }]\n";

  @TempDir Path dir;

  private List<Problem> problems(String yaml) throws IOException {
    Path file = dir.resolve("cluster.yaml");
    Files.writeString(file, yaml);
    ConfigException e = assertThrows(ConfigException.class, () -> new ClusterLoader().load(file));
    return e.problems();
  }

  /** The only problem of the file is at line:column and says {@code fragment}. */
  private void assertOnlyProblem(String yaml, int line, int column, String fragment)
      throws IOException {
    List<Problem> problems = problems(yaml);
    assertEquals(1, problems.size(), problems.toString());
    assertProblem(problems.get(0), line, column, fragment);
  }

  private static void assertProblem(Problem problem, int line, int column, String fragment) {
    assertTrue(problem.file().endsWith("cluster.yaml"), problem.toString());
    assertEquals(line + ":" + column, problem.line() + ":" + problem.column(), problem.toString());
    assertTrue(problem.message().contains(fragment), problem.toString());
  }

  @Test
  void aNotAfterOfNoKnownFormIsAProblemAtItsValue() throws IOException {
    assertOnlyProblem(BASE + NODES + "not_after: soon\n", 5, 12, "'not_after': expected HH:MM");
  }

  @Test
  void unknownKeySuggestsTheClosestAllowedKey() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "timeout: { stop: 5s }\n",
        5,
        1,
        "unknown key 'timeout' (did you mean 'timeouts'?)");
  }

  @Test
  void unknownNestedKeySuggestsKeyWithUnderscore() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "ssh: { knownhosts: x }\n",
        5,
        8,
        "unknown key 'ssh.knownhosts' (did you mean 'known_hosts'?)");
  }

  @Test
  void unknownKeyFarFromAnyListsTheAllowedKeys() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "backup: { colour: red }\n",
        5,
        11,
        "unknown key 'backup.colour'; allowed here: paths, keep");
  }

  @Test
  void listWhereMappingExpectedIsATypeProblem() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "ssh: [a, b]\n", 5, 6, "'ssh' must be a mapping (key: value), not a list");
  }

  @Test
  void mappingWhereStringExpectedIsATypeProblem() throws IOException {
    assertOnlyProblem(
        BASE + "nodes: [{ name: n, host: { a: 1 } }]\n",
        4,
        26,
        "'nodes[0].host' must be a string, not a mapping");
  }

  @Test
  void nonIntegerPortIsATypeProblem() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "ssh: { port: 22.5 }\n",
        5,
        14,
        "'ssh.port' must be a whole number, not a number");
  }

  @Test
  void duplicateNodeNameReportsSecondOccurrence() throws IOException {
    assertOnlyProblem(
        BASE + "nodes:\n  - { name: n, host: h }\n  - { name: n, host: h2 }\n",
        6,
        13,
        "node 'n' is defined twice (first at line 5)");
  }

  @Test
  void duplicateKeyReportsSecondOccurrence() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "cluster: d\n", 5, 1, "duplicate key 'cluster' (first at line 1)");
  }

  @Test
  void badNodeNameShapeIsReported() throws IOException {
    assertOnlyProblem(
        BASE + "nodes: [{ name: \"db 1\", host: h }]\n",
        4,
        17,
        "'nodes[0].name' 'db 1' is not a valid name");
  }

  @Test
  void unknownNodeRoleSuggestsAKnownRole() throws IOException {
    assertOnlyProblem(
        BASE + "roles: { dea: }\nnodes: [{ name: n, host: h, roles: [dae] }]\n",
        5,
        37,
        "unknown role 'dae' (did you mean 'dea'?)");
  }

  @Test
  void roleListedTwiceInRoleOrderReportsSecondOccurrence() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "role_order: [a, b, a]\n",
        5,
        20,
        "role 'a' is listed twice in 'role_order'");
  }

  @Test
  void badDurationIsReported() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "timeouts: { stop: 5x }\n",
        5,
        19,
        "'timeouts.stop': '5x' is not a duration");
  }

  @Test
  void negativeDurationIsReported() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "roles: { r: { settle: -5s } }\n", 5, 23, "'-5s' is not a duration");
  }

  @Test
  void badByteSizeIsReported() throws IOException {
    assertOnlyProblem(
        BASE.replace("home: /opt/p", "home: /opt/p, min_free: lots") + NODES,
        3,
        35,
        "'layout.min_free': 'lots' is not a size");
  }

  @Test
  void badVersionRangeInUpgradePathIsReported() throws IOException {
    assertOnlyProblem(
        "cluster: c\nrelease:\n  repository: file:/r\n  bundle: p-${version}.tgz\n"
            + "  upgrade_paths:\n    - { to: \"3.6\", from: \"=>3.5\" }\n"
            + "layout: { home: /opt/p }\n"
            + NODES,
        6,
        26,
        "'release.upgrade_paths[0].from': '=>3.5' is not a version range");
  }

  @Test
  void badTargetVersionInUpgradePathIsReported() throws IOException {
    assertOnlyProblem(
        "cluster: c\nrelease:\n  repository: file:/r\n  bundle: p-${version}.tgz\n"
            + "  upgrade_paths: [{ to: three, from: \">=3.5.3\" }]\n"
            + "layout: { home: /opt/p }\n"
            + NODES,
        5,
        25,
        "'release.upgrade_paths[0].to': 'three' is not a version range");
  }

  @Test
  void maxStepOutsideItsChoicesSuggestsOne() throws IOException {
    assertOnlyProblem(
        "cluster: c\nrelease:\n  repository: file:/r\n  bundle: p-${version}.tgz\n"
            + "  max_step: minr\nlayout: { home: /opt/p }\n"
            + NODES,
        5,
        13,
        "must be one of any, major, minor, not 'minr' (did you mean 'minor'?)");
  }

  @Test
  void sshNodeWithoutHostIsReportedAtTheNode() throws IOException {
    assertOnlyProblem(
        BASE + "nodes:\n  - name: n\n    roles: []\n",
        5,
        5,
        "node 'n' is reached over SSH but has no 'host'");
  }

  @Test
  void unknownTransportIsReported() throws IOException {
    assertOnlyProblem(
        BASE + "nodes: [{ name: n, transport: locale }]\n",
        4,
        31,
        "must be one of local, ssh, not 'locale' (did you mean 'local'?)");
  }

  @Test
  void portOutOfRangeIsReported() throws IOException {
    assertOnlyProblem(
        BASE + "nodes: [{ name: n, host: h, ssh: { port: 70000 } }]\n",
        4,
        42,
        "'nodes[0].ssh.port' must be at most 65535, not 70000");
  }

  @Test
  void unknownHostKeyPolicyIsReported() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "ssh: { host_keys: yolo }\n",
        5,
        19,
        "'ssh.host_keys' must be one of accept-new, strict, not 'yolo'");
  }

  @Test
  void misspeltKeyExchangeAlgorithmSuggestsTheClosest() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "ssh: { kex: [curve25519-sha256, sntrup761x25519-sha512@openssh.con] }\n",
        5,
        33,
        "'ssh.kex': unknown key exchange algorithm 'sntrup761x25519-sha512@openssh.con' (did you"
            + " mean 'sntrup761x25519-sha512@openssh.com'?)");
  }

  @Test
  void unknownKeyExchangeAlgorithmInACommaListIsReportedAtItsColumn() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "ssh:\n  kex: curve25519-sha256, x448-sha512\n",
        6,
        27,
        "unknown key exchange algorithm 'x448-sha512'; known: mlkem768x25519-sha256,");
  }

  @Test
  void sshConfigPrefixInKexIsExplained() throws IOException {
    assertOnlyProblem(
        BASE + "nodes: [{ name: n, host: h, ssh: { kex: \"+curve448-sha512\" } }]\n",
        4,
        41,
        "'nodes[0].ssh.kex': '+curve448-sha512': hoist takes the whole list, in order of"
            + " preference; ssh_config's forms +NAME, -NAME and ^NAME are not supported here (did"
            + " you mean 'curve448-sha512'?)");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          ssh: { kex: [] }                                       | 13 | 'ssh.kex' is empty
          ssh: { kex: "" }                                       | 13 | 'ssh.kex' is empty
          ssh: { kex: "curve25519-sha256,,ecdh-sha2-nistp256" }  | 13 | empty entry in 'ssh.kex'
          ssh: { kex: [curve25519-sha256, curve25519-sha256] }   | 33 | lists 'curve25519-sha256' twice (first at 5:14)
          """)
  void emptyOrRepeatedKeyExchangeAlgorithmsAreReported(String line, int column, String fragment)
      throws IOException {
    assertOnlyProblem(BASE + NODES + line + "\n", 5, column, fragment);
  }

  @Test
  void serialRoleWithMaxParallelAboveOneIsReported() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "roles: { db: { serial: true, max_parallel: 3 } }\n",
        5,
        44,
        "role 'db' is serial (one node down at a time), so 'max_parallel' cannot be 3");
  }

  @Test
  void maxParallelBelowOneIsReported() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "roles: { db: { max_parallel: 0 } }\n",
        5,
        30,
        "'roles.db.max_parallel' must be at least 1, not 0");
  }

  @Test
  void backupPathsMayUseHomeAndNodeOnly() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "backup: { paths: [\"${home}/data\", \"/x/${version}\"] }\n",
        5,
        35,
        "'backup.paths' may use ${home} and ${node} only, not '/x/${version}'");
  }

  @Test
  void backupKeepBelowOneIsReported() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "backup: { keep: 0 }\n", 5, 17, "'backup.keep' must be at least 1, not 0");
  }

  @ParameterizedTest
  @CsvSource({"0, 'at least 1, not 0'", "101, 'at most 100, not 101'"})
  void releaseKeepOutOfRangeIsReported(String keep, String says) throws IOException {
    assertOnlyProblem(
        BASE.replace("p-${version}.tgz\"", "p-${version}.tgz\", keep: " + keep) + NODES,
        2,
        69,
        "'release.keep' must be " + says);
  }

  @Test
  void relativeReleaseCacheIsReported() throws IOException {
    assertOnlyProblem(
        BASE.replace("p-${version}.tgz\"", "p-${version}.tgz\", cache: cache/dir") + NODES,
        2,
        70,
        "'release.cache' must be an absolute path (starting with /), not 'cache/dir'");
  }

  @Test
  void negativeHealthRetriesAreReported() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "commands: { health: { run: x, retries: -1 } }\n",
        5,
        40,
        "'commands.health.retries' must be at least 0, not -1");
  }

  static Stream<Arguments> valuesAboveTheirLimit() {
    return Stream.of(
        arguments(
            NODES + "timeouts: { command: 999999999d }\n",
            5,
            22,
            "'timeouts.command' must be at most 7d, not 999999999d"),
        arguments(
            NODES + "timeouts: { stop: 8d }\n",
            5,
            19,
            "'timeouts.stop' must be at most 7d, not 8d"),
        arguments(
            NODES + "timeouts: { switch: 7d1s }\n",
            5,
            21,
            "'timeouts.switch' must be at most 7d, not 7d1s"),
        arguments(
            NODES + "timeouts: { start: 604801 }\n",
            5,
            20,
            "'timeouts.start' must be at most 7d, not 604801"),
        arguments(
            NODES + "checks: [{ name: a, run: x, timeout: 8d }]\n",
            5,
            38,
            "'checks[0].timeout' must be at most 7d, not 8d"),
        arguments(
            NODES + "commands: { health: { run: x, interval: 8d } }\n",
            5,
            41,
            "'commands.health.interval' must be at most 7d, not 8d"),
        arguments(
            NODES + "commands: { health: { run: x, retries: 10001 } }\n",
            5,
            40,
            "'commands.health.retries' must be at most 10000, not 10001"),
        arguments(
            NODES + "roles: { r: { settle: 25h } }\n",
            5,
            23,
            "'roles.r.settle' must be at most 1d, not 25h"),
        arguments(
            NODES + "roles: { r: { max_parallel: 10001 } }\n",
            5,
            29,
            "'roles.r.max_parallel' must be at most 10000, not 10001"),
        arguments(
            NODES + "backup: { paths: [/x], keep: 1001 }\n",
            5,
            30,
            "'backup.keep' must be at most 1000, not 1001"),
        arguments(
            NODES + "ssh: { connect_timeout: 25d }\n",
            5,
            25,
            "'ssh.connect_timeout' must be at most 1d, not 25d"),
        arguments(
            NODES + "ssh: { keepalive: 999999999d }\n",
            5,
            19,
            "'ssh.keepalive' must be at most 1d, not 999999999d"),
        arguments(
            "nodes: [{ name: n, host: h, ssh: { keepalive: 2d } }]\n",
            4,
            47,
            "'nodes[0].ssh.keepalive' must be at most 1d, not 2d"));
  }

  @ParameterizedTest
  @MethodSource("valuesAboveTheirLimit")
  void valueAboveItsLimitIsReportedWhereItIsWritten(
      String lines, int line, int column, String message) throws IOException {
    assertOnlyProblem(BASE + lines, line, column, message);
  }

  @Test
  void relativeLayoutHomeIsReported() throws IOException {
    assertOnlyProblem(
        BASE + "nodes: [{ name: n, host: h, layout: { home: opt/p } }]\n",
        4,
        45,
        "'nodes[0].layout.home' must be an absolute path");
  }

  @Test
  void unparsableTemplatePointsInsideAPlainScalar() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "commands:\n  stop: systemctl stop ${unit\n",
        6,
        24,
        "'commands.stop': unclosed '${'");
  }

  @Test
  void unparsableTemplateInAQuotedScalarPointsAtItsStart() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "commands:\n  stop: \"systemctl stop ${Unit}\"\n",
        6,
        9,
        "'${Unit}' is not a variable name");
  }

  static Stream<Arguments> templatesWithPropertiesBeforeThem() {
    return Stream.of(
        arguments("  version: !!str x ${nope}\n", 6, 20, "unknown variable '${nope}'"),
        arguments("  stop: &s systemctl stop ${unit\n", 6, 27, "unclosed '${'"),
        arguments("  stop: &s \"systemctl stop ${Unit}\"\n", 6, 12, "is not a variable name"),
        arguments("  stop: !!str &s 'x ${Unit}'\n", 6, 18, "is not a variable name"),
        arguments("  stop: &s\n    systemctl stop ${unit\n", 7, 20, "unclosed '${'"));
  }

  @ParameterizedTest
  @MethodSource("templatesWithPropertiesBeforeThem")
  void problemInATaggedOrAnchoredTemplateIsReportedInItsContent(
      String command, int line, int column, String message) throws IOException {
    assertOnlyProblem(BASE + NODES + "commands:\n" + command, line, column, message);
  }

  @Test
  void anchoredValueOfTheWrongTypeIsReportedAtTheValue() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "ssh: &s [a, b]\n",
        5,
        9,
        "'ssh' must be a mapping (key: value), not a list");
  }

  @Test
  void unknownTemplateVariableSuggestsAKnownOne() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "commands:\n  version: cat ${hme}/VERSION\n",
        6,
        16,
        "unknown variable '${hme}' (did you mean 'home'?)");
  }

  @Test
  void secretNotListedUnderSecretsIsReported() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "secrets: [TOKEN]\nhooks:\n  before_cluster: x ${secret.TOKN}\n",
        7,
        21,
        "uses secret 'TOKN', which is not listed under 'secrets:' (did you mean 'TOKEN'?)");
  }

  @Test
  void roleVariableOutsideARoleIsReported() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "commands:\n  stop: stop ${role}\n",
        6,
        14,
        "'${role}' is only known in a role's commands");
  }

  @Test
  void checkWithoutNameOrRunIsReported() throws IOException {
    List<Problem> problems = problems(BASE + NODES + "checks:\n  - { run: x }\n  - name: y\n");
    assertEquals(2, problems.size(), problems.toString());
    assertProblem(problems.get(0), 6, 5, "missing 'checks[0].name'");
    assertProblem(problems.get(1), 7, 5, "missing 'checks[1].run'");
  }

  @Test
  void duplicateCheckNameReportsSecondOccurrence() throws IOException {
    assertOnlyProblem(
        BASE + NODES + "checks:\n  - { name: disk, run: x }\n  - { name: disk, run: y }\n",
        7,
        13,
        "check 'disk' is defined twice (first at line 6)");
  }

  @Test
  void missingRequiredKeysAreEachReported() throws IOException {
    List<Problem> problems = problems("release: { bundle: p.tgz }\n");
    assertEquals(4, problems.size(), problems.toString());
    assertProblem(problems.get(0), 1, 1, "missing 'cluster'");
    assertProblem(problems.get(1), 1, 1, "missing 'release.repository'");
    assertProblem(problems.get(2), 1, 1, "missing 'nodes'");
    assertProblem(problems.get(3), 1, 20, "'release.bundle' must contain ${version}");
  }

  @Test
  void bundleWithOnlyAnEscapedVersionIsReported() throws IOException {
    assertOnlyProblem(
        BASE.replace("p-${version}.tgz", "p-$${version}.tgz") + NODES,
        2,
        43,
        "'release.bundle' must contain ${version}");
  }

  @Test
  void emptyNodeListIsReported() throws IOException {
    assertOnlyProblem(BASE + "nodes: []\n", 4, 8, "'nodes' is empty");
  }

  static Stream<Arguments> emptyListEntries() {
    return Stream.of(
        arguments(BASE + "nodes: [~]\n", 4, 9, "empty entry in 'nodes'"),
        arguments(BASE + "nodes:\n  - { name: n, host: h }\n  -\n", 6, 3, "empty entry in 'nodes'"),
        arguments(
            """
            cluster: c
            release:
              repository: "file:/r"
              bundle: "p-${version}.tgz"
              upgrade_paths:
                - { to: "2", from: ">=1" }
                -
            layout: { home: /opt/p }
            """
                + NODES,
            7,
            5,
            "empty entry in 'release.upgrade_paths'"),
        arguments(
            BASE + NODES + "checks:\n  -\n  - { name: a, run: x }\n",
            6,
            3,
            "empty entry in 'checks'"),
        arguments(BASE + NODES + "secrets: [A, ~, B]\n", 5, 14, "empty entry in 'secrets'"),
        arguments(
            BASE + "roles: { a: }\nnodes: [{ name: n, host: h, roles: [a, ''] }]\n",
            5,
            40,
            "empty entry in 'nodes[0].roles'"),
        arguments(
            BASE + NODES + "backup:\n  paths:\n    - /a\n    -   # blank\n    - /b\n",
            8,
            5,
            "empty entry in 'backup.paths'"),
        arguments(
            BASE + NODES + "role_order: [a, null, b]\n", 5, 17, "empty entry in 'role_order'"),
        arguments(
            BASE + NODES + "ssh: { identity: [a, \" \"] }\n",
            5,
            22,
            "empty entry in 'ssh.identity'"));
  }

  @ParameterizedTest
  @MethodSource("emptyListEntries")
  void emptyListEntryIsReportedWhereItIs(String yaml, int line, int column, String message)
      throws IOException {
    assertOnlyProblem(yaml, line, column, message);
  }

  @Test
  void nodeWithoutNameIsReported() throws IOException {
    assertOnlyProblem(BASE + "nodes: [{ host: h }]\n", 4, 9, "missing 'nodes[0].name'");
  }

  @Test
  void missingLayoutHomeIsReportedAtTheNode() throws IOException {
    assertOnlyProblem(
        "cluster: c\nrelease: { repository: \"file:/r\", bundle: \"p-${version}.tgz\" }\n" + NODES,
        3,
        9,
        "node 'n' has no layout.home");
  }

  @Test
  void yamlSyntaxErrorIsOneProblemAtTheParserPosition() throws IOException {
    assertOnlyProblem(
        BASE + "nodes: [{ name: n, host: h }\nssh: {}\n", 5, 1, "YAML syntax: expected ',' or ']'");
  }

  @Test
  void fiveDifferentProblemsAreAllReportedInLineOrder() throws IOException {
    List<Problem> problems =
        problems(
            """
            cluster: c
            release: { repository: "file:/r", bundle: "p.tgz" }
            layout: { home: opt/p }
            ssh: { port: 0 }
            timeouts: { stop: soon }
            nodes:
              - { name: n, host: h, roles: [x] }
            """);
    assertEquals(
        List.of("2:43", "3:17", "4:14", "5:19", "7:33"),
        problems.stream().map(p -> p.line() + ":" + p.column()).toList(),
        problems.toString());
  }
}
