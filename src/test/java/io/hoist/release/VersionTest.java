package io.hoist.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Versions come from the command line, bundles and nodes' output: only version text passes. */
class VersionTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1.0.0; rm -rf /tmp/x",
        "$(touch /tmp/pwned)",
        "`touch /tmp/pwned`",
        "1.0.0\n2.0.0",
        "1.0'",
        "1.0\"",
        "1.0\\",
        "$HOME",
        "--help",
        "-rf",
        "1.0 0",
        "1.*",
        "1.0.0-\u202erc",
        "1.0.0\u001b[2J",
        "\u0661.\u0662.\u0663",
        "99999999999999999999.0.0",
        ""
      })
  void anythingButAVersionIsRefused(String text) {
    assertFalse(Version.isValid(text), text);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Version.parse(text));
    assertTrue(e.getMessage().contains("is not a version"), e.getMessage());
  }

  @Test
  void aVersionLongerThanItsLimitIsRefusedWithAShortMessage() {
    String longest = "1.0.0-" + "a".repeat(Version.MAX_LENGTH - 6);
    assertEquals(longest, Version.parse(longest).text());
    String tooLong = longest + "a";
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Version.parse(tooLong));
    assertTrue(e.getMessage().contains("a version has at most 128"), e.getMessage());
    assertTrue(e.getMessage().length() < 200, e.getMessage());
  }

  @Test
  void blanksAroundAVersionAreDropped() {
    assertEquals("3.5.3", Version.parse("  3.5.3\n").text());
  }
}
