package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.config.ClusterSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaCommandTest {

  @TempDir Path home;
  @TempDir Path cwd;

  static Stream<List<String>> invocations() {
    return Stream.of(
        List.of("schema"),
        List.of("--output", "json", "schema"),
        List.of("schema", "--output", "text"),
        List.of("-q", "schema"));
  }

  @ParameterizedTest
  @MethodSource("invocations")
  void printsTheSchemaResourceByteForByte(List<String> args) throws IOException {
    CliRunner.Result result = new CliRunner(home, cwd).run(args.toArray(String[]::new));

    assertEquals(0, result.code(), result.toString());
    assertEquals(ClusterSchema.text(), result.out());
    assertEquals("", result.err());
    JsonNode schema = new ObjectMapper().readTree(result.out());
    assertEquals("urn:hoist:cluster-file:1", schema.path("$id").asText());
    assertTrue(schema.path("properties").has("nodes"), result.out());
  }

  @Test
  void needsNoClusterFileAndIgnoresABrokenOne() throws IOException {
    Files.writeString(cwd.resolve("cluster.yaml"), "cluster: [\n");
    CliRunner.Result result = new CliRunner(home, cwd).run("schema");

    assertEquals(0, result.code(), result.toString());
    assertEquals(ClusterSchema.text(), result.out());
  }
}
