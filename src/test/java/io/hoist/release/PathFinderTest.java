package io.hoist.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.ValidationException;
import io.hoist.model.MaxStep;
import io.hoist.model.UpgradePath;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathFinderTest {

  private static final List<UpgradePath> WEKA =
      List.of(
          new UpgradePath("3.6", ">=3.5.3"),
          new UpgradePath("3.5", ">=3.4.6"),
          new UpgradePath("3.4", ">=3.3.1"),
          new UpgradePath("3.3", ">=3.2.1"));

  private static List<Version> versions(String spaced) {
    if (spaced.isBlank()) {
      return List.of();
    }
    return Arrays.stream(spaced.strip().split("\\s+")).map(Version::parse).toList();
  }

  private static String joined(List<Version> path) {
    return String.join(" ", path.stream().map(Version::text).toList());
  }

  private static PathFinder finder(String releases, List<UpgradePath> rules, MaxStep step) {
    return new PathFinder(versions(releases), rules, step);
  }

  @Test
  void aviatrixGoesOneMinorReleaseAtATime() {
    PathFinder paths = finder("3.1 3.2 3.3 3.4 3.5", List.of(), MaxStep.MINOR);

    List<Version> hops = paths.hops(Version.parse("3.1"), Version.parse("3.5"));

    assertEquals("3.2 3.3 3.4 3.5", joined(hops));
  }

  @Test
  void wekaChainTakesTheNewestPatchOfEachLine() {
    PathFinder paths = finder("3.4.6 3.4.7 3.5.2 3.5.3 3.5.4 3.6.0 3.6.1", WEKA, MaxStep.ANY);

    List<Version> hops = paths.hops(Version.parse("3.4.2"), Version.parse("3.6.1"));

    assertEquals("3.4.7 3.5.4 3.6.1", joined(hops));
  }

  @ParameterizedTest(name = "{0} -> {1} with [{2}] under {3}: {4}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          3.5.3 | 3.6.1 | 3.5.4 3.6.0 3.6.1             | ANY   | 3.6.1
          3.5.3 | 3.6.1 | 3.5.4 3.6.0 3.6.1             | MINOR | 3.6.1
          3.4.6 | 3.5.4 | 3.4.7 3.5.2 3.5.4             | ANY   | 3.5.4
          3.5.2 | 3.6.1 | 3.5.3 3.5.4 3.6.1             | ANY   | 3.5.4 3.6.1
          3.3.2 | 3.6.1 | 3.4.6 3.5.3 3.6.1             | MINOR | 3.4.6 3.5.3 3.6.1
          3.9.2 | 4.2.0 | 4.0.0 4.0.3 4.1.0 4.2.0       | MINOR | 4.0.3 4.1.0 4.2.0
          3.9.2 | 5.1.0 | 4.0.0 4.9.0 5.0.0 5.1.0       | MAJOR | 4.9.0 5.1.0
          3.4.7 | 3.6.1 | 3.5.4 3.6.0-rc1 3.6.1         | ANY   | 3.5.4 3.6.1
          3.5.4 | 3.6.0-rc1 | 3.6.0-rc1 3.6.1         | ANY   | 3.6.0-rc1
          """)
  void findsTheShortestPathWithTheHighestStops(
      String from, String to, String releases, MaxStep step, String expected) {
    PathFinder paths = finder(releases, WEKA, step);

    assertEquals(expected, joined(paths.hops(Version.parse(from), Version.parse(to))));
  }

  @Test
  void fewestHopsWinsOverHigherStops() {
    // 3.5.4 could be reached in one hop only via 3.4.7; 3.5.2 is one hop from 3.4.2 directly.
    List<UpgradePath> rules = List.of(new UpgradePath("3.6", ">=3.5.2"));
    PathFinder paths = finder("3.4.7 3.5.2 3.5.4 3.6.1", rules, MaxStep.ANY);

    assertEquals("3.5.4 3.6.1", joined(paths.hops(Version.parse("3.4.2"), Version.parse("3.6.1"))));
  }

  @Test
  void tiesPreferTheHighestVersionAtEachStep() {
    List<UpgradePath> rules = List.of(new UpgradePath("3.6", ">=3.5.0 <3.6.0"));
    PathFinder paths = finder("3.5.0 3.5.1 3.5.9 3.6.1", rules, MaxStep.ANY);

    assertEquals("3.5.9 3.6.1", joined(paths.hops(Version.parse("3.4.0"), Version.parse("3.6.1"))));
  }

  @Test
  void exactAndRangeRulesGovernTheirVersionsOnly() {
    List<UpgradePath> rules =
        List.of(new UpgradePath("3.6.1", ">=3.6.0"), new UpgradePath(">=4.0.0", ">=3.6.1"));
    PathFinder paths = finder("3.6.0 3.6.1 3.6.2 4.0.0", rules, MaxStep.ANY);

    assertEquals("3.6.2", joined(paths.hops(Version.parse("3.5.0"), Version.parse("3.6.2"))));
    assertEquals("3.6.0 3.6.1", joined(paths.hops(Version.parse("3.5.0"), Version.parse("3.6.1"))));
    assertEquals("3.6.2 4.0.0", joined(paths.hops(Version.parse("3.5.0"), Version.parse("4.0.0"))));
  }

  @Test
  void sameVersionNeedsNoHop() {
    PathFinder paths = finder("3.6.1", WEKA, MaxStep.MINOR);

    assertEquals(List.of(), paths.hops(Version.parse("3.6.1"), Version.parse("3.6.1")));
  }

  @ParameterizedTest(name = "{0} -> {1} with [{2}] under {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          3.3.2 | 3.6.1 | 3.4.7 3.6.1 | ANY | no upgrade path from 3.3.2 to 3.6.1: reaching 3.6.x needs a node on >=3.5.3, and no release in the repository gets there from 3.3.2 (releases: 3.4.7, 3.6.1)
          3.3.2 | 3.5.0 | 3.5.0 | MINOR | no upgrade path from 3.3.2 to 3.5.0: max_step minor needs a 3.4.x release between 3.3.2 and 3.5.0; the repository has none
          3.9.2 | 4.1.0 | 4.1.0 | MINOR | max_step minor needs a 4.0.x release between 3.9.2 and 4.1.0; the repository has none
          3.1.0 | 5.0.0 | 3.2.0 5.0.0 | MAJOR | max_step major needs a 4.x release between 3.2.0 and 5.0.0; the repository has none
          3.2.0 | 3.5.0 | 3.4.1 3.5.0 | MINOR | max_step minor needs a 3.3.x release between 3.2.0 and 3.5.0; the repository has none
          3.3.0 | 3.5.4 | 3.4.1 3.5.4 | MINOR | 3.4.1 is in the repository but cannot be reached: reaching 3.4.x needs a node on >=3.3.1
          3.3.2 | 3.7.0 | 3.4.7 3.6.1 | ANY | no upgrade path from 3.3.2 to 3.7.0: 3.7.0 is not in the repository (releases: 3.4.7, 3.6.1)
          3.3.2 | 3.7.0 | '' | ANY | 3.7.0 is not in the repository (the repository has no releases)
          3.6.1 | 3.5.4 | 3.5.4 | ANY | refusing to downgrade from 3.6.1 to 3.5.4
          3.3.2 | 3.6.1 | 3.4.7 3.6.0-rc1 3.6.1 | ANY | reaching 3.6.x needs a node on >=3.5.3
          """)
  void refusesWithAPreciseMessage(
      String from, String to, String releases, MaxStep step, String fragment) {
    PathFinder paths = finder(releases == null ? "" : releases, WEKA, step);

    ValidationException e =
        assertThrows(
            ValidationException.class, () -> paths.hops(Version.parse(from), Version.parse(to)));

    assertTrue(e.getMessage().contains(fragment), () -> e.getMessage());
  }

  @Test
  void aLineThatExistsButCannotBeReachedIsExplained() {
    // 3.4.1 exists, but reaching 3.4.x needs >=3.3.1 and the node is on 3.3.0 with no 3.3.1.
    PathFinder paths = finder("3.4.1 3.5.0", WEKA, MaxStep.MINOR);

    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> paths.hops(Version.parse("3.3.0"), Version.parse("3.5.0")));

    assertEquals(
        "no upgrade path from 3.3.0 to 3.5.0: max_step minor needs a 3.4.x release between 3.3.0"
            + " and 3.5.0; 3.4.1 is in the repository but cannot be reached: reaching 3.4.x needs"
            + " a node on >=3.3.1, and no release in the repository gets there from 3.3.0"
            + " (releases: 3.4.1, 3.5.0)",
        e.getMessage());
  }

  @Test
  void aChainOfUnmetRulesIsExplainedToItsRoot() {
    PathFinder paths = finder("3.4.7 3.5.4 3.6.1", WEKA, MaxStep.ANY);

    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> paths.hops(Version.parse("3.3.0"), Version.parse("3.6.1")));

    String releases = " (releases: 3.4.7, 3.5.4, 3.6.1)";
    assertEquals(
        "no upgrade path from 3.3.0 to 3.6.1: reaching 3.6.x needs a node on >=3.5.3, and no"
            + " release in the repository gets there from 3.3.0"
            + releases
            + "; 3.5.4 cannot be reached: reaching 3.5.x needs a node on >=3.4.6, and no release"
            + " in the repository gets there from 3.3.0"
            + "; 3.4.7 cannot be reached: reaching 3.4.x needs a node on >=3.3.1, and no release"
            + " in the repository gets there from 3.3.0",
        e.getMessage());
  }

  @ParameterizedTest(name = "[{0}] from [{1}] under {2}: {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          3.4.7 3.5.4 3.6.1       | 3.4.2             | ANY   | 3.6.1
          3.4.7 3.5.4 3.6.1       | 3.3.0             | ANY   | ''
          3.4.7 3.5.2 3.6.1       | 3.4.6 3.3.2       | ANY   | 3.5.2
          3.4.7 3.5.4 3.6.1 3.7.0-rc1 | 3.5.4         | ANY   | 3.6.1
          3.2.1 3.3.1 3.4.6 3.5.3 | 3.1 3.4.6         | MINOR | 3.5.3
          3.4.7 3.5.4             | 3.6.1 3.5.3       | ANY   | 3.5.4
          3.4.7 3.5.4             | ''                | ANY   | 3.5.4
          ''                      | 3.5.4             | ANY   | ''
          """)
  void newestReachableIsReachableByEveryNode(
      String releases, String froms, MaxStep step, String expected) {
    PathFinder paths = finder(releases == null ? "" : releases, WEKA, step);

    Optional<Version> newest = paths.newestReachable(versions(froms == null ? "" : froms));

    assertEquals(expected == null ? "" : expected, newest.map(Version::text).orElse(""));
  }
}
