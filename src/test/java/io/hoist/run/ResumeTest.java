package io.hoist.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.journal.Journal;
import io.hoist.journal.JournalReader;
import io.hoist.journal.RunState;
import io.hoist.journal.Runs;
import io.hoist.model.PhaseId;
import io.hoist.phase.Outcome;
import io.hoist.release.Version;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a resume carries over, from real journals of a killed run and a killed resume of it. */
class ResumeTest {

  @TempDir Path state;

  @Test
  void aNodeLeftInsideAHopStaysThereThroughAResumeKilledBeforeReachingIt() {
    Path first = Runs.create(state, Clock.systemUTC());
    try (Journal journal = Journal.create(first, Clock.systemUTC())) {
      journal.runStarted(first.getFileName().toString(), started(null));
      journal.nodeStarted("x", "1.0", "2.0");
      journal.phaseStarted("x", PhaseId.PRE_VALIDATE);
      journal.phaseEnded("x", PhaseId.PRE_VALIDATE, Outcome.OK, Duration.ZERO, "");
      journal.phaseStarted("x", PhaseId.BACKUP);
      journal.backupWritten("x", state.resolve("backups/x/b/archive.tar.gz"), "ab");
      journal.phaseEnded("x", PhaseId.BACKUP, Outcome.OK, Duration.ZERO, "");
      journal.phaseStarted("x", PhaseId.INSTALL);
      // killed here
    }
    Path second = Runs.create(state, Clock.systemUTC());
    try (Journal journal = Journal.create(second, Clock.systemUTC())) {
      journal.runStarted(second.getFileName().toString(), started(first.getFileName().toString()));
      // killed before it reached x
    }
    RunState last = read(second);

    Resume resume = Resume.of(Runs.chain(state, last));

    assertEquals(2, Runs.chain(state, last).size());
    assertEquals(Map.of("x", "1.0"), resume.inHop());
    assertTrue(resume.inHop("x", "2.0"));
    assertTrue(resume.passed("x", PhaseId.PRE_VALIDATE));
    assertEquals(Map.of("x", Version.parse("1.0")), resume.overrides());
    assertEquals(state.resolve("backups/x/b/archive.tar.gz"), resume.backups().get("x"));
    // The second run alone would have lost it.
    assertEquals(Map.of(), Resume.of(last).inHop());
  }

  private static Map<String, Object> started(String resumes) {
    Map<String, Object> details =
        new java.util.LinkedHashMap<>(
            Map.of(
                "command",
                "upgrade",
                "nodes",
                Map.of("x", Map.of("from", "1.0", "path", List.of("2.0")))));
    if (resumes != null) {
      details.put("resumes", resumes);
    }
    return details;
  }

  private static RunState read(Path dir) {
    return RunState.of(JournalReader.read(dir.resolve(Journal.FILE)));
  }
}
