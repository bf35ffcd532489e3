package io.hoist.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeMarkerTest {

  private static final NodeMarker MARKER =
      new NodeMarker(
          "20261121T193012Z-2", "admin-1.acme.internal", "2026-11-21T19:30:12Z", "upgrade");

  @TempDir Path home;

  @Test
  void formatIsKeyValueLinesAndParsesBack() {
    assertEquals(
        "run=20261121T193012Z-2\ncore=admin-1.acme.internal\nstarted=2026-11-21T19:30:12Z\n"
            + "command=upgrade\n",
        MARKER.format());
    NodeMarker.Read read = NodeMarker.parse(MARKER.format());
    assertEquals(NodeMarker.Read.Kind.PRESENT, read.kind());
    assertEquals(MARKER, read.marker().orElseThrow());
    assertTrue(read.isPresent());
  }

  @Test
  void unknownKeysCommentsAndMissingOptionalKeysAreTolerated() {
    NodeMarker.Read read = NodeMarker.parse("# hoist\nrun=r1\nextra=1\n\n");
    assertEquals(NodeMarker.Read.Kind.PRESENT, read.kind());
    assertEquals("r1", read.run().orElseThrow());
    assertEquals("unknown", read.marker().orElseThrow().core());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   \n\n", "core=x\nstarted=y\n", "garbage without equals", "run=\n"})
  void anEmptyOrTornMarkerIsCorruptNeverAnException(String text) {
    NodeMarker.Read read = NodeMarker.parse(text);
    assertEquals(NodeMarker.Read.Kind.CORRUPT, read.kind(), read.toString());
    assertTrue(read.isPresent(), "a corrupt marker still counts as a marker");
    assertFalse(read.problem().isEmpty());
    assertTrue(read.describe().startsWith("unreadable marker: "), read.describe());
  }

  @Test
  void aValueThatIsNotAPlainWordIsCorrupt() {
    NodeMarker.Read read = NodeMarker.parse("run=a b; rm -rf /\n");
    assertEquals(NodeMarker.Read.Kind.CORRUPT, read.kind());
    NodeMarker.Read control = NodeMarker.parse("run=r1\ncore=\u001b[31mred\n");
    assertEquals(NodeMarker.Read.Kind.CORRUPT, control.kind());
    assertFalse(control.problem().contains("\u001b"), control.problem());
  }

  @Test
  void aMarkerRefusesValuesThatAreNotPlainWords() {
    assertThrows(
        IllegalArgumentException.class, () -> new NodeMarker("r 1", "core", "now", "upgrade"));
    assertThrows(
        IllegalArgumentException.class, () -> new NodeMarker("r1", "co'de", "now", "upgrade"));
  }

  @Test
  void outputIsSplitAtTheHeader() {
    NodeMarker.Split absent = NodeMarker.parseOutput("1.0.0\n\n@@hoist-marker@@\nabsent\n");
    assertEquals(NodeMarker.Read.ABSENT, absent.read());
    assertEquals("1.0.0\n", absent.before());
    NodeMarker.Split present =
        NodeMarker.parseOutput("noise\n1.0.0\n\n@@hoist-marker@@\npresent\n" + MARKER.format());
    assertEquals(MARKER, present.read().marker().orElseThrow());
    assertTrue(present.before().endsWith("1.0.0\n"), present.before());
    NodeMarker.Split empty = NodeMarker.parseOutput("1.0.0\n@@hoist-marker@@\npresent\n");
    assertEquals(NodeMarker.Read.Kind.CORRUPT, empty.read().kind());
    NodeMarker.Split none = NodeMarker.parseOutput("1.0.0\n");
    assertEquals(NodeMarker.Read.Kind.UNKNOWN, none.read().kind());
    assertEquals("1.0.0\n", none.before());
  }

  @Test
  void writeReadAndRemoveWorkInARealShell() throws Exception {
    String h = home.toString();
    assertEquals(NodeMarker.Read.ABSENT, read(h));
    sh(MARKER.writeCommand(h).script());
    Path file = home.resolve(".hoist/ongoing");
    assertEquals(MARKER.format(), Files.readString(file));
    try (var files = Files.list(home.resolve(".hoist"))) {
      assertEquals(List.of(file), files.toList(), "no temporary file left");
    }
    assertEquals(MARKER, read(h).marker().orElseThrow());
    // Another run's marker is not removed by this run.
    NodeMarker other = new NodeMarker("other", "core", "now", "rollback");
    sh(other.writeCommand(h).script());
    sh(MARKER.removeCommand(h).script());
    assertTrue(Files.exists(file));
    sh(other.removeCommand(h).script());
    assertFalse(Files.exists(file));
    // Removing what is not there succeeds.
    sh(other.removeCommand(h).script());
    Files.writeString(file, "");
    assertEquals(NodeMarker.Read.Kind.CORRUPT, read(h).kind());
  }

  private static NodeMarker.Read read(String home) throws Exception {
    return NodeMarker.parseOutput(sh(NodeMarker.readScript(home))).read();
  }

  private static String sh(String script) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
