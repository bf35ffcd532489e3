package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class CliTest {

  @TempDir Path home;
  @TempDir Path cwd;
  CliRunner cli;

  @BeforeEach
  void setUp() {
    cli = new CliRunner(home, cwd);
  }

  static Stream<String> commands() {
    List<String> names = new ArrayList<>();
    collect(Cli.commandLine(GenerateDocs.fixedEnvironment()), names);
    return names.stream();
  }

  private static void collect(CommandLine commandLine, List<String> names) {
    if (commandLine.getCommandSpec().usageMessage().hidden()) {
      return;
    }
    names.add(commandLine.getCommandSpec().qualifiedName());
    commandLine.getSubcommands().values().forEach(sub -> collect(sub, names));
  }

  @ParameterizedTest
  @MethodSource("commands")
  void everyCommandHasHelpWithExamplesAndExitCodes(String qualifiedName) {
    List<String> args = new ArrayList<>(List.of(qualifiedName.split(" ")));
    args.remove(0);
    args.add("--help");
    CliRunner.Result result = cli.run(args.toArray(String[]::new));
    assertEquals(0, result.code(), result.toString());
    assertTrue(result.out().contains("Usage: " + qualifiedName), result.out());
    assertTrue(result.out().contains("Examples:"), result.out());
    String flat = result.out().replaceAll("\\s+", " ");
    for (ExitCode code : ExitCode.values()) {
      assertTrue(flat.contains(code.meaning()), qualifiedName + " lacks " + code);
    }
  }

  @Test
  void noCommandIsAUsageError() {
    CliRunner.Result result = cli.run();
    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("missing command"), result.err());
  }

  @Test
  void unknownCommandSuggestsTheClosest() {
    CliRunner.Result result = cli.run("inspct");
    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("inspect"), result.err());
  }

  @Test
  void versionNamesVersionAndCommit() {
    CliRunner.Result result = cli.run("--version");
    assertEquals(0, result.code(), result.toString());
    assertTrue(result.out().matches("(?s)hoist \\S+, commit \\S+.*"), result.out());
  }

  @Test
  void versionGroupWithoutSubcommandIsAUsageError() {
    CliRunner.Result result = cli.run("version");
    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("missing subcommand"), result.err());
  }

  @Test
  void upgradeWithoutYesOffATerminalIsRefusedBeforeReadingAnything() {
    CliRunner.Result result = cli.run("upgrade", "--cluster");
    assertEquals(2, result.code(), result.toString());
    assertTrue(
        result.err().contains("refusing to change nodes without confirmation: add --yes"),
        result.err());
  }

  @Test
  void upgradeNeedsNodesOrCluster() {
    CliRunner.Result result = cli.run("upgrade", "--dry-run");
    assertEquals(2, result.code(), result.toString());
  }

  @Test
  void missingClusterFileSaysWhatWasTried() {
    CliRunner.Result result = cli.run("inspect");
    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("cluster.yaml"), result.err());
    assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
  }

  @Test
  void configErrorsPrintFileLineColumnWithoutTrace() throws IOException {
    Path file = cwd.resolve("cluster.yaml");
    Files.writeString(
        file,
        """
        cluster: broken
        release: { repository: "file:/nowhere", bundle: "a-${version}.tgz" }
        layout: { home: /opt/acme }
        nodes:
          - { name: a, host: a.example, rolez: [x] }
        """);
    CliRunner.Result result = cli.run("inspect");
    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("cluster.yaml:5:"), result.err());
    assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
    CliRunner.Result verbose = cli.run("-v", "inspect");
    assertTrue(verbose.err().contains("\tat "), "trace with -v: " + verbose.err());
  }

  @Test
  void clusterFileFromEnvironmentVariable() throws IOException {
    Path file = home.resolve("elsewhere.yaml");
    Files.writeString(file, "cluster: [\n");
    CliRunner.Result result = cli.env("HOIST_CLUSTER", file.toString()).run("inspect");
    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("elsewhere.yaml"), result.err());
  }

  @Test
  void unknownNodeSuggestsTheClosest() throws IOException {
    Files.writeString(
        cwd.resolve("cluster.yaml"),
        """
        cluster: small
        release: { repository: "file:/nowhere", bundle: "a-${version}.tgz" }
        layout: { home: /opt/acme }
        nodes:
          - { name: dea-1, transport: local }
        """);
    CliRunner.Result result = cli.run("inspect", "dea-2");
    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("did you mean 'dea-1'"), result.err());
  }
}
