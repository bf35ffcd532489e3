package io.hoist.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.ValidationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChecksumFileTest {

  private static final String HEX =
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  @ParameterizedTest
  @ValueSource(
      strings = {
        HEX,
        HEX + "\n",
        HEX + "  acme-1.0.tar.gz\n",
        HEX + " *acme-1.0.tar.gz\r\n",
        HEX + "\tacme-1.0.tar.gz",
        "  " + HEX + "  acme-1.0.tar.gz\nsecond line is ignored\n",
        "\uFEFF" + HEX + "\n",
        "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF  x"
      })
  void readsTheHexOfTheFirstLine(String text) {
    assertEquals(HEX, ChecksumFile.parse(text, "f.sha256"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "\n" + HEX,
        "not a checksum",
        "0123456789abcdef",
        HEX + "0",
        HEX + "acme-1.0.tar.gz",
        "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
      })
  void malformedFileIsAValidationErrorNamingIt(String text) {
    ValidationException e =
        assertThrows(
            ValidationException.class, () -> ChecksumFile.parse(text, "https://h/a.tgz.sha256"));

    assertTrue(
        e.getMessage().startsWith("checksum file https://h/a.tgz.sha256 is malformed"),
        e.getMessage());
  }
}
