package io.hoist.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.ValidationException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManifestTest {

  private static final String WHERE = "acme-3.6.1.tar.gz: hoist-release.json";

  private static Manifest parse(String json) {
    return Manifest.parse(json.getBytes(StandardCharsets.UTF_8), WHERE);
  }

  private static String problem(String json) {
    return assertThrows(ValidationException.class, () -> parse(json)).getMessage();
  }

  @Test
  void fullManifestIsRead() {
    Manifest m =
        parse(
            "{\"product\": \"acme\", \"version\": \"3.6.1\", \"upgrade_from\": \">=3.5.3\","
                + " \"min_hoist\": \"0.1.0\"}");
    assertEquals("acme", m.product());
    assertEquals(Version.parse("3.6.1"), m.version());
    assertEquals(">=3.5.3", m.upgradeFrom().text());
    assertEquals(Version.parse("0.1.0"), m.minHoist());
  }

  @Test
  void optionalKeysMayBeLeftOut() {
    Manifest m = parse("{\"product\": \"acme\", \"version\": \"3.6\"}");
    assertNull(m.upgradeFrom());
    assertNull(m.minHoist());
    assertTrue(m.allowsUpgradeFrom(Version.parse("1.0.0")));
    assertTrue(m.installableBy(Version.parse("0.0.1")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{\"version\": \"3.6.1\"}| missing key 'product'",
        "{\"product\": \"acme\"}| missing key 'version'",
        "{\"product\": \"acme\", \"version\": \"3.6.x\"}| version: '3.6.x' is not a version",
        "{\"product\": \"acme\", \"version\": 3.6}| 'version' must be a string, found number 3.6",
        "{\"product\": \"acme\", \"version\": \"3.6.1\", \"upgrade_from\": \"from 3.5\"}"
            + "| upgrade_from: 'from 3.5' is not a version range",
        "{\"product\": \"acme\", \"version\": \"3.6.1\", \"min_hoist\": \"new\"}"
            + "| min_hoist: 'new' is not a version",
        "{\"product\": \"acme\", \"version\": \"3.6.1\", \"min_hoist\": null}"
            + "| 'min_hoist' must be a string, found null",
        "{\"product\": \"../acme\", \"version\": \"3.6.1\"}| product '../acme' is not a product name",
        "{\"product\": \"acme\", \"version\": \"3.6.1\", \"upgrade-from\": \">=3.5\"}"
            + "| unknown key 'upgrade-from' (known keys: product, version, upgrade_from, min_hoist)",
        "{\"product\": \"acme\", \"version\": \"3.6.1\", \"version\": \"3.7.0\"}"
            + "| not valid JSON (line 1, column ",
        "{\"product\": \"acme\", \"version\": \"3.6.1\"} {}| not valid JSON",
        "{\"product\": \"acme\", | not valid JSON",
        "[\"acme\"]| expected a JSON object, found array",
        "``| is empty",
      })
  void badManifestIsRefusedWithAPreciseMessage(String json, String expected) {
    String message = problem(json);
    assertTrue(message.startsWith(WHERE + ": "), message);
    assertTrue(message.contains(expected.strip()), message);
  }

  @Test
  void toJsonIsDeterministicAndReadsBack() {
    Manifest m =
        new Manifest(
            "acme", Version.parse("3.6.1"), VersionRange.parse(">=3.5.3"), Version.parse("0.1.0"));
    String json = new String(m.toJson(), StandardCharsets.UTF_8);
    assertEquals(
        "{\n  \"product\" : \"acme\",\n  \"version\" : \"3.6.1\",\n"
            + "  \"upgrade_from\" : \">=3.5.3\",\n  \"min_hoist\" : \"0.1.0\"\n}\n",
        json);
    assertEquals(m, Manifest.parse(m.toJson(), WHERE));
    Manifest bare = new Manifest("acme", Version.parse("3.6"), null, null);
    assertEquals(
        "{\n  \"product\" : \"acme\",\n  \"version\" : \"3.6\"\n}\n",
        new String(bare.toJson(), StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @CsvSource({"3.5.3, true", "3.5.9, true", "3.5.2, false", "3.4.9, false", "3.6.0, true"})
  void upgradeFromRangeIsHonoured(String installed, boolean allowed) {
    Manifest m = parse("{\"product\":\"acme\",\"version\":\"3.6.1\",\"upgrade_from\":\">=3.5.3\"}");
    assertEquals(allowed, m.allowsUpgradeFrom(Version.parse(installed)));
  }

  @ParameterizedTest
  @CsvSource({
    "0.1.0, true",
    "0.1.0-SNAPSHOT, true",
    "0.1.0-rc.1, true",
    "0.1.1, true",
    "0.0.9, false",
    "0.0.9-SNAPSHOT, false",
    "0.1.0+build.7, true"
  })
  void minHoistComparesAgainstHoistWithoutItsPreRelease(String hoist, boolean installable) {
    Manifest m = parse("{\"product\":\"acme\",\"version\":\"3.6.1\",\"min_hoist\":\"0.1.0\"}");
    assertEquals(installable, m.installableBy(Version.parse(hoist)));
  }

  @Test
  void preReleaseMinHoistIsMetByItsRelease() {
    Manifest m = parse("{\"product\":\"acme\",\"version\":\"3.6.1\",\"min_hoist\":\"0.2.0-rc.1\"}");
    assertTrue(m.installableBy(Version.parse("0.2.0-SNAPSHOT")));
    assertFalse(m.installableBy(Version.parse("0.1.9")));
  }
}
