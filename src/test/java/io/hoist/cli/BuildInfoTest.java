package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code Main} answers {@code --version} without picocli: it must print what picocli prints. */
class BuildInfoTest {

  @TempDir Path home;

  @ParameterizedTest
  @ValueSource(strings = {"--version", "-V"})
  void versionTextIsPicocliVersionTextByteForByte(String option) {
    StringWriter picocli = new StringWriter();
    StringWriter picocliErr = new StringWriter();
    CommandLine commandLine =
        Cli.commandLine(new Environment(Map.of("HOME", home.toString()), home, home, false, false));
    commandLine.setOut(new PrintWriter(picocli, true));
    commandLine.setErr(new PrintWriter(picocliErr, true));
    assertEquals(0, commandLine.execute(option), picocliErr.toString());

    StringWriter fast = new StringWriter();
    BuildInfo.printVersion(new PrintWriter(fast, true));

    assertEquals(picocli.toString(), fast.toString());
    assertEquals("", picocliErr.toString());
    assertTrue(fast.toString().startsWith("hoist "), fast.toString());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--version            | true",
        "-V                   | true",
        "--version --no-color | false",
        "-V -q                | false",
        "inspect --version    | false",
        "--help               | false",
        "-Vq                  | false",
        "--versio             | false",
      })
  void onlyALoneVersionOptionTakesTheShortcut(String args, boolean shortcut) {
    assertEquals(shortcut, BuildInfo.isVersionRequest(args.split(" ")));
  }

  @Test
  void noArgumentsIsNoVersionRequest() {
    assertFalse(BuildInfo.isVersionRequest(new String[0]));
  }
}
