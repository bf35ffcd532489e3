package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The documented JSON shapes ({@code docs/json/NAME.schema.json}, JSON Schema 2020-12) and the
 * assertions every {@code --output json} test makes: stdout is exactly one JSON document, {@code
 * schema_version} 1 first, valid against the command's schema; stderr carries no JSON.
 */
final class JsonShapes {

  /** Where the schemas are: the project's docs/json (tests run in the project directory). */
  static final Path DIR = Path.of("docs", "json").toAbsolutePath();

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

  private JsonShapes() {}

  /**
   * The schema {@code docs/json/NAME.schema.json}, loaded by its file URI (relative $refs work).
   */
  static JsonSchema schema(String name) {
    return SCHEMAS.computeIfAbsent(
        name,
        n -> {
          Path file = DIR.resolve(n + ".schema.json");
          assertTrue(Files.isRegularFile(file), "no schema " + file);
          return FACTORY.getSchema(SchemaLocation.of(file.toUri().toString()));
        });
  }

  /** The problems of {@code json} against schema NAME; empty when it conforms. */
  static Set<ValidationMessage> problems(String name, JsonNode json) {
    return schema(name).validate(json);
  }

  /** Asserts {@code json} conforms to schema NAME. */
  static void assertConforms(String name, JsonNode json) {
    Set<ValidationMessage> problems = problems(name, json);
    assertTrue(
        problems.isEmpty(),
        () -> name + ".schema.json: " + problems + "\nin\n" + json.toPrettyString());
  }

  /**
   * Asserts the command's stdout is exactly one JSON document, with {@code schema_version} 1 as its
   * first field, conforming to schema NAME, and that stderr holds no JSON document.
   *
   * @return the document
   */
  static JsonNode assertDocument(String name, String stdout, String stderr, String context) {
    JsonNode json = single(stdout, context);
    Iterator<String> fields = json.fieldNames();
    assertTrue(fields.hasNext(), context);
    assertEquals("schema_version", fields.next(), "schema_version first\n" + context);
    assertEquals(1, json.get("schema_version").asInt(), context);
    assertFalse(stderr.contains("\"schema_version\""), "JSON on stderr\n" + context);
    Set<ValidationMessage> problems = problems(name, json);
    assertTrue(problems.isEmpty(), () -> name + ".schema.json: " + problems + "\n" + context);
    return json;
  }

  /** {@link #assertDocument} for an in-process run. */
  static JsonNode assertDocument(String name, CliRunner.Result result) {
    return assertDocument(name, result.out(), result.err(), result.toString());
  }

  /** Asserts an in-process run failed with exit {@code code} and an error document of its kind. */
  static JsonNode assertError(CliRunner.Result result, int code, String kind) {
    assertEquals(code, result.code(), result.toString());
    JsonNode json = assertDocument("error", result);
    assertEquals(code, json.at("/error/code").asInt(), result.toString());
    assertEquals(kind, json.at("/error/kind").asText(), result.toString());
    // The same message went to stderr, as text.
    String first = json.at("/error/message").asText().lines().findFirst().orElseThrow();
    assertTrue(result.err().contains(first), result.toString());
    return json;
  }

  /** The one JSON document {@code text} holds: fails on none, on two, or on trailing text. */
  static JsonNode single(String text, String context) {
    try (JsonParser parser = MAPPER.createParser(text)) {
      JsonNode json = MAPPER.readTree(parser);
      assertNotNull(json, "no JSON document on stdout\n" + context);
      assertTrue(json.isObject(), "not an object\n" + context);
      assertNull(parser.nextToken(), "more than one JSON document on stdout\n" + context);
      return json;
    } catch (IOException e) {
      throw new UncheckedIOException("stdout is not one JSON document\n" + context, e);
    }
  }
}
