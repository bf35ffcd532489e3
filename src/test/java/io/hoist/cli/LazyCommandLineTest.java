package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * A run builds only the subcommand its arguments name ({@link Cli#commandLine(Environment,
 * String[])}); parsing with that command line must give what the full one gives, for good and bad
 * arguments alike.
 */
class LazyCommandLineTest {

  private static final Environment ENV =
      new Environment(Map.of(), Path.of("."), Path.of("."), false, false);

  /** What a parse came to: the command chain with each level's options and positionals. */
  private static String outcome(CommandLine commandLine, String[] args) {
    try {
      ParseResult result = commandLine.parseArgs(args);
      List<String> levels = new ArrayList<>();
      for (ParseResult level = result; level != null; level = level.subcommand()) {
        List<String> options = new ArrayList<>();
        for (OptionSpec option : level.matchedOptions()) {
          options.add(option.longestName() + "=" + option.stringValues());
        }
        levels.add(
            level.commandSpec().name()
                + options
                + level.matchedPositionals().stream().map(p -> p.stringValues()).toList()
                + level.unmatched());
      }
      return String.join(" > ", levels);
    } catch (ParameterException e) {
      return "error: " + e.getMessage();
    }
  }

  private static void assertSameParse(String... args) {
    String full = outcome(Cli.commandLine(ENV), args);
    String lazy = outcome(Cli.commandLine(ENV, args), args);
    assertEquals(full, lazy, String.join(" ", args));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "inspect",
        "-c prod.yaml inspect",
        "--cluster-file=prod.yaml -q inspect --max-parallel 5",
        "-c inspect inspect",
        "-o json -v upgrade --cluster --dry-run",
        "upgrade -c x.yaml --cluster",
        "version prepare 1.2.3",
        "version list",
        "status",
        "__complete nodes",
        "--no-color demo",
        "inspekt",
        "-c",
        "-qv inspect",
        "-- inspect",
        "--bogus inspect",
        "inspect --bogus",
        "",
        "--log-file /tmp/x status",
        "rollback --help",
      })
  void parsesLikeTheFullCommandLine(String line) {
    assertSameParse(line.isEmpty() ? new String[0] : line.split(" "));
  }

  @Test
  void buildsOnlyTheNamedSubcommand() {
    CommandLine lazy = Cli.commandLine(ENV, new String[] {"-c", "prod.yaml", "inspect", "-v"});
    assertEquals(List.of("inspect"), List.copyOf(lazy.getSubcommands().keySet()));
    assertSame(InspectCommand.class, lazy.getSubcommands().get("inspect").getCommand().getClass());
    assertEquals(
        HoistCommand.SUBCOMMANDS.size(),
        Cli.commandLine(ENV, new String[] {"--help"}).getSubcommands().size());
  }

  @Test
  void anUnclearCommandLineBuildsThemAll() {
    var root = new CommandLine(new HoistCommand()).getCommandSpec();
    for (String line :
        List.of("", "--help", "-- inspect", "-qv inspect", "inspekt", "--x inspect")) {
      assertNull(
          Cli.requestedSubcommand(root, line.isEmpty() ? new String[0] : line.split(" ")), line);
    }
  }

  @Property(tries = 500)
  void randomCommandLinesParseLikeTheFullOne(@ForAll("commandLines") List<String> args) {
    assertSameParse(args.toArray(String[]::new));
  }

  @Provide
  Arbitrary<List<String>> commandLines() {
    Arbitrary<String> word =
        Arbitraries.of(
            "inspect",
            "upgrade",
            "status",
            "version",
            "list",
            "prepare",
            "rollback",
            "finalize",
            "retire",
            "demo",
            "schema",
            "__complete",
            "-c",
            "--cluster-file",
            "-o",
            "json",
            "text",
            "-v",
            "-q",
            "--no-color",
            "--log-file",
            "x.yaml",
            "--",
            "--help",
            "-h",
            "--cluster",
            "--dry-run",
            "--max-parallel",
            "3",
            "--node",
            "n1",
            "-qv",
            "--output=json",
            "bogus",
            "--bogus",
            "1.2.3");
    return word.list().ofMinSize(0).ofMaxSize(6);
  }
}
