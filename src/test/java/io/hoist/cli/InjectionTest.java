package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.ShellQuote;
import io.hoist.demo.Sandbox;
import io.hoist.release.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shell injection through every value a user or a node supplies: each payload is refused, or
 * reaches the shell (for real: the demo's local nodes run {@code bash -c}) as one word holding
 * exactly the payload. After every test the marker file that a successful injection would create
 * does not exist and the directory it would remove is still there.
 */
class InjectionTest {

  private static final Duration HANG_GUARD = Duration.ofSeconds(120);

  @TempDir Path root;
  private Path marker;
  private Path victim;
  private CliRunner cli;

  /** {@code MARKER} and {@code VICTIM} stand for two paths of the test's directory. */
  static Stream<String> payloads() {
    return Stream.of(
        "; rm -rf VICTIM",
        "$(touch MARKER)",
        "`touch MARKER`",
        "a\ntouch MARKER",
        "'; touch MARKER; '",
        "\"; touch MARKER; \"",
        "x\\",
        "$HOME",
        "--help",
        "-rf",
        "a b  c\td",
        "*",
        "evil\u202etxt.sh",
        "x && touch MARKER || touch MARKER",
        "> MARKER",
        "${IFS}touch${IFS}MARKER");
  }

  @BeforeEach
  void paths() throws IOException {
    marker = root.resolve("pwned");
    victim = Files.createDirectories(root.resolve("victim"));
    Files.writeString(victim.resolve("keep"), "keep\n");
    cli =
        new CliRunner(Files.createDirectories(root.resolve("home")), root)
            .env("HOIST_STATE_DIR", root.resolve("state").toString());
  }

  @AfterEach
  void nothingWasInjected() {
    assertFalse(Files.exists(marker), "the payload ran: " + marker + " exists");
    assertTrue(Files.exists(victim.resolve("keep")), "the payload ran: " + victim + " is gone");
  }

  private String real(String payload) {
    return payload.replace("MARKER", marker.toString()).replace("VICTIM", victim.toString());
  }

  private CliRunner.Result run(String... args) {
    CliRunner.Result result = assertTimeoutPreemptively(HANG_GUARD, () -> cli.run(args));
    assertFalse(result.err().contains("\tat "), result.toString());
    TerminalText.assertSafe(result.out(), "stdout");
    TerminalText.assertSafe(result.err(), "stderr");
    return result;
  }

  private Sandbox sandbox() throws IOException {
    return Sandbox.create(root.resolve("sandbox"));
  }

  // ---- values that must be refused

  @ParameterizedTest
  @MethodSource("payloads")
  void toMustBeAVersion(String payload) throws IOException {
    Sandbox sandbox = sandbox();
    CliRunner.Result result =
        run(
            "-c",
            sandbox.clusterFile().toString(),
            "upgrade",
            "--cluster",
            "--dry-run",
            "--to",
            real(payload));
    assertEquals(2, result.code(), result.toString());
    assertEquals("", result.out(), result.toString());
    assertTrue(result.err().contains("--to"), result.toString());
  }

  @ParameterizedTest
  @MethodSource("payloads")
  void nodesOnTheCommandLineMustBeTheClustersNodes(String payload) throws IOException {
    Sandbox sandbox = sandbox();
    for (String command : new String[] {"inspect", "retire"}) {
      CliRunner.Result result =
          run("-c", sandbox.clusterFile().toString(), command, "--", real(payload));
      assertEquals(2, result.code(), result.toString());
      assertTrue(result.err().contains("no node '"), result.toString());
    }
  }

  @ParameterizedTest
  @MethodSource("payloads")
  void roleOrderMustBeTheClustersRoles(String payload) throws IOException {
    Sandbox sandbox = sandbox();
    CliRunner.Result result =
        run(
            "-c",
            sandbox.clusterFile().toString(),
            "upgrade",
            "--cluster",
            "--dry-run",
            "--to",
            "1.1.0",
            "--role-order=" + real(payload));
    assertEquals(2, result.code(), result.toString());
    // picocli takes "--help" for an option, even after '='; either way the run is refused.
    assertTrue(
        result.err().contains("unknown role '")
            || result.err().contains("Expected parameter for option '--role-order'"),
        result.toString());
  }

  @ParameterizedTest
  @MethodSource("payloads")
  void runIdsAreRunIdsNotPaths(String payload) {
    for (String run : new String[] {real(payload), "../../" + real(payload), "../../../etc"}) {
      CliRunner.Result result = run("status", "--", run);
      assertEquals(2, result.code(), result.toString());
      assertTrue(result.err().contains("no run"), result.toString());
    }
  }

  @ParameterizedTest
  @MethodSource("payloads")
  void namesAndHostsInTheClusterFileAreRefusedByTheLoader(String payload) throws IOException {
    String base =
        "cluster: c\n"
            + "release: { repository: \"file:/r\", bundle: \"p-${version}.tgz\" }\n"
            + "layout: { home: /opt/p }\n";
    Path names =
        Files.writeString(
            root.resolve("names.yaml"),
            base + "nodes: [{ name: " + yamlString(real(payload)) + ", host: h }]\n");
    CliRunner.Result result = run("-c", names.toString(), "inspect");
    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains(":4:17: 'nodes[0].name' '"), result.toString());
    Path hosts =
        Files.writeString(
            root.resolve("hosts.yaml"),
            base + "nodes: [{ name: n, host: " + yamlString(real(payload)) + " }]\n");
    result = run("-c", hosts.toString(), "inspect");
    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("must be a host name or address"), result.toString());
  }

  @ParameterizedTest
  @MethodSource("payloads")
  void versionPrintedByANodeIsRefusedUnlessItIsAVersion(String payload) throws IOException {
    Sandbox sandbox = sandbox();
    String printed = "1.0.0" + real(payload);
    Files.writeString(
        sandbox.home("db-1").resolve("current/VERSION"), printed + "\n", StandardCharsets.UTF_8);
    String file = sandbox.clusterFile().toString();

    CliRunner.Result inspect = run("-c", file, "inspect", "db-1");
    CliRunner.Result plan = run("-c", file, "upgrade", "--cluster", "--dry-run", "--to", "1.1.0");

    if (Version.isValid(printed)) {
      // "1.0.0-rf", "1.0.0--help": pre-releases, made of letters, digits, '.' and '-' only.
      assertEquals(0, inspect.code(), inspect.toString());
      assertEquals(0, plan.code(), plan.toString());
      assertTrue(plan.out().contains(printed + " -> 1.1.0"), plan.out());
    } else {
      assertEquals(3, inspect.code(), inspect.toString());
      assertTrue(inspect.out().contains("which is not a version"), inspect.toString());
      assertEquals(3, plan.code(), plan.toString());
      assertTrue(plan.err().contains("cannot read the running version of 1 node"), plan.toString());
    }
  }

  // ---- values that reach the shell, quoted

  @ParameterizedTest
  @MethodSource("payloads")
  void homeReachesTheShellAsOneWord(String payload) throws IOException {
    Path home = Path.of(root.resolve("homes") + "/" + real(payload));
    Files.createDirectories(home.resolve("current"));
    Files.writeString(home.resolve("current/VERSION"), "1.0.0\n");
    Path cluster =
        Files.writeString(
            root.resolve("cluster.yaml"),
            "cluster: c\n"
                + "release: { repository: \"file:/r\", bundle: \"p-${version}.tgz\" }\n"
                + "commands: { version: \"cat ${home}/current/VERSION\" }\n"
                + "checks: [{ name: args, run: "
                + yamlString(recordArguments("${home}"))
                + " }]\n"
                + "nodes:\n"
                + "  - { name: n, transport: local, layout: { min_free: 1KiB, home: "
                + yamlString(home.toString())
                + " } }\n");

    CliRunner.Result result = run("-c", cluster.toString(), "inspect");

    assertEquals(0, result.code(), result.toString());
    assertArguments(home.toString());
  }

  @ParameterizedTest
  @MethodSource("payloads")
  void secretReachesTheShellAsOneWordAndIsNeverShown(String payload) throws IOException {
    Sandbox sandbox = sandbox();
    String yaml = Files.readString(sandbox.clusterFile());
    yaml =
        yaml.replace(
                "checks:\n",
                "secrets: [TOKEN]\nchecks:\n  - { name: args, run: "
                    + yamlString(recordArguments("${secret.TOKEN}"))
                    + " }\n")
            .replace(
                "stop:    \"${home}/current/bin/acmed stop\"",
                "stop:    \"${home}/current/bin/acmed stop ${secret.TOKEN}\"");
    Files.writeString(sandbox.clusterFile(), yaml);
    cli.env("TOKEN", real(payload));
    String file = sandbox.clusterFile().toString();

    CliRunner.Result inspect = run("-c", file, "inspect", "db-1");
    assertEquals(0, inspect.code(), inspect.toString());
    assertArguments(real(payload));

    CliRunner.Result plan = run("-c", file, "upgrade", "--cluster", "--dry-run", "--to", "1.1.0");
    assertEquals(0, plan.code(), plan.toString());
    assertTrue(plan.out().contains("acmed stop '***'"), plan.out());
    if (payload.length() > 3) {
      assertFalse(plan.out().contains(real(payload)), plan.out());
      assertFalse(inspect.out().contains(real(payload)), inspect.out());
    }
  }

  @ParameterizedTest
  @MethodSource("payloads")
  void demoSandboxMayLieInAnyDirectory(String payload) throws IOException {
    Path dir = Path.of(root.resolve("demos") + "/" + real(payload) + "/sandbox");
    Sandbox sandbox = Sandbox.create(dir);
    CliRunner.Result result = run("-c", sandbox.clusterFile().toString(), "inspect");
    assertEquals(0, result.code(), result.toString());
  }

  @Test
  void demoRunsAWholeUpgradeInADirectoryNamedToBreakQuoting() throws IOException {
    String name =
        real("demo $(touch MARKER) `touch MARKER` \"q\" 'x' \\ * # : -rf \u202e\nnext line");
    CliRunner.Result result = run("--no-color", "demo", "--keep", "--dir", name);
    assertEquals(0, result.code(), result.toString());
    Path sandbox = root.resolve(name);
    assertEquals(
        "2.0.0\n", Files.readString(sandbox.resolve("nodes/db-1/current/VERSION")), "upgraded");
  }

  // ---- helpers

  /** A check that records how many words {@code reference} became and the first one. */
  private String recordArguments(String reference) {
    return "f() { printf '%s' \"$#\" > "
        + ShellQuote.quote(root.resolve("count").toString())
        + "; printf '%s' \"$1\" > "
        + ShellQuote.quote(root.resolve("argument").toString())
        + "; }; f "
        + reference;
  }

  private void assertArguments(String expected) throws IOException {
    assertEquals("1", Files.readString(root.resolve("count")), "words");
    assertEquals(expected, Files.readString(root.resolve("argument")), "the word");
  }

  /** A YAML double-quoted string holding {@code text} exactly. */
  private static String yamlString(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
