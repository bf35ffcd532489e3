package io.hoist.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.model.PhaseId;
import io.hoist.phase.Outcome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's record of what hoist retired and rejoined, replayed by {@link RunState}. */
class RunStateRejoinTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aNodeRetiredAndNotRejoinedIsOwedARejoinUntilItsRejoinIsJournaled() {
    Journal journal = Journal.create(dir, Clock.systemUTC());
    journal.runStarted("r1", Map.of("command", "upgrade", "nodes", nodes("web-1", "web-2")));
    journal.nodeStarted("web-1", "1.0.0", "1.1.0");
    journal.phaseStarted("web-1", PhaseId.RETIRE);
    journal.retired("web-1");
    journal.phaseEnded("web-1", PhaseId.RETIRE, Outcome.OK, Duration.ZERO, "");
    journal.phaseStarted("web-1", PhaseId.STOP);
    journal.close();
    RunState killed = RunState.of(JournalReader.read(journal.file()));
    assertEquals(List.of("web-1"), killed.notRejoined());
    assertTrue(killed.node("web-1").orElseThrow().retired());
    assertFalse(killed.node("web-2").orElseThrow().retired());
  }

  @Test
  void aRejoinClearsTheDebtAndARunCarriesTheDebtsItWasGiven() {
    Journal journal = Journal.create(dir, Clock.systemUTC());
    journal.runStarted(
        "r2",
        Map.of(
            "command",
            "rollback",
            "nodes",
            nodes("web-1", "web-2"),
            "retired",
            List.of("web-1", "web-2")));
    journal.retired("web-1");
    journal.rejoined("web-1");
    journal.close();
    RunState state = RunState.of(JournalReader.read(journal.file()));
    assertEquals(List.of("web-2"), state.notRejoined());
    List<String> kinds = new ArrayList<>();
    for (JsonNode e : JournalReader.read(journal.file()).events()) {
      kinds.add(e.get("event").asText());
    }
    assertEquals(List.of("run-started", "node-retired", "node-rejoined"), kinds);
  }

  private static Map<String, Object> nodes(String... names) {
    Map<String, Object> nodes = new java.util.LinkedHashMap<>();
    for (String name : names) {
      nodes.put(
          name,
          JSON.createObjectNode()
              .put("from", "1.0.0")
              .set("path", JSON.createArrayNode().add("1.1.0")));
    }
    return nodes;
  }
}
