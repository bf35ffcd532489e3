package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.demo.Sandbox;
import io.hoist.transport.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Output read from nodes, through the command line with the demo's local nodes: a version command
 * printing megabytes, binary, NUL, terminal escapes, carriage returns, endless lines. What hoist
 * prints (text and JSON) holds no control character a terminal acts on and stays small; what it
 * keeps of a command's output is bounded ({@link ExecResult#TAIL_CHARS}, {@link
 * ExecResult#LAST_LINE_CHARS}).
 */
class NodeOutputTest {

  private static final Duration HANG_GUARD = Duration.ofSeconds(120);

  /** A few lines of messages around at most one 512-character line per node. */
  private static final int MAX_PRINTED = 32 * 1024;

  private static final String ESC = "\u001b";

  @TempDir Path root;
  private Sandbox sandbox;
  private CliRunner cli;

  @BeforeEach
  void sandbox() throws IOException {
    sandbox = Sandbox.create(root.resolve("sandbox"));
    cli =
        new CliRunner(Files.createDirectories(root.resolve("home")), root)
            .env("HOIST_STATE_DIR", root.resolve("state").toString());
  }

  /** Writes what a node's version command prints. */
  interface Printer {
    void write(OutputStream out) throws IOException;
  }

  private static Printer text(String text) {
    return out -> out.write(text.getBytes(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> hostileOutput() {
    return Stream.of(
        arguments(
            "5 MB without a line break",
            (Printer)
                out -> {
                  byte[] chunk = "x".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
                  for (int i = 0; i < 5; i++) {
                    out.write(chunk);
                  }
                }),
        arguments(
            "5 MB of lines",
            (Printer)
                out -> {
                  byte[] line = ("y".repeat(99) + "\n").getBytes(StandardCharsets.UTF_8);
                  for (int i = 0; i < 50_000; i++) {
                    out.write(line);
                  }
                }),
        arguments(
            "1 MB of binary",
            (Printer)
                out -> {
                  byte[] bytes = new byte[1 << 20];
                  new Random(42).nextBytes(bytes);
                  out.write(bytes);
                }),
        arguments("NUL bytes", text("1.0\u0000.0\u0000\n")),
        arguments("clear screen and home", text(ESC + "[2J" + ESC + "[H1.0.0-pwned")),
        arguments("window title", text(ESC + "]0;rooted" + "\u0007" + ESC + "]2;x" + ESC + "\\")),
        arguments(
            "hyperlink (OSC 8)",
            text(ESC + "]8;;https://attacker.invalid/" + ESC + "\\1.0.0" + ESC + "]8;;" + ESC)),
        arguments(
            "cursor movement",
            text("ok" + ESC + "[10A" + ESC + "[5D" + ESC + "[2K" + ESC + "7" + ESC + "8 v")),
        arguments("C1 controls", text("\u009b2J\u009d0;title\u009c\u0085 v")),
        arguments("bidi override", text("1.0.0\u202e0.0.2")),
        arguments("carriage return overwriting", text("1.0.0 lies\rv")),
        arguments("backspaces", text("1.0.0\b\b\b\b\b9.9.9")),
        arguments(
            "a long line after escapes", text(ESC + "[31m" + "z".repeat(200_000) + ESC + "[0m")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileOutput")
  void versionOutputReachesNoTerminalRawAndStaysSmall(String what, Printer printer)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    printer.write(bytes);
    Files.write(sandbox.home("db-1").resolve("current/VERSION"), bytes.toByteArray());
    String file = sandbox.clusterFile().toString();

    CliRunner.Result inspect = run("-c", file, "inspect");
    assertEquals(3, inspect.code(), inspect.toString());
    assertTrue(inspect.out().contains("db-1"), inspect.toString());
    assertTrue(inspect.out().contains("which is not a version"), inspect.toString());

    CliRunner.Result json = run("-c", file, "--output", "json", "inspect");
    assertEquals(3, json.code(), json.toString());
    String message = versionMessage(new ObjectMapper().readTree(json.out()), "db-1");
    assertTrue(message.contains("which is not a version"), message);
    assertTrue(
        message.length() <= ExecResult.LAST_LINE_CHARS + 100,
        "a message of " + message.length() + " characters");

    CliRunner.Result plan = run("-c", file, "upgrade", "--cluster", "--dry-run", "--to", "1.1.0");
    assertEquals(3, plan.code(), plan.toString());
    assertTrue(plan.err().contains("cannot read the running version of 1 node"), plan.toString());
  }

  @Test
  void hostileOutputOfAFailingHealthCheckIsEscapedInTheRunItsJournalAndStatus() throws IOException {
    String yaml = Files.readString(sandbox.clusterFile());
    String health =
        "health:  { run: \"${home}/current/bin/acmed status\", retries: 5, interval: 1s }";
    assertTrue(yaml.contains(health), yaml);
    // Healthy on 1.0.0 only, so the rollback succeeds; on 1.1.0 printf writes, at run time, ESC,
    // BEL, CR, a C1 CSI and an RTL override.
    yaml =
        yaml.replace(
            health,
            "health:  { run: 'test \"$(cat ${home}/current/VERSION)\" = 1.0.0 || { printf"
                + " \"\\033[2J\\033]0;pwned\\007%s\\r\\302\\233H\\342\\200\\256x\\n\" down;"
                + " exit 3; }', retries: 1, interval: 1s }");
    Files.writeString(sandbox.clusterFile(), yaml);
    String file = sandbox.clusterFile().toString();

    CliRunner.Result upgrade = run("-c", file, "upgrade", "--cluster", "--yes", "--to", "1.1.0");
    // The routers failed and were rolled back; the other nodes were left out: exit 5.
    assertEquals(5, upgrade.code(), upgrade.toString());
    assertTrue(upgrade.out().contains("failed-rolled-back"), upgrade.toString());
    assertTrue(upgrade.toString().contains("\\u202ex"), upgrade.toString());

    CliRunner.Result status = run("status");
    assertEquals(0, status.code(), status.toString());
    CliRunner.Result json = run("--output", "json", "status");
    assertEquals(0, json.code(), json.toString());
    assertTrue(json.out().contains("\\u202ex"), json.out());
  }

  private static String versionMessage(JsonNode report, String node) {
    for (JsonNode n : report.get("nodes")) {
      if (n.get("node").asText().equals(node)) {
        for (JsonNode check : n.get("checks")) {
          if (check.get("name").asText().equals("version")) {
            return check.get("message").asText();
          }
        }
      }
    }
    throw new AssertionError("no version check of " + node + " in " + report.toPrettyString());
  }

  private CliRunner.Result run(String... args) {
    CliRunner.Result result = assertTimeoutPreemptively(HANG_GUARD, () -> cli.run(args));
    TerminalText.assertSafe(result.out(), "stdout of " + String.join(" ", args));
    TerminalText.assertSafe(result.err(), "stderr of " + String.join(" ", args));
    assertTrue(
        result.out().length() + result.err().length() < MAX_PRINTED,
        "printed " + (result.out().length() + result.err().length()) + " characters");
    assertFalse(result.err().contains("\tat "), result.toString());
    return result;
  }
}
