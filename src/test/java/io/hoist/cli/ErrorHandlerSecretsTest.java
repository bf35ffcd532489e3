package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.SecretMask;
import io.hoist.error.ValidationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The error handler and secrets: traces saved privately, secrets masked everywhere it writes. */
class ErrorHandlerSecretsTest {

  private static final Pattern SAVED = Pattern.compile("trace saved in (\\S+)");

  @TempDir Path dir;

  private final StringWriter err = new StringWriter();

  private CommandLine commandLine() {
    CommandLine cmd = Cli.commandLine(new Environment(Map.of(), dir, dir, false, false));
    cmd.setErr(new PrintWriter(err, true));
    return cmd;
  }

  @Test
  void anInternalErrorsTraceIsSavedInANewFileReadableByItsOwnerOnly() throws IOException {
    ErrorHandler handler = new ErrorHandler(new GlobalOptions());

    int code =
        handler.handleExecutionException(new IllegalStateException("boom"), commandLine(), null);

    assertEquals(ExitCode.INTERNAL.code(), code);
    Matcher saved = SAVED.matcher(err.toString());
    assertTrue(saved.find(), err.toString());
    Path trace = Path.of(saved.group(1));
    try {
      // Files.createTempFile: a random name, created exclusively, 0600 on POSIX.
      assertTrue(
          trace.getFileName().toString().matches("hoist-error-\\d+\\.log"), trace.toString());
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(trace)));
      assertTrue(Files.readString(trace).contains("IllegalStateException: boom"));
    } finally {
      Files.deleteIfExists(trace);
    }
  }

  @Test
  void secretsAreMaskedInTheMessageTheTraceAndTheLogFile() throws IOException {
    GlobalOptions global = new GlobalOptions();
    global.verbose = new boolean[] {true};
    global.logFile = dir.resolve("hoist.log");
    global.openLog(Clock.systemUTC());
    global.mask(SecretMask.of(List.of("tok-3141")));
    ErrorHandler handler = new ErrorHandler(global);

    int code =
        handler.handleExecutionException(
            new ValidationException("node n1: check failed: token=tok-3141 refused"),
            commandLine(),
            null);
    global.closeLog();

    assertEquals(ExitCode.VALIDATION.code(), code);
    String log = Files.readString(global.logFile);
    assertFalse(err.toString().contains("tok-3141"), err.toString());
    assertFalse(log.contains("tok-3141"), log);
    assertTrue(
        err.toString().contains("hoist: node n1: check failed: token=*** refused"), err.toString());
    assertTrue(err.toString().contains("\tat "), "-v shows the trace: " + err);
    assertTrue(log.contains("error: node n1: check failed: token=*** refused"), log);
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(global.logFile)));
  }
}
