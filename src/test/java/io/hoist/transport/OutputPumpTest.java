package io.hoist.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OutputPumpTest {

  private static List<String> split(byte[] bytes, int chunk) {
    List<String> lines = new ArrayList<>();
    OutputPump.LineSplitter splitter = new OutputPump.LineSplitter(lines::add);
    for (int from = 0; from < bytes.length; from += chunk) {
      byte[] part = Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + chunk));
      splitter.feed(part, part.length);
    }
    splitter.end();
    return lines;
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a\\nb\\n|a,b",
        "a\\r\\nb|a,b",
        "a\\rb\\r|a,b",
        "a\\n\\nb|a,,b",
        "a\\r\\rb|a,,b",
        "\\n|''",
        "last|last",
      })
  void terminatorsEndLinesAndAreRemoved(String input, String expected) {
    byte[] bytes = input.replace("\\n", "\n").replace("\\r", "\r").getBytes(StandardCharsets.UTF_8);
    List<String> want = Arrays.asList(expected.split(",", -1));
    for (int chunk : new int[] {1, 2, 8192}) {
      assertEquals(want, split(bytes, chunk), "read in chunks of " + chunk);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "é", "€", "𝄞"})
  void longLinesAreCutBetweenCharacters(String character) {
    String line = character.repeat(3 * OutputPump.MAX_LINE_BYTES / character.length() + 5);
    List<String> pieces = split((line + "\nnext\n").getBytes(StandardCharsets.UTF_8), 8192);
    assertEquals("next", pieces.get(pieces.size() - 1));
    List<String> cut = pieces.subList(0, pieces.size() - 1);
    assertTrue(cut.size() >= 3, "pieces: " + cut.size());
    for (String piece : cut) {
      assertTrue(piece.getBytes(StandardCharsets.UTF_8).length <= OutputPump.MAX_LINE_BYTES);
      assertTrue(piece.replace(character, "").isEmpty(), "a character was split");
    }
    assertEquals(line, String.join("", cut));
  }

  @Test
  void tailsKeepAtMostTheirCharactersWhateverTheCommandPrints() throws InterruptedException {
    // 5 MB on stdout in 100 KiB lines (cut into 64 KiB pieces), binary bytes on stderr.
    byte[] out = ("x".repeat(100 * 1024) + "\n").repeat(50).getBytes(StandardCharsets.UTF_8);
    byte[] err = new byte[5 << 20];
    for (int i = 0; i < err.length; i++) {
      err[i] = (byte) (i * 31);
    }
    OutputPump pump = new OutputPump(OutputSink.NONE);
    pump.start(OutputSink.Stream.STDOUT, new ByteArrayInputStream(out), "out");
    pump.start(OutputSink.Stream.STDERR, new ByteArrayInputStream(err), "err");
    assertTrue(pump.awaitDrained(Duration.ofMinutes(1)));
    ExecResult result = pump.result(0, Duration.ZERO, false);
    assertTrue(result.stdoutTail().length() <= ExecResult.TAIL_CHARS + ExecResult.TAIL_LINES);
    assertTrue(result.stderrTail().length() <= ExecResult.TAIL_CHARS + ExecResult.TAIL_LINES);
    assertTrue(result.stdoutTail().endsWith("x".repeat(1000)), "the tail is the end");
    assertTrue(result.lastLine().length() <= ExecResult.LAST_LINE_CHARS);
    assertTrue(result.lastLine().endsWith("more characters)"), result.lastLine());
  }

  @Test
  void pushedStreamsGiveTheSameLinesOnTheWritersThreadAndEndWhenClosed() throws Exception {
    List<String> seen = new ArrayList<>();
    OutputPump pump =
        new OutputPump(
            (stream, line) ->
                seen.add(stream + " " + line + " " + Thread.currentThread().getName()));
    java.io.OutputStream out = pump.pushed(OutputSink.Stream.STDOUT);
    java.io.OutputStream err = pump.pushed(OutputSink.Stream.STDERR);
    String me = Thread.currentThread().getName();
    byte[] bytes = "..a\nb\r\nc".getBytes(StandardCharsets.UTF_8);
    out.write(bytes, 2, bytes.length - 2); // from an offset, as JSch hands over its buffer
    err.write('e');
    assertEquals(false, pump.awaitDrained(Duration.ofMillis(20)), "nothing ended yet");
    out.close();
    assertEquals(false, pump.awaitDrained(Duration.ofMillis(20)), "stderr still open");
    err.close();
    assertTrue(pump.awaitDrained(Duration.ZERO));
    assertEquals(
        List.of("STDOUT a " + me, "STDOUT b " + me, "STDOUT c " + me, "STDERR e " + me), seen);
    ExecResult result = pump.result(0, Duration.ZERO, false);
    assertEquals("a\nb\nc", result.stdoutTail());
    assertEquals("e", result.stderrTail());
  }

  @Test
  void aReplacedPushedStreamIsIgnored() throws Exception {
    List<String> seen = new ArrayList<>();
    OutputPump pump = new OutputPump((stream, line) -> seen.add(line));
    java.io.OutputStream refused = pump.pushed(OutputSink.Stream.STDOUT);
    java.io.OutputStream current = pump.pushed(OutputSink.Stream.STDOUT);
    refused.write("stale\n".getBytes(StandardCharsets.UTF_8));
    refused.close(); // a refused channel's streams are closed when it is disconnected
    assertEquals(false, pump.awaitDrained(Duration.ofMillis(20)), "the current one is open");
    current.write("fresh\n".getBytes(StandardCharsets.UTF_8));
    current.close();
    current.write("late\n".getBytes(StandardCharsets.UTF_8)); // after the end: ignored
    assertTrue(pump.awaitDrained(Duration.ZERO));
    assertEquals(List.of("fresh"), seen);
  }

  @Test
  void shortTailsAreKeptWhole() {
    ExecResult result = new ExecResult(1, "first\n  1.0.0  \n\n", "", Duration.ZERO, false);
    assertEquals("1.0.0", result.lastLine());
  }

  @Test
  void controlCharactersOfANodesOutputAreEscaped() {
    assertEquals("tabs\tand é € kept", OutputPump.printable("tabs\tand é € kept"));
    assertEquals("\\u001b]0;owned\\u0007title", OutputPump.printable("\u001b]0;owned\u0007title"));
    assertEquals("\\u001b[2J\\u001b[31mred", OutputPump.printable("\u001b[2J\u001b[31mred"));
    assertEquals("del\\u007f c1\\u009b", OutputPump.printable("del\u007f c1\u009b"));
  }
}
