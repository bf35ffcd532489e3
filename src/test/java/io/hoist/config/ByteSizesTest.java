package io.hoist.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizesTest {

  @ParameterizedTest(name = "{0} = {1} bytes")
  @CsvSource({
    "1GiB, 1073741824",
    "512MiB, 536870912",
    "100MB, 100000000",
    "1G, 1073741824",
    "1g, 1073741824",
    "2KiB, 2048",
    "2KB, 2000",
    "1TiB, 1099511627776",
    "4096, 4096",
    "10B, 10",
    "'1 GiB', 1073741824"
  })
  void acceptedFormsParse(String text, long bytes) {
    assertEquals(bytes, ByteSizes.parse(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "lots", "-1GiB", "1.5GiB", "1Gi", "1PB", "GiB", "99999999999999999999GiB"})
  void otherFormsAreRejected(String text) {
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse(text));
  }
}
