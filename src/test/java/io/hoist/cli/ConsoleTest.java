package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final AtomicInteger made = new AtomicInteger();

  private List<String> table() {
    made.incrementAndGet();
    return List.of("NODE  OK", "n1    yes");
  }

  private Console console(GlobalOptions global) {
    return new Console(new PrintWriter(out), new PrintWriter(err), global);
  }

  @Test
  void aStyledResultIsPrintedAsItIs() {
    console(new GlobalOptions()).styled(this::table);
    String nl = System.lineSeparator();
    assertEquals("NODE  OK" + nl + "n1    yes" + nl, out.toString());
    assertEquals(1, made.get());
  }

  @Test
  void quietWithoutALogFileDoesNotEvenMakeTheText() {
    GlobalOptions global = new GlobalOptions();
    global.quiet = true;
    console(global).styled(this::table);
    assertEquals("", out.toString() + err.toString());
    assertEquals(0, made.get(), "nobody reads it");
  }

  @Test
  void quietWithALogFileLogsTheTextAndPrintsNothing() throws IOException {
    GlobalOptions global = new GlobalOptions();
    global.quiet = true;
    global.logFile = dir.resolve("hoist.log");
    global.openLog(Clock.systemUTC());
    console(global).styled(this::table);
    global.closeLog();
    assertEquals("", out.toString() + err.toString());
    List<String> log = Files.readAllLines(global.logFile);
    assertEquals(2, log.size(), log.toString());
    assertTrue(log.get(1).endsWith(" n1    yes"), log.toString());
  }
}
