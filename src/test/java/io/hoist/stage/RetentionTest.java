package io.hoist.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetentionTest {

  @ParameterizedTest(name = "staged {0}, unmarked {1}, current {2}, just {3}, keep {4} -> {5}")
  @CsvSource(
      delimiter = ';',
      nullValues = "-",
      value = {
        // the example: 2 newest, current, the one before current
        "1.0.0 1.1.0 1.2.0 1.3.0 1.4.0 1.5.0; ; 1.2.0; 1.5.0; 2; 1.0.0 1.3.0",
        // nothing beyond keep
        "1.4.0 1.5.0; ; 1.4.0; 1.5.0; 2; ",
        // the one before current is unmarked: older staged ones are not protected by it
        "1.0.0 1.2.0 1.5.0; 1.1.0; 1.2.0; 1.5.0; 1; 1.0.0",
        // no current link: only keep applies
        "1.0.0 1.1.0 1.2.0; ; -; 1.2.0; 1; 1.0.0 1.1.0",
        // current points at something that is not a version
        "1.0.0 1.1.0 1.2.0; ; weird; 1.2.0; 2; 1.0.0",
        // an older release staged now is kept even though keep would drop it
        "1.0.0 1.4.0 1.5.0; ; 1.5.0; 1.0.0; 1; ",
        // names that are not version texts are never candidates
        "1.0.0.partial scratch v1.0.0 1.1.0 1.2.0; ; 1.2.0; 1.2.0; 1; ",
        // semantic order, not text order: 1.10.0 is newer than 1.9.0
        "1.9.0 1.10.0 1.2.0; ; 1.10.0; 1.10.0; 1; 1.2.0",
        // a pre-release is older than its release, so it can be the one before current
        "2.0.0-rc1 2.0.0 1.9.0; ; 2.0.0; 2.0.0; 1; 1.9.0",
        "2.0.0-rc1 2.0.0 1.8.0 1.9.0; ; 1.9.0; 2.0.0; 1; 2.0.0-rc1",
      })
  void removesStagedReleasesBeyondKeepThatNothingProtects(
      String staged, String unmarked, String current, String justStaged, int keep, String removed) {
    assertEquals(
        words(removed),
        Retention.prunable(words(staged), words(unmarked), current, justStaged, keep));
  }

  @Test
  void keepMustBePositive() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Retention.prunable(List.of("1.0.0"), List.of(), null, "1.0.0", 0));
  }

  private static List<String> words(String text) {
    return text == null || text.isBlank() ? List.of() : Arrays.asList(text.trim().split(" +"));
  }
}
