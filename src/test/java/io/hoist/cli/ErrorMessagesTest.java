package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The messages of common failures say what happened, where (file:line:col, node, option) and what
 * to do, on stderr, without a stack trace.
 */
class ErrorMessagesTest {

  @TempDir Path root;
  private CliRunner cli;
  private Path file;

  @BeforeEach
  void cluster() throws IOException {
    Path home = Files.createDirectories(root.resolve("home"));
    cli = new CliRunner(home, root).env("HOIST_STATE_DIR", root.resolve("state").toString());
    Files.createDirectories(root.resolve("repo"));
    file = root.resolve("cluster.yaml");
    Files.writeString(
        file,
        "cluster: down\n"
            + "release: { repository: \"file:repo\", bundle: \"acme-${version}.tar.gz\" }\n"
            + "ssh: { user: hoist, known_hosts: "
            + home.resolve("known_hosts")
            + " }\n"
            + "layout: { home: /opt/acme }\n"
            + "roles: { db: {} }\n"
            + "nodes:\n"
            + "  - { name: far, host: 127.0.0.1, roles: [db], ssh: { port: 1 } }\n");
  }

  private void fails(int code, List<String> says, String... args) {
    CliRunner.Result result = cli.run(args);
    assertEquals(code, result.code(), result.toString());
    for (String text : says) {
      assertTrue(result.err().contains(text), "lacks '" + text + "'\n" + result);
    }
    assertFalse(result.err().contains("\tat "), "a stack trace\n" + result);
    assertEquals("", result.out(), result.toString());
  }

  @Test
  void aClusterFileThatIsNotThere() {
    Path missing = root.resolve("nope/cluster.yaml");
    fails(
        2,
        List.of(missing + ": no such file", "check the path given with -c or $HOIST_CLUSTER"),
        "-c",
        missing.toString(),
        "inspect");
  }

  @Test
  void aYamlSyntaxErrorAtItsLineAndColumn() throws IOException {
    Files.writeString(
        file, "cluster: x\nrelease: { repository: \"file:repo\"\nnodes:\n  - { name: a }\n");
    fails(
        2,
        List.of(file + ":3:1: YAML syntax: expected ',' or '}'", "nothing was done"),
        "-c",
        file.toString(),
        "inspect");
  }

  @Test
  void anUnknownNodeWithTheClosestOrTheList() {
    fails(
        2,
        List.of("no node 'faar' in cluster down (did you mean 'far'?)"),
        "-c",
        file + "",
        "inspect",
        "faar");
    fails(
        2, List.of("no node 'zzz' in cluster down; nodes: far"), "-c", file + "", "inspect", "zzz");
  }

  @Test
  void anUnreachableNodeNamesTheAddressAndWhatToCheck() {
    fails(
        3,
        List.of(
            "cannot read the running version of 1 node; nothing was changed",
            "far (hoist@127.0.0.1:1): Cannot reach node far at hoist@127.0.0.1:1",
            "Check the host, the port and that sshd runs there (ssh -p 1 hoist@127.0.0.1)",
            "Run 'hoist inspect' for details."),
        "-c",
        file + "",
        "upgrade",
        "--cluster",
        "--dry-run");
  }

  @Test
  void aBadTargetVersionSaysWhatAVersionLooksLike() {
    fails(
        2,
        List.of("--to: '1.x' is not a version (expected MAJOR.MINOR.PATCH such as 3.5.3)"),
        "-c",
        file + "",
        "upgrade",
        "--cluster",
        "--dry-run",
        "--to",
        "1.x");
  }

  @Test
  void statusWithoutARunSaysWhereRunsAreRecorded() {
    fails(
        2,
        List.of(
            "no run is recorded in " + root.resolve("state/runs") + " yet",
            "'hoist upgrade' and 'hoist rollback' record theirs there",
            "set HOIST_STATE_DIR to read them"),
        "-c",
        file + "",
        "status");
  }

  @Test
  void retireWithoutARetireCommandSaysWhereToAddOne() {
    fails(
        2,
        List.of(
            "no role of far has a retire command, nothing was drained",
            "give a role of each a retire command in the cluster file"),
        "-c",
        file + "",
        "retire",
        "far");
  }

  @Test
  void packingIntoAMissingRepositorySaysToCreateItOrNameAnother() {
    Path missing = root.resolve("nowhere");
    fails(
        2,
        List.of(
            "release repository " + missing + " does not exist",
            "create it, or name the repository directory with --into"),
        "version",
        "pack",
        root.resolve("repo").toString(),
        "--version",
        "1.0.0",
        "--product",
        "acme",
        "--into",
        missing.toString());
  }
}
