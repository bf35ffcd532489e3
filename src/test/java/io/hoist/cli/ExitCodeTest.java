package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The exit codes are a contract: enum, README table and man page must agree. */
class ExitCodeTest {

  @Test
  void codesAreTheDocumentedContract() {
    Map<Integer, String> expected = new LinkedHashMap<>();
    for (ExitCode code : ExitCode.values()) {
      expected.put(code.code(), code.name());
    }
    assertEquals(
        Map.of(
            0,
            "OK",
            1,
            "INTERNAL",
            2,
            "USAGE",
            3,
            "VALIDATION",
            4,
            "ROLLED_BACK",
            5,
            "NEEDS_ATTENTION",
            6,
            "LOCKED",
            130,
            "INTERRUPTED"),
        expected);
  }

  @Test
  void readmeTableMatchesTheEnum() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    Pattern row = Pattern.compile("^\\| (\\d+) \\| (.+?) \\|$", Pattern.MULTILINE);
    Map<Integer, String> documented = new LinkedHashMap<>();
    Matcher m = row.matcher(readme.substring(readme.indexOf("## Exit codes")));
    while (m.find()) {
      documented.put(Integer.parseInt(m.group(1)), m.group(2));
    }
    Map<Integer, String> actual = new LinkedHashMap<>();
    for (ExitCode code : ExitCode.values()) {
      actual.put(code.code(), code.meaning());
    }
    assertEquals(actual, documented, "README '## Exit codes' table");
  }

  @Test
  void manPageListsEveryCode() throws IOException {
    // troff source: drop requests (.XX lines) and escapes of '-', then compare running text.
    String page =
        Files.readString(Path.of("man/hoist.1"))
            .replaceAll("(?m)^\\.[A-Za-z]+.*$", " ")
            .replace("\\-", "-")
            .replace("\\(aq", "'")
            .replaceAll("\\\\f[BIPR]", "")
            .replaceAll("\\s+", " ");
    for (ExitCode code : ExitCode.values()) {
      assertTrue(
          page.contains(code.code() + " " + code.meaning()),
          "man/hoist.1 lacks exit code " + code.code() + ": " + code.meaning());
    }
  }
}
