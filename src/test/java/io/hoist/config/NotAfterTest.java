package io.hoist.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The forms of {@code --not-after} and {@code not_after}, read on a fixed clock and zone. */
class NotAfterTest {

  /** 02:30 in Paris (UTC+1 in November) on 2026-11-22. */
  private static final Clock PARIS =
      Clock.fixed(Instant.parse("2026-11-22T01:30:00Z"), ZoneId.of("Europe/Paris"));

  @ParameterizedTest
  @CsvSource({
    // HH:MM later today, local time
    "05:30, 2026-11-22T04:30:00Z",
    "5:30, 2026-11-22T04:30:00Z",
    "23:59, 2026-11-22T22:59:00Z",
    "02:31, 2026-11-22T01:31:00Z",
    // passed today, or this very minute: tomorrow
    "02:30, 2026-11-23T01:30:00Z",
    "01:00, 2026-11-23T00:00:00Z",
    "00:00, 2026-11-22T23:00:00Z",
    // ISO without an offset: the core node's zone
    "2026-11-22T05:30, 2026-11-22T04:30:00Z",
    "2026-11-22T05:30:15, 2026-11-22T04:30:15Z",
    // with an offset, or Z
    "2026-11-22T05:30+01:00, 2026-11-22T04:30:00Z",
    "2026-11-22T05:30-05:00, 2026-11-22T10:30:00Z",
    "2026-11-22T04:30Z, 2026-11-22T04:30:00Z",
    // relative
    "+2h, 2026-11-22T03:30:00Z",
    "+90m, 2026-11-22T03:00:00Z",
    "+1h30m, 2026-11-22T03:00:00Z",
    "' 05:30 ', 2026-11-22T04:30:00Z"
  })
  void formsAreReadOnTheClockAndItsZone(String text, String expected) {
    assertEquals(Instant.parse(expected), NotAfter.resolve(text, PARIS));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "5",
        "24:00",
        "05:60",
        "0530",
        "5:3",
        "tomorrow",
        "2026-11-22",
        "2026-11-22 05:30",
        "2026-13-22T05:30",
        "+",
        "+soon",
        "-2h",
        "05:30pm"
      })
  void garbageIsRefusedNamingTheForms(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NotAfter.resolve(text, PARIS));
    assertTrue(e.getMessage().contains("HH:MM"), e.getMessage());
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
  }
}
