package io.hoist.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
    "90s, 90000",
    "10m, 600000",
    "1h, 3600000",
    "500ms, 500",
    "1m30s, 90000",
    "1h30m, 5400000",
    "2d, 172800000",
    "1s500ms, 1500",
    "90, 90000",
    "0, 0",
    "0s, 0",
    "' 5s ', 5000"
  })
  void acceptedFormsParse(String text, long millis) {
    assertEquals(Duration.ofMillis(millis), Durations.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-5s", "5x", "soon", "1.5s", "s", "30s1m", "1m1m", "5 s", "PT5S"})
  void otherFormsAreRejectedWithExamples(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    assertTrue(e.getMessage().contains("examples: 90s"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"90000, 1m30s", "0, 0s", "500, 500ms", "3600000, 1h"})
  void formatIsReadBack(long millis, String text) {
    assertEquals(text, Durations.format(Duration.ofMillis(millis)));
    assertEquals(Duration.ofMillis(millis), Durations.parse(text));
  }
}
