package io.hoist.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.AnnotationKeyword;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.ValidationMessage;
import io.hoist.config.YamlNode.Mapping;
import io.hoist.config.YamlNode.Scalar;
import io.hoist.config.YamlNode.Sequence;
import io.hoist.demo.Sandbox;
import io.hoist.error.ConfigException;
import io.hoist.error.Problem;
import io.hoist.model.Cluster;
import io.hoist.model.HostKeyPolicy;
import io.hoist.model.KeyExchange;
import io.hoist.model.MaxStep;
import io.hoist.model.Node;
import io.hoist.model.Release;
import io.hoist.model.Role;
import io.hoist.model.SshSettings;
import io.hoist.model.Timeouts;
import io.hoist.model.TransportKind;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cluster file's JSON Schema agrees with the loader: the same keys in the same places, every
 * valid file valid for both, and files the loader rejects for a schema-level reason (unknown key,
 * wrong type, value outside its enumeration, syntax or range, missing key) rejected by both.
 */
class ClusterSchemaTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * Where each key list of {@link ClusterBinder} is in the schema: the JSON pointers of the objects
   * whose {@code properties} must be exactly that list.
   */
  private static final Map<String, List<String>> SECTIONS =
      Map.ofEntries(
          Map.entry("TOP_KEYS", List.of("")),
          Map.entry("RELEASE_KEYS", List.of("/properties/release")),
          Map.entry("UPGRADE_PATH_KEYS", List.of("/$defs/upgrade-path")),
          Map.entry("SSH_KEYS", List.of("/$defs/ssh")),
          Map.entry("LAYOUT_KEYS", List.of("/$defs/layout")),
          Map.entry("ROLE_KEYS", List.of("/$defs/role")),
          Map.entry("COMMAND_KEYS", List.of("/$defs/commands", "/$defs/role-commands")),
          Map.entry("HEALTH_KEYS", List.of("/$defs/health", "/$defs/role-health")),
          Map.entry("CHECK_KEYS", List.of("/$defs/check")),
          Map.entry("BACKUP_KEYS", List.of("/properties/backup")),
          Map.entry("HOOK_KEYS", List.of("/properties/hooks")),
          Map.entry("TIMEOUT_KEYS", List.of("/properties/timeouts")),
          Map.entry("NODE_KEYS", List.of("/$defs/node")),
          Map.entry("FINALIZE_KEYS", List.of("/$defs/finalize")));

  /**
   * Keywords whose object values the walk does not enter: conditions only narrow the definitions
   * (they define no property), annotations hold instances, not schemas.
   */
  private static final Set<String> NOT_WALKED = Set.of("if", "then", "else", "default", "examples");

  private static final JsonNode SCHEMA_NODE = parse(ClusterSchema.text());

  @TempDir Path dir;

  private static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new AssertionError("the schema is not JSON: " + e.getMessage(), e);
    }
  }

  /**
   * The 2020-12 factory, told that {@code patternErrorMessage} (the message editors built on
   * vscode-json-languageservice show for a failed pattern) is an annotation, not an unknown word.
   */
  private static JsonSchemaFactory factory() {
    JsonMetaSchema meta =
        JsonMetaSchema.builder(JsonMetaSchema.getV202012())
            .keyword(new AnnotationKeyword("patternErrorMessage"))
            .build();
    return JsonSchemaFactory.getInstance(VersionFlag.V202012, b -> b.metaSchema(meta));
  }

  private static SchemaValidatorsConfig config() {
    return SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();
  }

  private static JsonSchema compile(JsonNode schema) {
    return factory().getSchema(schema, config());
  }

  /**
   * Compiled on first use, so that a schema that does not compile fails only the tests using it.
   */
  private static final class Compiled {
    static final JsonSchema SCHEMA = compile(SCHEMA_NODE);
  }

  private static Set<ValidationMessage> validate(JsonNode instance) {
    return Compiled.SCHEMA.validate(instance);
  }

  // ---- the file as the loader sees it, as JSON

  /** The file's YAML tree as the loader reads it (anchors and merge keys resolved), as JSON. */
  private static JsonNode read(Path file) {
    Problems problems = new Problems(file.toString());
    YamlNode root = YamlReader.read(file, problems);
    problems.throwIfAny();
    assertNotNull(root, "nothing read from " + file);
    return json(root);
  }

  private static JsonNode json(YamlNode node) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    if (node instanceof Mapping map) {
      ObjectNode object = nodes.objectNode();
      map.entries().forEach((key, entry) -> object.set(key, json(entry.value())));
      return object;
    }
    if (node instanceof Sequence seq) {
      return nodes.arrayNode().addAll(seq.items().stream().map(ClusterSchemaTest::json).toList());
    }
    Scalar scalar = (Scalar) node;
    String text = scalar.text();
    try {
      return switch (scalar.kind()) {
        case NULL -> nodes.nullNode();
        case STRING -> nodes.textNode(text);
        // As the binder reads a boolean.
        case BOOLEAN ->
            nodes.booleanNode(
                Set.of("true", "yes", "on", "y").contains(text.toLowerCase(Locale.ROOT)));
        case INTEGER -> nodes.numberNode(new BigInteger(text.replace("_", "")));
        case FLOAT -> nodes.numberNode(new BigDecimal(text.replace("_", "")));
      };
    } catch (NumberFormatException e) {
      throw new AssertionError("write numbers in decimal in test files, not " + text, e);
    }
  }

  private static JsonNode yaml(Path dir, String text) throws IOException {
    return read(Files.writeString(dir.resolve("cluster.yaml"), text));
  }

  private static String describe(Set<ValidationMessage> messages) {
    return messages.stream()
        .map(ValidationMessage::getMessage)
        .sorted()
        .collect(Collectors.joining("\n  ", "\n  ", ""));
  }

  // ---- the schema itself

  @Test
  void schemaIsADraft202012SchemaInAscii() {
    String text = ClusterSchema.text();
    assertTrue(text.endsWith("}\n"), "ends with one newline");
    assertTrue(
        StandardCharsets.US_ASCII.newEncoder().canEncode(text),
        "ASCII only, so that 'hoist schema > file' is the same file in every locale");
    assertEquals(
        "https://json-schema.org/draft/2020-12/schema", SCHEMA_NODE.path("$schema").asText());
    assertTrue(SCHEMA_NODE.path("$id").asText().startsWith("urn:hoist:"), "an id, not a URL");
    JsonSchema meta =
        factory()
            .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"), config());
    Set<ValidationMessage> problems = meta.validate(SCHEMA_NODE);
    assertTrue(problems.isEmpty(), "not a valid 2020-12 schema:" + describe(problems));
  }

  @Test
  void everyKeyListOfTheBinderHasItsPlaceInTheSchema() {
    Set<String> lists = new TreeSet<>();
    for (Field field : ClusterBinder.class.getDeclaredFields()) {
      if (field.getName().endsWith("_KEYS") && Modifier.isStatic(field.getModifiers())) {
        lists.add(field.getName());
      }
    }
    assertEquals(lists, new TreeSet<>(SECTIONS.keySet()), "ClusterBinder's *_KEYS vs SECTIONS");
  }

  static Stream<Arguments> sections() {
    return SECTIONS.entrySet().stream()
        .flatMap(e -> e.getValue().stream().map(pointer -> arguments(e.getKey(), pointer)));
  }

  @ParameterizedTest(name = "{0} at ''{1}''")
  @MethodSource("sections")
  void sectionHasExactlyTheKeysTheLoaderAccepts(String list, String pointer) throws Exception {
    @SuppressWarnings("unchecked")
    List<String> keys = (List<String>) ClusterBinder.class.getDeclaredField(list).get(null);
    JsonNode section = SCHEMA_NODE.at(pointer);
    assertFalse(section.isMissingNode(), "no " + pointer + " in the schema");
    Set<String> properties = new LinkedHashSet<>();
    section.path("properties").fieldNames().forEachRemaining(properties::add);
    Set<String> missing = new TreeSet<>(keys);
    missing.removeAll(properties);
    Set<String> extra = new TreeSet<>(properties);
    extra.removeAll(keys);
    assertTrue(
        missing.isEmpty() && extra.isEmpty(),
        pointer + ": the loader accepts " + missing + " too; the schema also has " + extra);
    assertEquals(
        List.copyOf(keys), List.copyOf(properties), pointer + ": keys in the loader's order");
    assertTrue(
        section.path("additionalProperties").isBoolean()
            && !section.path("additionalProperties").asBoolean(),
        pointer + ": the loader rejects unknown keys, so additionalProperties must be false");
  }

  @Test
  void everyObjectWithPropertiesInTheSchemaIsASectionOfTheLoader() {
    Set<String> objects = new TreeSet<>();
    walk(
        SCHEMA_NODE,
        "",
        (pointer, schema) -> {
          if (schema.has("properties")) {
            objects.add(pointer);
          }
        });
    Set<String> sections = new TreeSet<>();
    SECTIONS.values().forEach(sections::addAll);
    assertEquals(sections, objects, "the schema's objects with properties vs SECTIONS");
  }

  @Test
  void everyPropertyHasATitleAndADescription() {
    List<String> bare = new ArrayList<>();
    walk(
        SCHEMA_NODE,
        "",
        (pointer, schema) -> {
          boolean onlyARef = schema.size() == 1 && schema.has("$ref");
          if (pointer.matches(".*/(properties/[^/]+|items|\\$defs/[^/]+)")
              && !onlyARef
              && (schema.path("title").asText().isBlank()
                  || schema.path("description").asText().isBlank())) {
            bare.add(pointer);
          }
        });
    assertTrue(bare.isEmpty(), "no title or description (editors show them): " + bare);
  }

  /** Calls {@code visit} for every subschema but those of {@link #NOT_WALKED}, with its pointer. */
  private static void walk(JsonNode schema, String pointer, BiConsumer<String, JsonNode> visit) {
    if (!schema.isObject()) {
      return;
    }
    visit.accept(pointer, schema);
    for (Map.Entry<String, JsonNode> field : schema.properties()) {
      String key = field.getKey();
      String at = pointer + "/" + key;
      switch (key) {
        case "properties", "$defs" -> {
          for (Map.Entry<String, JsonNode> named : field.getValue().properties()) {
            walk(named.getValue(), at + "/" + named.getKey(), visit);
          }
        }
        case "items", "additionalProperties", "propertyNames" -> walk(field.getValue(), at, visit);
        default -> {
          if (!NOT_WALKED.contains(key) && field.getValue().isObject()) {
            fail("unexpected subschema keyword " + at + "; teach this walk about it");
          }
        }
      }
    }
  }

  @Test
  void kexNamesAreTheModelsInBothForms() {
    JsonNode kex = SCHEMA_NODE.at("/$defs/ssh/properties/kex");
    List<String> names = new ArrayList<>();
    kex.path("items").path("enum").forEach(name -> names.add(name.asText()));
    assertEquals(KeyExchange.SUPPORTED, names, "the list form's names, in the model's order");
    String one =
        KeyExchange.SUPPORTED.stream()
            .map(name -> name.replace(".", "\\."))
            .collect(Collectors.joining("|", "(", ")"));
    assertEquals(
        "^ *" + one + " *(, *" + one + " *)*$",
        kex.path("pattern").asText(),
        "the string form's names");
    assertTrue(
        kex.path("description").asText().contains(String.join(", ", KeyExchange.DEFAULT) + "."),
        "the description names the default");
  }

  // ---- valid files

  static Stream<Path> validFiles() throws IOException {
    List<Path> files = new ArrayList<>(List.of(Path.of("examples/cluster.yaml")));
    try (Stream<Path> list = Files.list(Path.of("src/test/resources/io/hoist/config/valid"))) {
      list.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(files::add);
    }
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFiles")
  void fileTheLoaderAcceptsIsValid(Path file) {
    assertNotNull(new ClusterLoader().load(file));
    Set<ValidationMessage> messages = validate(read(file));
    assertTrue(
        messages.isEmpty(),
        file + " is valid for hoist but not for the schema:" + describe(messages));
  }

  @Test
  void demoClusterFileIsValid() throws IOException {
    Path file = Sandbox.create(dir.resolve("demo")).clusterFile();
    assertNotNull(new ClusterLoader().load(file));
    Set<ValidationMessage> messages = validate(read(file));
    assertTrue(messages.isEmpty(), "the demo's cluster file:" + describe(messages));
  }

  // ---- invalid files

  /**
   * Lines 1 to 3 of the invalid files: valid with a node list; each case adds or changes one thing.
   */
  private static final String BASE =
      """
      cluster: c
      release: { repository: "file:/r", bundle: "p-${version}.tgz" }
      layout: { home: /opt/p }
      """;

  private static final String NODES = "nodes: [{ name: n, host: h }]\n";

  @Test
  void baseOfTheInvalidFilesIsValid() throws IOException {
    assertNotNull(new ClusterLoader().load(Files.writeString(dir.resolve("c.yaml"), BASE + NODES)));
    assertTrue(validate(yaml(dir, BASE + NODES)).isEmpty());
  }

  /**
   * Invalid files: the YAML, a fragment of the loader's problem and the JSON pointer where the
   * schema must report one (a missing key is reported at the object that lacks it).
   */
  static Stream<Arguments> invalidFiles() {
    return Stream.of(
        // unknown keys
        arguments(BASE + NODES + "timeout: { stop: 5s }\n", "unknown key 'timeout'", ""),
        arguments(
            BASE + NODES + "ssh: { knownhosts: x }\n", "unknown key 'ssh.knownhosts'", "/ssh"),
        arguments(
            BASE + "nodes: [{ name: n, host: h, rolez: [x] }]\n",
            "unknown key 'nodes[0].rolez'",
            "/nodes/0"),
        arguments(
            BASE + NODES + "roles: { db: { commands: { restart: x } } }\n",
            "unknown key 'roles.db.commands.restart'",
            "/roles/db/commands"),
        arguments(
            BASE + NODES + "commands: { health: { run: x, tries: 3 } }\n",
            "unknown key 'commands.health.tries'",
            "/commands/health"),
        // wrong types
        arguments("just a string\n", "a cluster file is a mapping", ""),
        arguments(BASE + NODES + "ssh: [a, b]\n", "'ssh' must be a mapping", "/ssh"),
        arguments(
            BASE + "nodes: [{ name: n, host: { a: 1 } }]\n",
            "'nodes[0].host' must be a string",
            "/nodes/0/host"),
        arguments(BASE + NODES + "ssh: { port: 22.5 }\n", "must be a whole number", "/ssh/port"),
        arguments(
            BASE + NODES + "roles: { db: { serial: \"true\" } }\n",
            "'roles.db.serial' must be true or false",
            "/roles/db/serial"),
        arguments(BASE + NODES + "roles: { db: x }\n", "'roles.db' must be a mapping", "/roles/db"),
        arguments(BASE + NODES + "checks: { name: a }\n", "'checks' must be a list", "/checks"),
        // enumerations
        arguments(
            BASE.replace("\" }", "\", max_step: minr }") + NODES,
            "must be one of any, major, minor, not 'minr'",
            "/release/max_step"),
        arguments(
            BASE + NODES + "ssh: { host_keys: yolo }\n",
            "must be one of accept-new, strict, not 'yolo'",
            "/ssh/host_keys"),
        arguments(
            BASE + "nodes: [{ name: n, transport: locale }]\n",
            "must be one of local, ssh, not 'locale'",
            "/nodes/0/transport"),
        arguments(
            BASE + NODES + "ssh: { kex: [curve25519-sha265] }\n",
            "unknown key exchange algorithm 'curve25519-sha265'",
            "/ssh/kex/0"),
        arguments(
            BASE + NODES + "ssh: { kex: \"curve25519-sha256,ecdh-sha2-nistp999\" }\n",
            "unknown key exchange algorithm 'ecdh-sha2-nistp999'",
            "/ssh/kex"),
        arguments(
            BASE
                + "nodes: [{ name: n, host: h, ssh: { kex: [curve25519-sha256, curve25519-sha256] } }]\n",
            "lists 'curve25519-sha256' twice",
            "/nodes/0/ssh/kex"),
        arguments(BASE + NODES + "ssh: { kex: [] }\n", "'ssh.kex' is empty", "/ssh/kex"),
        // durations, sizes and ranges
        arguments(
            BASE + NODES + "timeouts: { stop: 5x }\n", "'5x' is not a duration", "/timeouts/stop"),
        arguments(
            BASE + NODES + "roles: { r: { settle: -5s } }\n",
            "'-5s' is not a duration",
            "/roles/r/settle"),
        arguments(
            BASE + NODES + "ssh: { connect_timeout: 10m5m }\n",
            "'10m5m' is not a duration",
            "/ssh/connect_timeout"),
        arguments(
            BASE + NODES + "timeouts: { command: 0s }\n",
            "'timeouts.command' must be longer than 0s",
            "/timeouts/command"),
        arguments(
            BASE + NODES + "checks: [{ name: a, run: x, timeout: 0 }]\n",
            "'checks[0].timeout' must be longer than 0s",
            "/checks/0/timeout"),
        arguments(
            BASE + NODES + "timeouts: { start: 604801 }\n",
            "'timeouts.start' must be at most 7d",
            "/timeouts/start"),
        arguments(
            BASE + NODES + "ssh: { keepalive: 86401 }\n",
            "'ssh.keepalive' must be at most 1d",
            "/ssh/keepalive"),
        arguments(
            BASE.replace("/opt/p", "/opt/p, min_free: lots") + NODES,
            "'lots' is not a size",
            "/layout/min_free"),
        arguments(
            BASE.replace("/opt/p", "/opt/p, min_free: 1Ki") + NODES,
            "'1Ki' is not a size",
            "/layout/min_free"),
        arguments(
            BASE + "nodes: [{ name: n, host: h, ssh: { port: 70000 } }]\n",
            "'nodes[0].ssh.port' must be at most 65535",
            "/nodes/0/ssh/port"),
        arguments(
            BASE + NODES + "roles: { db: { max_parallel: 0 } }\n",
            "'roles.db.max_parallel' must be at least 1",
            "/roles/db/max_parallel"),
        arguments(
            BASE + NODES + "commands: { health: { run: x, retries: -1 } }\n",
            "'commands.health.retries' must be at least 0",
            "/commands/health/retries"),
        arguments(
            BASE.replace("\" }", "\", keep: 101 }") + NODES,
            "'release.keep' must be at most 100",
            "/release/keep"),
        arguments(
            BASE + NODES + "backup: { keep: 1001 }\n",
            "'backup.keep' must be at most 1000",
            "/backup/keep"),
        arguments(
            BASE + NODES + "roles: { db: { serial: true, max_parallel: 3 } }\n",
            "'max_parallel' cannot be 3",
            "/roles/db/max_parallel"),
        // names, paths and templates
        arguments(
            BASE + "nodes: [{ name: \"db 1\", host: h }]\n",
            "is not a valid name",
            "/nodes/0/name"),
        arguments(BASE + NODES + "roles: { -db: }\n", "role '-db' is not a valid name", "/roles"),
        arguments(
            BASE + "nodes: [{ name: n, host: \"-oProxyCommand=x\" }]\n",
            "'nodes[0].host' must be a host name",
            "/nodes/0/host"),
        arguments(
            BASE + NODES + "secrets: [1TOKEN]\n",
            "is not an environment variable name",
            "/secrets/0"),
        arguments(
            BASE + NODES + "role_order: [a, b, a]\n",
            "role 'a' is listed twice in 'role_order'",
            "/role_order"),
        arguments(
            BASE.replace("file:/r", "ftp://r") + NODES,
            "'release.repository' must be file:/DIR",
            "/release/repository"),
        arguments(
            BASE.replace("p-${version}.tgz", "p.tgz") + NODES,
            "'release.bundle' must contain ${version}",
            "/release/bundle"),
        arguments(
            BASE.replace("p-${version}.tgz", "p-$${version}.tgz") + NODES,
            "'release.bundle' must contain ${version}",
            "/release/bundle"),
        arguments(
            BASE.replace("/opt/p", "opt/p") + NODES,
            "'layout.home' must be an absolute path",
            "/layout/home"),
        arguments(
            BASE.replace("\" }", "\", cache: cache/dir }") + NODES,
            "'release.cache' must be an absolute path",
            "/release/cache"),
        arguments(
            BASE + NODES + "backup: { paths: [\"${home}/data\", \"/x/${version}\"] }\n",
            "may use ${home} and ${node} only",
            "/backup/paths/1"),
        arguments(
            BASE + NODES + "backup: { paths: [data] }\n",
            "must hold absolute paths",
            "/backup/paths/0"),
        arguments(
            BASE + NODES + "commands: { version: \"cat ${hme}/VERSION\" }\n",
            "unknown variable '${hme}'",
            "/commands/version"),
        arguments(
            BASE + NODES + "commands: { stop: \"stop ${role}\" }\n",
            "'${role}' is only known in a role's commands",
            "/commands/stop"),
        arguments(
            BASE + NODES + "hooks: { after_cluster: \"systemctl stop ${unit\" }\n",
            "unclosed '${'",
            "/hooks/after_cluster"),
        arguments(
            BASE + NODES + "checks: [{ name: a, run: \"x ${Unit}\" }]\n",
            "'${Unit}' is not a variable name",
            "/checks/0/run"),
        // missing and empty
        arguments(BASE.replace("cluster: c\n", "") + NODES, "missing 'cluster'", ""),
        arguments(
            BASE.replace("cluster: c\n", "cluster:\n") + NODES, "'cluster' is empty", "/cluster"),
        arguments(
            BASE.replace("repository: \"file:/r\", ", "") + NODES,
            "missing 'release.repository'",
            "/release"),
        arguments(BASE, "missing 'nodes'", ""),
        arguments(BASE + "nodes: []\n", "'nodes' is empty", "/nodes"),
        arguments(BASE + "nodes: [~]\n", "empty entry in 'nodes'", "/nodes/0"),
        arguments(BASE + NODES + "secrets: [A, \" \"]\n", "empty entry in 'secrets'", "/secrets/1"),
        arguments(BASE + "nodes: [{ host: h }]\n", "missing 'nodes[0].name'", "/nodes/0"),
        arguments(
            BASE + "nodes: [{ name: n, roles: [] }]\n",
            "node 'n' is reached over SSH but has no 'host'",
            "/nodes/0"),
        arguments(
            BASE.replace("layout: { home: /opt/p }\n", "layout: { min_free: 1G }\n")
                + "nodes: [{ name: n, transport: local }]\n",
            "node 'n' has no layout.home",
            "/nodes/0"),
        arguments(BASE + NODES + "checks: [{ name: a }]\n", "missing 'checks[0].run'", "/checks/0"),
        arguments(
            BASE + NODES + "commands: { health: { retries: 3 } }\n",
            "missing 'commands.health.run'",
            "/commands/health"),
        arguments(
            BASE.replace("\" }", "\", upgrade_paths: [{ to: \"2\" }] }") + NODES,
            "missing 'release.upgrade_paths[0].from'",
            "/release/upgrade_paths/0"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("invalidFiles")
  void fileTheLoaderRejectsIsInvalid(String yaml, String problem, String pointer)
      throws IOException {
    Path file = Files.writeString(dir.resolve("cluster.yaml"), yaml);
    ConfigException e = assertThrows(ConfigException.class, () -> new ClusterLoader().load(file));
    assertTrue(
        e.problems().stream().map(Problem::message).anyMatch(m -> m.contains(problem)),
        "the loader's problems " + e.problems() + " lack: " + problem);
    Set<ValidationMessage> messages = validate(read(file));
    assertTrue(
        messages.stream().anyMatch(m -> m.getInstanceLocation().toString().equals(pointer)),
        "the schema reports nothing at '" + pointer + "':" + describe(messages));
  }

  // ---- defaults

  @Test
  void defaultsAreTheLoadersDefaults() throws IOException {
    Cluster cluster =
        new ClusterLoader()
            .load(
                Files.writeString(
                    dir.resolve("c.yaml"),
                    BASE + "roles: { r: }\ncommands: { health: x }\n" + NODES));
    Node node = cluster.node("n").orElseThrow();
    SshSettings ssh = node.ssh();
    Timeouts timeouts = cluster.timeouts();
    Role role = cluster.role("r").orElseThrow();
    Release release = cluster.release();
    assertEquals(
        release.maxStep(),
        MaxStep.valueOf(upper(defaultAt("/properties/release/properties/max_step"))));
    assertEquals(release.keep(), defaultAt("/properties/release/properties/keep").asInt());
    assertEquals(ssh.knownHosts(), defaultAt("/$defs/ssh/properties/known_hosts").asText());
    assertEquals(ssh.config(), defaultAt("/$defs/ssh/properties/config").asText());
    assertEquals(
        ssh.hostKeys(), HostKeyPolicy.valueOf(upper(defaultAt("/$defs/ssh/properties/host_keys"))));
    assertEquals(ssh.connectTimeout(), duration("/$defs/ssh/properties/connect_timeout"));
    assertEquals(ssh.keepalive(), duration("/$defs/ssh/properties/keepalive"));
    assertEquals(
        node.layout().minFreeBytes(),
        ByteSizes.parse(defaultAt("/$defs/layout/properties/min_free").asText()));
    assertEquals(role.serial(), defaultAt("/$defs/role/properties/serial").asBoolean());
    assertEquals(role.maxParallel(), defaultAt("/$defs/role/properties/max_parallel").asInt());
    assertEquals(role.settle(), duration("/$defs/role/properties/settle"));
    assertEquals(
        cluster.commands().version(), defaultAt("/$defs/commands/properties/version").asText());
    for (String health : List.of("/$defs/health", "/$defs/role-health")) {
      assertEquals(
          cluster.commands().health().retries(), defaultAt(health + "/properties/retries").asInt());
      assertEquals(
          cluster.commands().health().interval(), duration(health + "/properties/interval"));
    }
    assertEquals(cluster.backup().keep(), defaultAt("/properties/backup/properties/keep").asInt());
    assertEquals(timeouts.command(), duration("/properties/timeouts/properties/command"));
    assertEquals(timeouts.stop(), duration("/properties/timeouts/properties/stop"));
    assertEquals(timeouts.switchRelease(), duration("/properties/timeouts/properties/switch"));
    assertEquals(timeouts.start(), duration("/properties/timeouts/properties/start"));
    assertEquals(
        node.transport(),
        TransportKind.valueOf(upper(defaultAt("/$defs/node/properties/transport"))));
  }

  private static JsonNode defaultAt(String pointer) {
    JsonNode value = SCHEMA_NODE.at(pointer + "/default");
    assertFalse(value.isMissingNode(), "no default at " + pointer);
    return value;
  }

  private static Duration duration(String pointer) {
    return Durations.parse(defaultAt(pointer).asText());
  }

  private static String upper(JsonNode value) {
    return value.asText().toUpperCase(Locale.ROOT).replace('-', '_');
  }
}
