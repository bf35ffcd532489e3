package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Locale;

/** Assertions about what hoist prints to a terminal. */
final class TerminalText {

  private TerminalText() {}

  /**
   * Fails when {@code text} holds a character a terminal acts on: a C0 control other than line feed
   * and tab (ESC, BEL, CR, NUL...), DEL, a C1 control, or a bidi embedding, override or isolate.
   */
  static void assertSafe(String text, String what) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean unsafe =
          (c < 0x20 && c != '\n' && c != '\t')
              || (c >= 0x7f && c <= 0x9f)
              || (c >= 0x202a && c <= 0x202e)
              || (c >= 0x2066 && c <= 0x2069);
      if (unsafe) {
        int from = Math.max(0, i - 60);
        fail(
            what
                + " holds U+"
                + Integer.toHexString(0x10000 | c).substring(1).toUpperCase(Locale.ROOT)
                + " at "
                + i
                + ", after: "
                + text.substring(from, i));
      }
    }
  }
}
