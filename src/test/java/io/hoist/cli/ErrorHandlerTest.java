package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoist.error.InterruptedRunException;
import io.hoist.error.LockedException;
import io.hoist.error.TransportException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * The error document of {@code --output json} for the errors the in-process tests cannot easily
 * provoke (a dropped connection, an interrupt, a bug), and when it is left out.
 */
class ErrorHandlerTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private GlobalOptions global;
  private ErrorHandler handler;
  private CommandLine cmd;

  @BeforeEach
  void handler() {
    HoistCommand hoist = new HoistCommand();
    global = hoist.global;
    global.output = GlobalOptions.Output.json;
    handler = new ErrorHandler(global);
    cmd = new CommandLine(hoist, new CommandFactory(GenerateDocs.fixedEnvironment()));
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
  }

  @Test
  void aTransportErrorNamesItsNode() {
    int code =
        handler.handleExecutionException(
            new TransportException(
                TransportException.Kind.DROPPED,
                "db-1",
                "db-1 (hoist@10.0.0.5:22) dropped the connection during 'acme-ctl stop'"),
            cmd,
            null);

    assertEquals(3, code);
    JsonNode json = JsonShapes.assertDocument("error", out.toString(), err.toString(), err + "");
    assertEquals("transport", json.at("/error/kind").asText());
    assertEquals("db-1", json.at("/error/node").asText());
    assertTrue(
        err.toString().startsWith("hoist: db-1 (hoist@10.0.0.5:22) dropped"), err.toString());
  }

  @Test
  void lockedAndInterruptedHaveTheirCodes() {
    assertEquals(6, handler.handleExecutionException(new LockedException("held"), cmd, null));
    JsonNode locked = JsonShapes.assertDocument("error", out.toString(), err.toString(), "");
    assertEquals("locked", locked.at("/error/kind").asText());

    StringWriter again = new StringWriter();
    cmd.setOut(new PrintWriter(again, true));
    HoistCommand fresh = new HoistCommand();
    fresh.global.output = GlobalOptions.Output.json;
    assertEquals(
        130,
        new ErrorHandler(fresh.global)
            .handleExecutionException(new InterruptedRunException("interrupted"), cmd, null));
    JsonNode interrupted = JsonShapes.assertDocument("error", again.toString(), "", "");
    assertEquals("interrupted", interrupted.at("/error/kind").asText());
  }

  @Test
  void aBugIsAnInternalErrorWithThePleaseReportLine() throws IOException {
    int code = handler.handleExecutionException(new IllegalStateException("boom"), cmd, null);

    assertEquals(1, code);
    JsonNode json = JsonShapes.assertDocument("error", out.toString(), err.toString(), err + "");
    assertEquals("internal", json.at("/error/kind").asText());
    String message = json.at("/error/message").asText();
    assertTrue(message.contains("java.lang.IllegalStateException: boom"), message);
    assertTrue(message.contains("please report it"), message);
    Matcher saved = Pattern.compile("trace saved in (\\S+)").matcher(message);
    if (saved.find()) {
      Path trace = Path.of(saved.group(1));
      assertTrue(Files.readString(trace).contains("boom"));
      Files.delete(trace);
    }
  }

  @Test
  void noErrorDocumentAfterTheResult() {
    global.resultWritten();

    assertEquals(6, handler.handleExecutionException(new LockedException("held"), cmd, null));

    assertEquals("", out.toString());
    assertTrue(err.toString().contains("hoist: held"), err.toString());
  }

  @Test
  void textModeWritesNoDocument() {
    global.output = GlobalOptions.Output.text;

    handler.handleExecutionException(new LockedException("held"), cmd, null);

    assertEquals("", out.toString());
    assertFalse(err.toString().contains("{"), err.toString());
  }

  @ParameterizedTest
  @CsvSource({
    "'--output json inspect', true",
    "'inspect --output JSON', true",
    "'-o json inspect', true",
    "'-ojson inspect', true",
    "'--output=json inspect', true",
    "'-o=json inspect', true",
    "'--output text inspect', false",
    "'inspect json', false",
    "'inspect -- --output json', false",
    "'--output', false"
  })
  void aParseErrorLooksForJsonInTheWords(String words, boolean json) {
    assertEquals(json, ErrorHandler.asksForJson(words.split(" ")));
  }
}
