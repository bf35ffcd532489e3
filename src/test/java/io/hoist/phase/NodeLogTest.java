package io.hoist.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hoist.model.PhaseId;
import io.hoist.transport.OutputSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeLogTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  void aLineIsInTheFileAsSoonAsItIsLoggedAndALineAfterCloseIsAppended() throws IOException {
    Path file = dir.resolve("n1.log");
    NodeLog log = NodeLog.open(file, CLOCK);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

    log.sink(PhaseId.STOP).line(OutputSink.Stream.STDOUT, "stopping");
    assertEquals(List.of("2026-11-21T12:00:00Z stop stdout stopping"), Files.readAllLines(file));
    log.close();
    log.close();
    log.sink(PhaseId.INSTALL).line(OutputSink.Stream.STDERR, "switched");
    log.close();

    assertEquals(
        List.of(
            "2026-11-21T12:00:00Z stop stdout stopping",
            "2026-11-21T12:00:00Z install stderr switched"),
        Files.readAllLines(file));
  }

  @Test
  void aResumedRunAppendsToTheNodesLog() throws IOException {
    Path file = dir.resolve("n1.log");
    Files.writeString(file, "earlier\n");

    try (NodeLog log = NodeLog.open(file, CLOCK)) {
      log.sink(PhaseId.START).line(OutputSink.Stream.STDOUT, "started");
    }

    assertEquals(
        List.of("earlier", "2026-11-21T12:00:00Z start stdout started"), Files.readAllLines(file));
  }
}
