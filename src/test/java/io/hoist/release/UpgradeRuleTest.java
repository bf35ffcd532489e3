package io.hoist.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.model.UpgradePath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpgradeRuleTest {

  @ParameterizedTest(name = "to {0} matches {1}: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          3.6            | 3.6.0     | true
          3.6            | 3.6.12    | true
          3.6            | 3.6.0-rc1 | true
          3.6            | 3.7.0     | false
          3.6            | 3.5.9     | false
          4              | 4.3.1     | true
          4              | 3.9.0     | false
          3.6.1          | 3.6.1     | true
          3.6.1          | 3.6.2     | false
          >=3.6.0 <4.0.0 | 3.9.0     | true
          >=3.6.0 <4.0.0 | 4.0.0     | false
          """)
  void toMatchesALineAVersionOrARange(String to, String version, boolean expected) {
    UpgradeRule rule = UpgradeRule.of(new UpgradePath(to, ">=0.0.0"));

    assertEquals(expected, rule.matches(Version.parse(version)));
  }

  @ParameterizedTest(name = "{0} reads as {1}")
  @CsvSource({"3.6, 3.6.x", "4, 4.x", "3.6.1, 3.6.1", ">=4.0.0, >=4.0.0"})
  void describesWhatItGoverns(String to, String described) {
    assertEquals(described, UpgradeRule.of(new UpgradePath(to, ">=3.5.3")).describeTo());
  }

  @Test
  void fromIsARange() {
    UpgradeRule rule = UpgradeRule.of(new UpgradePath("3.6", ">=3.5.3"));

    assertTrue(rule.allowsFrom(Version.parse("3.5.3")));
    assertEquals(false, rule.allowsFrom(Version.parse("3.5.2")));
  }

  @Test
  void badTextNamesTheField() {
    IllegalArgumentException to =
        assertThrows(
            IllegalArgumentException.class,
            () -> UpgradeRule.of(new UpgradePath("three", ">=3.5.3")));
    IllegalArgumentException from =
        assertThrows(
            IllegalArgumentException.class, () -> UpgradeRule.of(new UpgradePath("3.6", "soon")));

    assertTrue(to.getMessage().startsWith("upgrade path 'to'"), to.getMessage());
    assertTrue(from.getMessage().startsWith("upgrade path 'from'"), from.getMessage());
  }
}
