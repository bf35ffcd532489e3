package io.hoist.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantitiesTest {

  @ParameterizedTest(name = "{0} B is {1}")
  @CsvSource({
    "0, 0 B",
    "1023, 1023 B",
    "1024, 1.0 KiB",
    "1536, 1.5 KiB",
    "1048524, 1023.9 KiB",
    "1048575, 1024.0 KiB",
    "52428800, 50.0 MiB",
    "1073741824, 1.0 GiB",
    "13421772800, 12.5 GiB",
    "1152921504606846976, 1048576.0 TiB",
    "9223372036854775807, 8388608.0 TiB",
  })
  void sizesPrintWithOneDecimalRoundedHalfUp(long bytes, String expected) {
    assertEquals(expected, Quantities.bytes(bytes));
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "0, 0.0",
    "0.04, 0.0",
    "0.05, 0.1",
    "1.44, 1.4",
    "1.45, 1.5",
    "1.46, 1.5",
    "2.0, 2.0",
    "59.96, 60.0"
  })
  void tenthsRoundHalfUp(double value, String expected) {
    assertEquals(expected, Quantities.tenths(value));
  }

  @Test
  void aNegativeSizeIsAMistake() {
    assertThrows(IllegalArgumentException.class, () -> Quantities.bytes(-1));
  }
}
