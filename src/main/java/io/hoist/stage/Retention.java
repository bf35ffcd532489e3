package io.hoist.stage;

import io.hoist.release.Version;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which staged releases pruning may remove from {@code HOME/releases}: those hoist staged (with the
 * marker) whose names are versions, except the newest {@code keep} of them, the release {@code
 * current} points to, the newest release older than that one (the rollback target), and the release
 * just staged. A directory without the marker is never a candidate.
 */
final class Retention {

  private Retention() {}

  /**
   * @param staged names of the directories with hoist's marker
   * @param unmarked names of the other directories (only used to find the release before current)
   * @param current the name {@code current} points to, or {@code null}
   * @param justStaged the release staged now (kept even when it is older than the rest)
   * @param keep how many of the newest staged releases to keep, at least 1
   * @return the names to remove, oldest first
   */
  static List<String> prunable(
      Collection<String> staged,
      Collection<String> unmarked,
      String current,
      String justStaged,
      int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1, not " + keep);
    }
    List<Version> candidates = versions(staged);
    candidates.sort(Comparator.reverseOrder());
    Set<String> kept = new HashSet<>();
    candidates.stream().limit(keep).forEach(v -> kept.add(v.text()));
    kept.add(justStaged);
    if (current != null && Version.isValid(current)) {
      kept.add(current);
      Version running = Version.parse(current);
      List<Version> all = versions(staged);
      all.addAll(versions(unmarked));
      all.stream()
          .filter(v -> v.isOlderThan(running))
          .max(Comparator.naturalOrder())
          .ifPresent(previous -> kept.add(previous.text()));
    }
    List<String> remove = new ArrayList<>();
    for (int i = candidates.size() - 1; i >= 0; i--) {
      String name = candidates.get(i).text();
      if (!kept.contains(name)) {
        remove.add(name);
      }
    }
    return remove;
  }

  private static List<Version> versions(Collection<String> names) {
    List<Version> versions = new ArrayList<>();
    for (String name : names) {
      // Only a name that is its own version text: "1.2.0.partial" or " 1.2.0" are not releases.
      if (Version.isValid(name) && Version.parse(name).text().equals(name)) {
        versions.add(Version.parse(name));
      }
    }
    return versions;
  }
}
