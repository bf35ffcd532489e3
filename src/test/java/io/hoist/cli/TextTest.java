package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.Help.Ansi;

/** What reaches the terminal: control characters read from nodes and files are made visible. */
class TextTest {

  static Stream<Arguments> hostileText() {
    return Stream.of(
        arguments("clear \u001b[2J screen", "clear \\u001b[2J screen"),
        arguments("\u001b]0;title\u0007", "\\u001b]0;title\\u0007"),
        arguments(
            "\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\",
            "\\u001b]8;;http://x\\u001b\\link\\u001b]8;;\\u001b\\"),
        arguments("up\u001b[5Aleft\u001b[10D", "up\\u001b[5Aleft\\u001b[10D"),
        arguments("real\rfake", "real\\u000dfake"),
        arguments("nul\u0000byte", "nul\\u0000byte"),
        arguments("del\u007f", "del\\u007f"),
        arguments("c1 csi \u009b2J", "c1 csi \\u009b2J"),
        arguments("rtl \u202eevil", "rtl \\u202eevil"),
        arguments("isolate \u2066x\u2069", "isolate \\u2066x\\u2069"),
        arguments("tab\tand\nline", "tab\tand\nline"),
        arguments("caf\u00e9 \u2603 \uD834\uDD1E", "caf\u00e9 \u2603 \uD834\uDD1E"));
  }

  @ParameterizedTest
  @MethodSource("hostileText")
  void controlCharactersBecomeVisibleEscapes(String input, String expected) {
    assertEquals(expected, Text.forTerminal(input));
    TerminalText.assertSafe(Text.forTerminal(input), input);
  }

  @Test
  void safeTextIsReturnedAsItIs() {
    String text = "node db-1: exit 3: acmed 1.0.0 running\n\tdetails";
    assertSame(text, Text.forTerminal(text));
  }

  @Test
  void oneLineFormEscapesLineFeedsToo() {
    assertEquals("a\\u000ab\tc", Text.forTerminalLine("a\nb\tc"));
  }

  @Test
  void tableCellsAreEscapedBeforeTheyArePaddedAndColoured() {
    List<String> lines =
        Text.table(
            List.of(
                new String[] {"NODE", "CHECK", "STATUS", "MESSAGE"},
                new String[] {"n", "version", "fail", "printed '\u001b[2J\r\n'"}),
            2,
            Ansi.ON);
    String row = lines.get(1);
    assertTrue(row.contains("printed '\\u001b[2J\\u000d\\u000a'"), row);
    // The only escape sequences left are the status colour's.
    String withoutColour = row.replace(Ansi.ON.string("@|bold,red fail|@"), "fail");
    TerminalText.assertSafe(withoutColour, "the row");
  }

  @Test
  void jsonEscapesWhatATerminalWouldActOnAndDecodesToTheSameText() throws IOException {
    String hostile = "a\u001b[2Jb\u0007c\u007fd\u009be\u202ef\u2066g\r\n\u0000 caf\u00e9 \u2603";
    StringWriter out = new StringWriter();
    Json.print(new PrintWriter(out), Map.of("message", hostile));
    TerminalText.assertSafe(out.toString(), "the JSON");
    assertTrue(out.toString().contains("d\\u009be\\u202ef\\u2066g"), out.toString());
    assertTrue(out.toString().contains("caf\u00e9 \u2603"), "other text stays as it is");
    assertEquals(hostile, new ObjectMapper().readTree(out.toString()).get("message").asText());
  }
}
