package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.demo.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command's {@code --output json} against its documented shape ({@code docs/json/}), in
 * process, on the demo's local cluster: successes, failures that still print the command's result,
 * and errors (one error document). Each time stdout holds exactly one JSON document.
 */
class JsonShapesTest {

  /** The schema of each runnable command's result (besides error.schema.json for its errors). */
  static final Map<String, List<String>> SCHEMAS =
      Map.ofEntries(
          Map.entry("hoist inspect", List.of("inspect")),
          Map.entry("hoist upgrade", List.of("upgrade", "plan", "upgrade-prepare-only")),
          Map.entry("hoist rollback", List.of("rollback", "plan")),
          Map.entry("hoist retire", List.of("retire")),
          Map.entry("hoist finalize", List.of("finalize")),
          Map.entry("hoist status", List.of("status")),
          Map.entry("hoist demo", List.of("demo")),
          Map.entry("hoist version pack", List.of("version-pack")),
          Map.entry("hoist version get", List.of("version-get")),
          Map.entry("hoist version list", List.of("version-list")),
          Map.entry("hoist version prepare", List.of("version-prepare")));

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
  void everyRunnableCommandHasASchemaAndEverySchemaIsUsed() throws IOException {
    List<String> runnable = new ArrayList<>();
    collect(Cli.commandLine(GenerateDocs.fixedEnvironment()), runnable);
    assertEquals(new TreeSet<>(SCHEMAS.keySet()), new TreeSet<>(runnable));
    Set<String> used = new TreeSet<>(List.of("error"));
    SCHEMAS.values().forEach(used::addAll);
    Set<String> files = new TreeSet<>();
    try (Stream<Path> list = Files.list(JsonShapes.DIR)) {
      list.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".schema.json"))
          .forEach(n -> files.add(n.substring(0, n.length() - ".schema.json".length())));
    }
    assertEquals(used, files);
    String readme = Files.readString(JsonShapes.DIR.resolve("README.md"));
    files.forEach(f -> assertTrue(readme.contains(f + ".schema.json"), "README lacks " + f));
  }

  private static void collect(CommandLine commandLine, List<String> names) {
    String name = commandLine.getCommandSpec().qualifiedName();
    // Hidden commands are not for people; `hoist schema` prints a JSON Schema, which is its shape
    // (SchemaCommandTest checks it).
    if (commandLine.getCommandSpec().usageMessage().hidden() || name.equals("hoist schema")) {
      return;
    }
    if (commandLine.getSubcommands().isEmpty()) {
      names.add(commandLine.getCommandSpec().qualifiedName());
    }
    commandLine.getSubcommands().values().forEach(sub -> collect(sub, names));
  }

  @Test
  void everySchemaIsAValidDraft202012SchemaWithClosedObjects() throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    try (Stream<Path> list = Files.list(JsonShapes.DIR)) {
      for (Path file : list.filter(p -> p.toString().endsWith(".schema.json")).toList()) {
        JsonNode schema = mapper.readTree(file.toFile());
        assertEquals(
            "https://json-schema.org/draft/2020-12/schema",
            schema.path("$schema").asText(),
            file.toString());
        assertTrue(schema.hasNonNull("description"), file + " has no description");
        assertTrue(
            com.networknt.schema.JsonSchemaFactory.getInstance(
                    com.networknt.schema.SpecVersion.VersionFlag.V202012)
                .getSchema(
                    com.networknt.schema.SchemaLocation.of(
                        "https://json-schema.org/draft/2020-12/schema"))
                .validate(schema)
                .isEmpty(),
            file + " is not a valid JSON Schema");
        assertClosed(schema, file.getFileName().toString());
      }
    }
  }

  @Test
  void theReadmesExamplesMatchTheirSchemas() throws IOException {
    String readme = Files.readString(JsonShapes.DIR.resolve("README.md"));
    java.util.regex.Matcher example =
        java.util.regex.Pattern.compile(
                "(?m)^## ([^\\n]+)\n\n```json\n(.*?)^```", java.util.regex.Pattern.DOTALL)
            .matcher(readme);
    Set<String> shown = new TreeSet<>();
    while (example.find()) {
      // "upgrade (and rollback)" -> upgrade, "upgrade --prepare-only" -> upgrade-prepare-only
      String schema =
          example.group(1).replaceAll(" \\(.*", "").replace(" --", "-").replace(' ', '-');
      JsonShapes.assertConforms(schema, JsonShapes.single(example.group(2), schema));
      shown.add(schema);
    }
    Set<String> all = new TreeSet<>(List.of("error"));
    SCHEMAS.values().forEach(all::addAll);
    all.remove("rollback"); // the upgrade shape, shown once
    assertEquals(all, shown);
  }

  /** Every object shape with properties forbids others, and every property is described. */
  private static void assertClosed(JsonNode node, String where) {
    if (node.isObject()) {
      if (node.has("properties")) {
        assertEquals(
            "false", node.path("additionalProperties").asText(), where + " is open to any key");
        node.get("properties")
            .properties()
            .forEach(
                p ->
                    assertTrue(
                        p.getValue().has("description") || p.getValue().has("$ref"),
                        where + "/" + p.getKey() + " has no description"));
      }
      node.properties().forEach(e -> assertClosed(e.getValue(), where + "/" + e.getKey()));
    } else if (node.isArray()) {
      node.forEach(n -> assertClosed(n, where));
    }
  }

  @Test
  void inspectPassingAndFailing() throws IOException {
    JsonNode ok = JsonShapes.assertDocument("inspect", run(0, "--output", "json", "inspect"));
    assertTrue(ok.get("ok").asBoolean());

    Files.delete(sandbox.home("db-1").resolve("state/running"));
    // The output option is inherited: after the command's name too.
    JsonNode failed =
        JsonShapes.assertDocument("inspect", run(3, "inspect", "--output", "json", "db-1"));
    assertFalse(failed.get("ok").asBoolean());
    assertEquals("fail", failed.at("/nodes/0/checks/3/status").asText(), failed.toPrettyString());
  }

  @Test
  void versionPackGetListAndPrepare() throws IOException {
    Path into = Files.createDirectories(root.resolve("packed"));
    JsonShapes.assertDocument(
        "version-pack",
        run(
            0,
            "--output",
            "json",
            "version",
            "pack",
            sandbox.root().resolve("build/2.0.0").toString(),
            "--version",
            "3.0.0",
            "--product",
            "acme",
            "--into",
            into.toString()));
    JsonShapes.assertDocument("version-get", run(0, "--output", "json", "version", "get", "1.1.0"));
    JsonShapes.assertDocument("version-list", run(0, "--output", "json", "version", "list"));
    JsonNode prepared =
        JsonShapes.assertDocument(
            "version-prepare", run(0, "--output", "json", "version", "prepare", "1.1.0"));
    assertEquals(6, prepared.at("/summary/staged").asInt(), prepared.toPrettyString());
    JsonNode again =
        JsonShapes.assertDocument(
            "version-prepare", run(0, "--output", "json", "version", "prepare", "1.1.0", "db-1"));
    assertEquals("already-staged", again.at("/nodes/0/status").asText());
  }

  @Test
  void planAndPrepareOnlyOfTwoHopsAreOneObjectEach() {
    JsonNode plan =
        JsonShapes.assertDocument(
            "plan", run(0, "--output", "json", "upgrade", "--cluster", "--dry-run"));
    assertEquals(2, plan.get("hops").size());
    assertFalse(plan.get("rollback").asBoolean());

    JsonNode prepared =
        JsonShapes.assertDocument(
            "upgrade-prepare-only",
            run(0, "--output", "json", "upgrade", "--cluster", "--prepare-only"));
    assertEquals(2, prepared.get("prepared").size(), prepared.toPrettyString());
    assertEquals("1.1.0", prepared.at("/prepared/0/version").asText());
    assertEquals("2.0.0", prepared.at("/prepared/1/version").asText());
  }

  @Test
  void upgradeStatusRollbackAndTheirNothingToDoCases() {
    JsonNode upgraded =
        JsonShapes.assertDocument(
            "upgrade",
            run(0, "--output", "json", "upgrade", "--cluster", "--yes", "--to", "1.1.0"));
    assertEquals("Every node is at 1.1.0.", upgraded.get("message").asText());
    assertEquals(6, upgraded.get("nodes").size());
    assertEquals(1, upgraded.get("staged").size());

    JsonNode nothing =
        JsonShapes.assertDocument(
            "upgrade",
            run(0, "--output", "json", "upgrade", "--cluster", "--yes", "--to", "1.1.0"));
    assertEquals("already-at-target", nothing.at("/nodes/0/state").asText());
    assertTrue(nothing.get("ok").asBoolean());

    JsonNode finished =
        JsonShapes.assertDocument(
            "upgrade", run(0, "--output", "json", "upgrade", "--resume", "--yes"));
    assertTrue(finished.get("message").asText().contains("Nothing to resume"), finished.toString());

    JsonShapes.assertDocument("status", run(0, "--output", "json", "status"));

    JsonNode plan =
        JsonShapes.assertDocument(
            "plan", run(0, "--output", "json", "rollback", "--cluster", "--dry-run"));
    assertTrue(plan.get("rollback").asBoolean());

    JsonNode rolledBack =
        JsonShapes.assertDocument(
            "rollback", run(0, "--output", "json", "rollback", "--cluster", "--yes"));
    assertTrue(rolledBack.get("rollback").asBoolean());
    assertEquals("rolled-back", rolledBack.at("/nodes/0/state").asText());

    JsonNode status = JsonShapes.assertDocument("status", run(0, "--output", "json", "status"));
    assertEquals("rollback", status.get("command").asText());

    JsonNode none =
        JsonShapes.assertDocument(
            "rollback",
            run(0, "--output", "json", "rollback", "--cluster", "--yes", "--to", "1.0.0"));
    assertTrue(none.get("message").asText().startsWith("Nothing to roll back"), none.toString());
  }

  @Test
  void aFailedUpgradePrintsItsResultAndNoErrorDocument() throws IOException {
    sandbox.failHealthAt("router-1");

    CliRunner.Result result =
        cli.run(
            "-c",
            sandbox.clusterFile().toString(),
            "--output",
            "json",
            "upgrade",
            "router-1",
            "--yes",
            "--to",
            "1.1.0");

    assertEquals(4, result.code(), result.toString());
    JsonNode json = JsonShapes.assertDocument("upgrade", result);
    assertEquals(4, json.get("exit_code").asInt());
    assertEquals("failed-rolled-back", json.at("/nodes/0/state").asText(), json.toPrettyString());
    assertEquals("post-validate", json.at("/nodes/0/failed_phase").asText());
  }

  @Test
  void retireDrainedAndFailed() throws IOException {
    Path file = sandbox.clusterFile();
    String yaml = Files.readString(file);
    Files.writeString(
        file,
        yaml.replace(
            "router:  { max_parallel: 2 }",
            "router:  { max_parallel: 2, retire: \"test ! -f ${home}/stuck\", rejoin: \"true\" }"));
    JsonNode drained =
        JsonShapes.assertDocument("retire", run(0, "--output", "json", "retire", "router-1"));
    assertEquals("drained", drained.at("/nodes/0/state").asText());

    Files.writeString(sandbox.home("router-2").resolve("stuck"), "");
    JsonNode failed =
        JsonShapes.assertDocument(
            "retire",
            run(5, "--output", "json", "retire", "router-2", "router-1", "--timeout", "1s"));
    assertEquals("failed", failed.at("/nodes/0/state").asText());
    assertEquals("not-started", failed.at("/nodes/1/state").asText());
  }

  @Test
  void upgradedNotFinalizedThenFinalizeThenARefusedRollback() throws IOException {
    Path file = sandbox.clusterFile();
    String yaml = Files.readString(file);
    String withFinalize =
        yaml.replace(
            "router:  { max_parallel: 2 }",
            "router:  { max_parallel: 2, finalize: \"test ! -f ${home}/no-finalize\" }");
    assertFalse(yaml.equals(withFinalize), "the sandbox's router role changed: " + yaml);
    Files.writeString(file, withFinalize);

    JsonNode upgraded =
        JsonShapes.assertDocument(
            "upgrade",
            run(0, "--output", "json", "upgrade", "--cluster", "--yes", "--to", "1.1.0"));
    assertFalse(upgraded.get("finalized").asBoolean(), upgraded.toPrettyString());
    assertEquals("router", upgraded.at("/finalize_pending/0").asText());
    JsonNode pending = JsonShapes.assertDocument("status", run(0, "--output", "json", "status"));
    assertFalse(pending.get("finalized").asBoolean(), pending.toPrettyString());

    JsonNode planned =
        JsonShapes.assertDocument("finalize", run(0, "--output", "json", "finalize", "--dry-run"));
    assertEquals("planned", planned.at("/steps/0/status").asText());

    Files.writeString(sandbox.home("router-2").resolve("no-finalize"), "");
    JsonNode failed =
        JsonShapes.assertDocument("finalize", run(5, "--output", "json", "finalize", "--yes"));
    assertFalse(failed.get("finalized").asBoolean());
    Files.delete(sandbox.home("router-2").resolve("no-finalize"));
    JsonNode done =
        JsonShapes.assertDocument("finalize", run(0, "--output", "json", "finalize", "--yes"));
    assertTrue(done.get("finalized").asBoolean(), done.toPrettyString());
    JsonNode status = JsonShapes.assertDocument("status", run(0, "--output", "json", "status"));
    assertTrue(status.get("finalized").asBoolean(), status.toPrettyString());

    JsonShapes.assertError(
        cliRun("--output", "json", "rollback", "--cluster", "--yes"), 3, "validation");
    JsonShapes.assertError(cliRun("--output", "json", "finalize", "--yes"), 3, "validation");
  }

  @Test
  void demoIsOneDocumentHoldingEachStepsOwn() {
    CliRunner.Result result =
        cli.run("--output", "json", "demo", "--dir", root.resolve("demo").toString());

    assertEquals(0, result.code(), result.toString());
    JsonNode demo = JsonShapes.assertDocument("demo", result);
    List<String> expected =
        List.of("inspect", "plan", "upgrade-prepare-only", "upgrade", "status", "version-list");
    assertEquals(expected.size(), demo.get("steps").size());
    for (int i = 0; i < expected.size(); i++) {
      JsonNode step = demo.get("steps").get(i);
      assertEquals(0, step.get("exit_code").asInt(), step.toString());
      JsonShapes.assertConforms(expected.get(i), step.get("result"));
    }
    assertFalse(Files.exists(root.resolve("demo")), "the sandbox was removed");
  }

  @Test
  void errorsBeforeAResultAreOneErrorDocument() throws IOException {
    Path broken = root.resolve("broken.yaml");
    Files.writeString(broken, "cluster: demo\nnodes: [\n");
    JsonNode config =
        JsonShapes.assertError(
            cli.run("-c", broken.toString(), "--output", "json", "inspect"), 2, "config");
    assertEquals(broken.toString(), config.at("/error/problems/0/file").asText());
    assertTrue(config.at("/error/problems/0/line").asInt() > 0, config.toPrettyString());

    JsonShapes.assertError(
        cli.run("-c", root.resolve("missing.yaml").toString(), "-o", "json", "inspect"),
        2,
        "config");
    JsonShapes.assertError(cliRun("-o", "json", "upgrade", "db-9", "--dry-run"), 2, "usage");
    JsonShapes.assertError(
        cliRun("--output", "json", "upgrade", "--cluster", "--dry-run", "--to", "2.x"), 2, "usage");
    JsonShapes.assertError(cliRun("--output", "json", "status"), 2, "usage");
    JsonShapes.assertError(
        cliRun("--output", "json", "upgrade", "--cluster", "--dry-run", "--to", "9.9.9"),
        3,
        "validation");
    // Parse errors, also when --output comes after the word picocli stopped at.
    JsonShapes.assertError(cliRun("inspect", "--bogus", "--output", "json"), 2, "usage");
    JsonShapes.assertError(cliRun("-ojson", "inspct"), 2, "usage");
    JsonShapes.assertError(cliRun("--output=json", "version"), 2, "usage");

    // A lock left by a run that is gone: refused, with the owner named.
    Path locks = Files.createDirectories(root.resolve("state/locks"));
    Files.writeString(
        locks.resolve("demo.owner"),
        "{\"host\":\"core\",\"pid\":2147483647,\"user\":\"admin\","
            + "\"started\":\"2026-11-21T02:00:00Z\",\"command\":\"hoist upgrade --cluster\"}\n");
    JsonShapes.assertError(cliRun("--output", "json", "version", "prepare", "1.1.0"), 6, "locked");
  }

  @Test
  void textModeWritesNoJsonAnywhere() {
    CliRunner.Result result = cliRun("upgrade", "db-9", "--dry-run");
    assertEquals(2, result.code(), result.toString());
    assertEquals("", result.out());
    assertFalse(result.err().contains("schema_version"), result.toString());
  }

  private CliRunner.Result cliRun(String... args) {
    List<String> all = new ArrayList<>(List.of("-c", sandbox.clusterFile().toString()));
    all.addAll(List.of(args));
    return cli.run(all.toArray(String[]::new));
  }

  private CliRunner.Result run(int code, String... args) {
    List<String> all = new ArrayList<>(List.of("-c", sandbox.clusterFile().toString()));
    all.addAll(List.of(args));
    CliRunner.Result result = cli.run(all.toArray(String[]::new));
    assertEquals(code, result.code(), result.toString());
    return result;
  }
}
