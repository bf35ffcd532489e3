package io.hoist.error;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SuggestionsTest {

  @ParameterizedTest
  @CsvSource({
    "'', '', 0",
    "abc, abc, 0",
    "abc, abd, 1",
    "abc, ab, 1",
    "ab, abc, 1",
    "abc, bac, 1",
    "timeout, timeouts, 1",
    "dae, dea, 1",
    "ca, abc, 3",
    "kitten, sitting, 3",
    "abcdef, abcdxyz, 3",
    "a, abcd, 3"
  })
  void distanceCountsEditsAndSwaps(String a, String b, int expected) {
    assertEquals(expected, Suggestions.distance(a, b));
  }

  @ParameterizedTest
  @CsvSource({"timeout, timeouts", "knownhosts, known_hosts", "HOST_KEYS, host_keys", "dae, dea"})
  void closeNamesAreSuggested(String typed, String expected) {
    assertEquals(
        Optional.of(expected),
        Suggestions.closest(typed, List.of("timeouts", "known_hosts", "host_keys", "dea")));
  }

  @ParameterizedTest
  @CsvSource({"a, x", "colour, paths"})
  void farNamesAreNotSuggested(String typed, String candidate) {
    assertEquals(Optional.empty(), Suggestions.closest(typed, List.of(candidate)));
  }

  @ParameterizedTest
  @CsvSource({"64, true", "65, false", "25000, false"})
  void namesLongerThanTheLimitGetNoSuggestion(int length, boolean suggested) {
    String candidate = "a".repeat(length);
    String typed = "a".repeat(length - 1) + "b";

    assertEquals(
        suggested ? Optional.of(candidate) : Optional.empty(),
        Suggestions.closest(typed, List.of(candidate)));
  }

  @ParameterizedTest
  @CsvSource({"65", "25000"})
  void candidatesLongerThanTheLimitAreNotSuggested(int length) {
    String candidate = "a".repeat(length);

    assertEquals(Optional.empty(), Suggestions.closest("a".repeat(60), List.of(candidate)));
  }
}
