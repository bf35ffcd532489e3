package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoist.demo.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The output conventions every command follows, in process on the demo's local cluster: escape
 * sequences (colours, the redrawn live view) only on a terminal and never with NO_COLOR or
 * --no-color; -q prints nothing on success and only errors on failure, but still the JSON; -v/-vv
 * set slf4j-simple's level; --log-file appends timestamped lines.
 */
class OutputConventionsTest {

  private static final String ESC = "\u001b";

  @TempDir Path root;
  private Sandbox sandbox;
  private Path home;

  @BeforeEach
  void sandbox() throws IOException {
    sandbox = Sandbox.create(root.resolve("sandbox"));
    home = Files.createDirectories(root.resolve("home"));
  }

  private CliRunner cli() {
    return new CliRunner(home, root).env("HOIST_STATE_DIR", root.resolve("state").toString());
  }

  /** The three ways to rule out escapes: NO_COLOR, --no-color, no terminal. */
  static Stream<Arguments> plain() {
    return Stream.of(
        Arguments.of("NO_COLOR on a terminal", true, "1", List.of()),
        Arguments.of("--no-color on a terminal", true, null, List.of("--no-color")),
        Arguments.of("no terminal", false, null, List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plain")
  void noEscapeSequencesOnStdoutOrStderr(
      String name, boolean terminal, String noColor, List<String> flags) throws IOException {
    CliRunner cli = cli().interactive(terminal);
    if (noColor != null) {
      cli.env("NO_COLOR", noColor);
    }
    Function<List<String>, CliRunner.Result> run =
        args -> {
          List<String> all = new ArrayList<>(flags);
          all.add("-c");
          all.add(sandbox.clusterFile().toString());
          all.addAll(args);
          return cli.run(all.toArray(String[]::new));
        };
    List<CliRunner.Result> results = new ArrayList<>();
    results.add(run.apply(List.of("inspect")));
    results.add(run.apply(List.of("inspect", "--help")));
    results.add(run.apply(List.of("upgrade", "--cluster", "--dry-run")));
    // The live view and the download progress run here: on a terminal they would redraw.
    results.add(run.apply(List.of("upgrade", "--cluster", "--yes", "--to", "1.1.0")));
    results.add(run.apply(List.of("status")));
    results.add(run.apply(List.of("version", "list")));
    results.add(run.apply(List.of("upgrade", "db-9", "--dry-run")));
    results.add(run.apply(List.of("upgrade", "--cluster", "--dry-run", "--to", "9.9.9")));
    results.add(run.apply(List.of("inspect", "--bogus")));
    Files.delete(sandbox.home("db-1").resolve("state/running"));
    results.add(run.apply(List.of("inspect")));
    results.add(run.apply(List.of("--output", "json", "inspect")));

    List<Integer> codes = results.stream().map(CliRunner.Result::code).toList();
    assertEquals(List.of(0, 0, 0, 0, 0, 0, 2, 3, 2, 3, 3), codes, results.toString());
    for (CliRunner.Result result : results) {
      assertFalse(result.out().contains(ESC), "escape on stdout\n" + result);
      assertFalse(result.err().contains(ESC), "escape on stderr\n" + result);
    }
  }

  @Test
  void colourOnATerminalWithoutNoColor() throws IOException {
    Files.delete(sandbox.home("db-1").resolve("state/running"));
    String file = sandbox.clusterFile().toString();

    CliRunner.Result inspect = cli().interactive(true).run("-c", file, "inspect");
    assertEquals(3, inspect.code(), inspect.toString());
    assertTrue(inspect.out().contains(ESC), "no colour on a terminal\n" + inspect);
    CliRunner.Result help = cli().interactive(true).run("-c", file, "inspect", "--help");
    assertTrue(help.out().contains(ESC), "no colour in the help on a terminal\n" + help);

    // no-color.org: an empty NO_COLOR does not count.
    CliRunner.Result empty = cli().interactive(true).env("NO_COLOR", "").run("-c", file, "inspect");
    assertTrue(empty.out().contains(ESC), empty.toString());

    CliRunner.Result dumb = cli().interactive(true).env("TERM", "dumb").run("-c", file, "inspect");
    assertFalse(dumb.out().contains(ESC), dumb.toString());
  }

  @Test
  void quietPrintsNothingOnSuccess() throws IOException {
    Path file = sandbox.clusterFile();
    Files.writeString(
        file,
        Files.readString(file)
            .replace(
                "router:  { max_parallel: 2 }",
                "router:  { max_parallel: 2, retire: \"true\", rejoin: \"true\" }"));
    List<List<String>> commands =
        List.of(
            List.of("inspect"),
            List.of("version", "list"),
            List.of("version", "get", "1.1.0"),
            List.of("version", "prepare", "1.1.0"),
            List.of("upgrade", "--cluster", "--dry-run"),
            List.of("upgrade", "--cluster", "--prepare-only"),
            List.of("upgrade", "--cluster", "--yes", "--to", "1.1.0"),
            List.of("upgrade", "--cluster", "--yes", "--to", "1.1.0"),
            List.of("status"),
            List.of("retire", "router-1"),
            List.of("rollback", "--cluster", "--yes"),
            List.of("demo", "--dir", root.resolve("demo").toString()));
    for (List<String> command : commands) {
      List<String> args = new ArrayList<>(List.of("-q", "-c", file.toString()));
      args.addAll(command);
      CliRunner.Result result = cli().run(args.toArray(String[]::new));
      assertEquals(0, result.code(), result.toString());
      assertEquals("", result.out(), result.toString());
      assertEquals("", result.err(), result.toString());
    }
  }

  @Test
  void quietPrintsOnlyTheErrorsOnFailureAndStillTheJson() throws IOException {
    String file = sandbox.clusterFile().toString();
    CliRunner.Result unknown = cli().run("-q", "-c", file, "upgrade", "db-9", "--dry-run");
    assertEquals(2, unknown.code(), unknown.toString());
    assertEquals("", unknown.out());
    assertEquals(
        List.of("hoist: no node 'db-9' in cluster demo (did you mean 'db-1'?)"),
        unknown.err().lines().toList());

    Files.delete(sandbox.home("db-1").resolve("state/running"));
    CliRunner.Result failed = cli().run("-q", "-c", file, "inspect");
    assertEquals(3, failed.code(), failed.toString());
    assertEquals("", failed.out());
    List<String> errors = failed.err().lines().toList();
    assertEquals(1, errors.size(), failed.toString());
    assertTrue(errors.get(0).startsWith("hoist: db-1: product-running failed: "), failed.err());

    CliRunner.Result json = cli().run("-q", "-c", file, "--output", "json", "inspect");
    assertEquals(3, json.code(), json.toString());
    JsonNode document = JsonShapes.assertDocument("inspect", json);
    assertFalse(document.get("ok").asBoolean());
    assertEquals(failed.err(), json.err(), "the same errors, nothing else");

    CliRunner.Result error = cli().run("-q", "-c", file, "--output", "json", "status");
    JsonShapes.assertError(error, 2, "usage");
  }

  @ParameterizedTest
  @CsvSource({"'', warn", "-v, info", "-vv, debug", "-vvv, debug", "-q, error", "-v -v, debug"})
  void verbositySetsTheLogLevel(String flags, String level) {
    CommandLine commandLine = Cli.commandLine(GenerateDocs.fixedEnvironment());
    List<String> args = new ArrayList<>();
    for (String flag : flags.split(" ")) {
      if (!flag.isEmpty()) {
        args.add(flag);
      }
    }
    args.add("status");
    commandLine.parseArgs(args.toArray(String[]::new));
    HoistCommand hoist = commandLine.getCommand();
    assertEquals(level, hoist.global.logLevel());
  }

  @Test
  void logFileAppendsTimestampedLinesWhateverQuietSays() throws IOException {
    Path log = root.resolve("hoist.log");
    String file = sandbox.clusterFile().toString();
    String stamp = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ hoist\\[\\d+\\] ";

    CliRunner.Result ok = cli().run("-q", "--log-file", log.toString(), "-c", file, "inspect");
    assertEquals(0, ok.code(), ok.toString());
    assertEquals("", ok.out() + ok.err());
    List<String> first = Files.readAllLines(log);
    assertTrue(first.stream().allMatch(l -> l.matches(stamp + ".*")), first.toString());
    assertTrue(first.get(0).matches(stamp + "start: hoist -q --log-file .* inspect"), first.get(0));
    assertTrue(
        first.stream().anyMatch(l -> l.matches(stamp + "All 6 nodes passed every check\\.")));
    assertTrue(first.get(first.size() - 1).matches(stamp + "end: exit 0"), first.toString());

    CliRunner.Result failed =
        cli()
            .run(
                "--log-file",
                log.toString(),
                "-c",
                file,
                "-o",
                "json",
                "upgrade",
                "db-9",
                "--dry-run");
    assertEquals(2, failed.code(), failed.toString());
    List<String> both = Files.readAllLines(log);
    assertEquals(first, both.subList(0, first.size()), "appended");
    List<String> second = both.subList(first.size(), both.size());
    assertTrue(second.stream().allMatch(l -> l.matches(stamp + ".*")), second.toString());
    assertTrue(
        second.stream().anyMatch(l -> l.matches(stamp + "error: no node 'db-9' in cluster .*")),
        second.toString());
    assertTrue(second.get(second.size() - 1).matches(stamp + "end: exit 2"), second.toString());
  }
}
