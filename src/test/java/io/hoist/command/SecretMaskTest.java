package io.hoist.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretMaskTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "token=tok-3141 ok | token=*** ok",
        "tok-3141tok-3141 | ******",
        "nothing secret | nothing secret",
        "pw pass-word-1 and tok-3141 | pw *** and ***",
        "'tok-3141' quoted | '***' quoted"
      })
  void everyOccurrenceOfEverySecretIsReplaced(String text, String expected) {
    SecretMask mask = SecretMask.of(List.of("tok-3141", "pass-word-1"));
    assertEquals(expected, mask.mask(text));
  }

  @Test
  void aSecretContainingAnotherIsMaskedWhole() {
    SecretMask mask = SecretMask.of(List.of("abc", "xabcx"));
    assertEquals("[***] [***]", mask.mask("[xabcx] [abc]"));
  }

  @Test
  void eachLineOfAMultiLineSecretIsMaskedOnItsOwn() {
    SecretMask mask = SecretMask.of(List.of("first-line\nsecond-line\r\n}"));
    assertEquals("***", mask.mask("first-line\nsecond-line\r\n}"));
    assertEquals("a *** b", mask.mask("a second-line b"));
    // Too short to mask on its own: every brace would go.
    assertEquals("{}", mask.mask("{}"));
  }

  @Test
  void emptyAndMissingValuesMaskNothing() {
    assertSame(SecretMask.NONE, SecretMask.of(Arrays.asList("", null)));
    assertTrue(SecretMask.NONE.isEmpty());
    assertEquals("text", SecretMask.NONE.mask("text"));
    assertNull(SecretMask.of(List.of("x")).mask(null));
  }

  @Test
  void itsOwnDescriptionShowsNoSecret() {
    assertFalse(SecretMask.of(List.of("tok-3141")).toString().contains("tok-3141"));
  }
}
