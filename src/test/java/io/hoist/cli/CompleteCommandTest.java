package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.hoist.demo.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoist __complete}: the words the shell completion offers, from the real cluster file. */
class CompleteCommandTest {

  @TempDir Path root;
  private CliRunner cli;
  private Sandbox sandbox;

  @BeforeEach
  void sandbox() throws IOException {
    sandbox = Sandbox.create(root.resolve("sandbox"));
    cli =
        new CliRunner(Files.createDirectories(root.resolve("home")), root)
            .env("HOIST_STATE_DIR", root.resolve("state").toString());
  }

  @Test
  void nodesAreTheClusterFilesNodesInFileOrder() {
    CliRunner.Result result = complete("nodes");

    assertEquals(0, result.code(), result.toString());
    assertEquals(List.copyOf(Sandbox.NODES.keySet()), lines(result));
    assertEquals("", result.err());
  }

  @Test
  void rolesAreTheDeclaredAndOrderedRolesEachOnce() {
    List<String> roles = lines(complete("roles"));

    assertEquals(List.of("controller", "primary", "router"), roles.stream().sorted().toList());
  }

  @Test
  void runsAreTheRecordedRunIds() {
    assertEquals(List.of(), lines(complete("runs")));
    CliRunner.Result upgrade =
        cli.run(
            "-c",
            sandbox.clusterFile().toString(),
            "upgrade",
            "--cluster",
            "--yes",
            "--to",
            "1.1.0");
    assertEquals(0, upgrade.code(), upgrade.toString());

    List<String> runs = lines(complete("runs"));

    assertEquals(1, runs.size(), runs.toString());
    assertEquals(runs.get(0), runs.get(0).replaceAll("[^0-9A-Za-z-]", ""), "a bare run id");
  }

  @Test
  void aClusterFileThatCannotBeReadGivesNoWordsAndNoError() throws IOException {
    Path broken = Files.writeString(root.resolve("broken.yaml"), "cluster: [unclosed\n");
    for (Path file : List.of(broken, root.resolve("missing.yaml"))) {
      CliRunner.Result result = cli.run("__complete", "nodes", "-c", file.toString());

      assertEquals(0, result.code(), result.toString());
      assertEquals("", result.out());
      assertEquals("", result.err());
    }
  }

  @Test
  void itIsHiddenFromHelp() {
    CliRunner.Result help = cli.run("--help");

    assertFalse(help.out().contains("__complete"), help.out());
  }

  private CliRunner.Result complete(String kind) {
    return cli.run("__complete", kind, "-c", sandbox.clusterFile().toString());
  }

  private static List<String> lines(CliRunner.Result result) {
    return result.out().lines().filter(line -> !line.isBlank()).toList();
  }
}
