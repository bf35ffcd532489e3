package io.hoist.run;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.NodeMarker;
import io.hoist.config.ClusterLoader;
import io.hoist.error.ValidationException;
import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.transport.TransportFactory;
import io.hoist.transport.local.LocalTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pre-flight marker refusal over local nodes with real marker files: markers the plan already
 * read are not read again; the others are.
 */
class NodeMarkersTest {

  private static final String FOREIGN =
      "run=20261121T193012Z\ncore=admin-2\nstarted=2026-11-21T19:30:12Z\ncommand=upgrade\n";

  @TempDir Path root;
  List<Node> nodes;
  final List<String> opened = new CopyOnWriteArrayList<>();
  TransportFactory transports;

  @BeforeEach
  void setUp() throws IOException {
    Path file = root.resolve("cluster.yaml");
    Files.writeString(
        file,
        """
        cluster: t
        release: { repository: "file:/nonexistent", bundle: "acme-${version}.tar.gz" }
        nodes:
          - { name: a, transport: local, layout: { home: "ROOT/a" } }
          - { name: b, transport: local, layout: { home: "ROOT/b" } }
        """
            .replace("ROOT", root.toString()));
    Cluster cluster = new ClusterLoader().load(file);
    nodes = cluster.nodes();
    for (Node node : nodes) {
      Files.createDirectories(root.resolve(node.name()));
    }
    transports =
        node -> {
          opened.add(node.name());
          return new LocalTransport(node);
        };
  }

  private void mark(String node) throws IOException {
    Path marker = root.resolve(node).resolve(NodeMarker.RELATIVE_PATH);
    Files.createDirectories(marker.getParent());
    Files.writeString(marker, FOREIGN);
  }

  private void refuse(Map<String, NodeMarker.Read> known) {
    NodeMarkers.refuseForeign(
        transports, nodes, known, Set.of(), "upgrade", Duration.ofSeconds(30), 4);
  }

  @Test
  void withoutKnownMarkersEveryNodeIsReadAndAForeignMarkerRefuses() throws IOException {
    mark("b");
    ValidationException e = assertThrows(ValidationException.class, () -> refuse(Map.of()));
    assertTrue(e.getMessage().contains("node b carries the marker of run 20261121T193012Z"));
    assertEquals(Set.of("a", "b"), Set.copyOf(opened));
  }

  @Test
  void markersThePlanReadAreNotReadAgain() {
    assertDoesNotThrow(() -> refuse(Map.of("a", NodeMarker.Read.ABSENT, "b", read(""))));
    assertEquals(List.of(), opened);
  }

  @Test
  void aForeignMarkerThePlanReadRefusesWithoutAnotherRead() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> refuse(Map.of("a", NodeMarker.Read.ABSENT, "b", read(FOREIGN))));
    assertTrue(e.getMessage().contains("node b carries the marker of run 20261121T193012Z"));
    assertEquals(List.of(), opened);
  }

  @Test
  void aNodeWhoseMarkerThePlanCouldNotReadIsReadNow() throws IOException {
    mark("b");
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () ->
                refuse(
                    Map.of(
                        "a",
                        NodeMarker.Read.ABSENT,
                        "b",
                        NodeMarker.Read.unknown("the version command did not run"))));
    assertTrue(e.getMessage().contains("node b carries the marker"), e.getMessage());
    assertEquals(List.of("b"), opened);
  }

  /** A marker as the plan's version command reads it; "" is no marker file. */
  private static NodeMarker.Read read(String text) {
    return text.isEmpty() ? NodeMarker.Read.ABSENT : NodeMarker.parse(text);
  }
}
