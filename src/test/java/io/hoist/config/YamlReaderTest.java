package io.hoist.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.hoist.config.YamlNode.Mapping;
import io.hoist.config.YamlNode.Scalar;
import io.hoist.config.YamlNode.ScalarKind;
import io.hoist.config.YamlNode.Sequence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class YamlReaderTest {

  @TempDir Path dir;

  private YamlNode read(String yaml, Problems problems) throws IOException {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, yaml);
    return YamlReader.read(file, problems);
  }

  @Test
  void scalarsKnowTheirPositionStyleAndWrittenText() throws IOException {
    Problems problems = new Problems("c.yaml");
    Mapping root =
        (Mapping)
            read("a: 3.10\nb: \"x\"\nc:\n  - plain ${x}\n  - |\n    block\nd:\ne: 22\n", problems);
    assertTrue(problems.isEmpty());
    Scalar a = (Scalar) root.entries().get("a").value();
    assertEquals("3.10", a.text());
    assertEquals(ScalarKind.FLOAT, a.kind());
    assertEquals(new Mark(1, 4), a.mark());
    assertTrue(a.plainSingleLine());
    Scalar b = (Scalar) root.entries().get("b").value();
    assertEquals(new Mark(2, 4), b.mark());
    assertFalse(b.plainSingleLine());
    Sequence c = (Sequence) root.entries().get("c").value();
    assertEquals(new Mark(4, 5), c.items().get(0).mark());
    assertTrue(((Scalar) c.items().get(0)).plainSingleLine());
    assertFalse(((Scalar) c.items().get(1)).plainSingleLine());
    Scalar d = (Scalar) root.entries().get("d").value();
    assertTrue(d.isNull());
    assertEquals(new Mark(7, 1), d.mark());
    assertEquals(ScalarKind.INTEGER, ((Scalar) root.entries().get("e").value()).kind());
    assertEquals(new Mark(8, 1), root.entries().get("e").keyMark());
  }

  @Test
  void aliasesAndMergeKeysAreResolved() throws IOException {
    Problems problems = new Problems("c.yaml");
    Mapping root =
        (Mapping) read("base: &b {port: 22, user: u}\nnode:\n  <<: *b\n  port: 2222\n", problems);
    assertTrue(problems.isEmpty());
    Mapping node = (Mapping) root.entries().get("node").value();
    assertEquals("2222", ((Scalar) node.entries().get("port").value()).text());
    assertEquals("u", ((Scalar) node.entries().get("user").value()).text());
  }

  @Test
  void secondDocumentIsAProblem() throws IOException {
    Problems problems = new Problems("c.yaml");
    assertNotNull(read("a: 1\n---\nb: 2\n", problems));
    assertFalse(problems.isEmpty());
  }

  @Test
  void flowMappingStartsAtItsBrace() throws IOException {
    Problems problems = new Problems("c.yaml");
    Mapping root = (Mapping) read("ssh: { port: 22 }\n", problems);
    assertInstanceOf(Mapping.class, root.entries().get("ssh").value());
    assertEquals(new Mark(1, 6), root.entries().get("ssh").value().mark());
  }

  static Stream<Arguments> taggedAndAnchoredScalars() {
    return Stream.of(
        arguments("a: !!str x ${nope}", 1, 10, true),
        arguments("a: &x plain ${nope}", 1, 7, true),
        arguments("a: &x \"quoted ${nope}\"", 1, 7, false),
        arguments("a: &x 'quoted'", 1, 7, false),
        arguments("a: !!str &x 'q'", 1, 13, false),
        arguments("a: &x !!str \"q\"", 1, 13, false),
        arguments("a: !<tag:yaml.org,2002:str> x", 1, 29, true),
        arguments("a: !!str |\n  block", 1, 10, false),
        arguments("a: !!str\n  next line", 2, 3, true),
        arguments("a: &x  # why\n  \"next line\"", 2, 3, false));
  }

  @ParameterizedTest
  @MethodSource("taggedAndAnchoredScalars")
  void taggedAndAnchoredScalarsStartAtTheirContent(String yaml, int line, int column, boolean plain)
      throws IOException {
    Problems problems = new Problems("c.yaml");
    Mapping root = (Mapping) read(yaml + "\n", problems);
    assertTrue(problems.isEmpty());
    Scalar a = (Scalar) root.entries().get("a").value();
    assertEquals(new Mark(line, column), a.mark());
    assertEquals(plain, a.plainSingleLine());
  }

  @Test
  void anchoredItemsAndCollectionsStartAtTheirContent() throws IOException {
    Problems problems = new Problems("c.yaml");
    Mapping root =
        (Mapping) read("a: &m { b: [&x  y, !!str   z] }\nc:\n  - &i x\nd: &s\n  - 1\n", problems);
    assertTrue(problems.isEmpty());
    Mapping a = (Mapping) root.entries().get("a").value();
    assertEquals(new Mark(1, 7), a.mark());
    Sequence b = (Sequence) a.entries().get("b").value();
    assertEquals(new Mark(1, 17), b.items().get(0).mark());
    assertEquals(new Mark(1, 28), b.items().get(1).mark());
    assertEquals(
        new Mark(3, 8), ((Sequence) root.entries().get("c").value()).items().get(0).mark());
    assertEquals(new Mark(5, 3), root.entries().get("d").value().mark());
  }
}
