package io.hoist.release;

import io.hoist.error.ValidationException;
import io.hoist.model.MaxStep;
import io.hoist.model.UpgradePath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Finds the releases a node passes through on its way from one version to another, obeying the
 * upgrade paths and {@code max_step} of the cluster file.
 *
 * <p>A hop from {@code a} to {@code b} is allowed when {@code b} is newer than {@code a}, every
 * rule whose {@code to} matches {@code b} accepts {@code a} in its {@code from}, and {@code
 * max_step} allows the distance. Intermediate versions are releases of the repository, never
 * pre-releases; the target must be a release of the repository too. Of all paths with the fewest
 * hops the one with the highest version at each step is chosen (a newer patch carries more fixes
 * into the next hop).
 *
 * <p>Versions are the same when their texts are the same ({@link Version#equals}). Immutable and
 * thread-safe.
 */
public final class PathFinder {

  private final List<Version> available;
  private final List<UpgradeRule> rules;
  private final MaxStep maxStep;

  /**
   * @param available the repository's releases, any order
   * @param rules the cluster file's upgrade paths
   * @param maxStep how far one hop may go
   * @throws IllegalArgumentException when a rule cannot be parsed
   */
  public PathFinder(List<Version> available, List<UpgradePath> rules, MaxStep maxStep) {
    this.available = List.copyOf(new TreeSet<>(available));
    this.rules = rules.stream().map(UpgradeRule::of).toList();
    this.maxStep = Objects.requireNonNull(maxStep, "maxStep");
  }

  /**
   * The versions a node on {@code from} passes through to reach {@code to}, {@code to} last; empty
   * when {@code from} is {@code to}.
   *
   * @throws ValidationException for a downgrade, a target that is not in the repository, or when no
   *     path exists; the message names the missing step
   */
  public List<Version> hops(Version from, Version to) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (from.equals(to)) {
      return List.of();
    }
    if (to.isOlderThan(from)) {
      throw new ValidationException(
          "refusing to downgrade from "
              + from
              + " to "
              + to
              + ": an upgrade only goes forward (hoist rollback returns to a previous release)");
    }
    if (!available.contains(to)) {
      throw new ValidationException(
          "no upgrade path from "
              + from
              + " to "
              + to
              + ": "
              + to
              + " is not in the repository ("
              + releasesText(available)
              + ")");
    }
    Map<Version, Integer> distance = distancesTo(from, to);
    Integer total = distance.get(from);
    if (total == null) {
      throw new ValidationException(
          "no upgrade path from " + from + " to " + to + ": " + explain(from, to, true));
    }
    List<Version> path = new ArrayList<>();
    Version at = from;
    while (!at.equals(to)) {
      int remaining = distance.get(at) - 1;
      Version next = null;
      for (Version candidate : distance.keySet()) {
        if (distance.get(candidate) == remaining
            && isAllowed(at, candidate)
            && (next == null || candidate.isNewerThan(next))) {
          next = candidate;
        }
      }
      path.add(next);
      at = next;
    }
    return List.copyOf(path);
  }

  /**
   * The newest release of the repository that every version in {@code froms} can reach; a version
   * already at or above a release counts as reaching it. Pre-releases are not offered. Empty when
   * there is none (or the repository has no release).
   */
  public Optional<Version> newestReachable(Collection<Version> froms) {
    for (int i = available.size() - 1; i >= 0; i--) {
      Version candidate = available.get(i);
      if (candidate.isPreRelease()) {
        continue;
      }
      if (froms.stream().allMatch(f -> !f.isOlderThan(candidate) || isReachable(f, candidate))) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The repository's releases as given, oldest first. */
  public List<Version> available() {
    return available;
  }

  private boolean isReachable(Version from, Version to) {
    return distancesTo(from, to).containsKey(from);
  }

  /**
   * Fewest hops from each candidate (and from {@code from}) to {@code to}; absent when {@code to}
   * cannot be reached. Hops only go up, so one pass from the newest candidate down suffices.
   */
  private Map<Version, Integer> distancesTo(Version from, Version to) {
    List<Version> candidates = intermediates(from, to);
    candidates.add(to);
    Map<Version, Integer> distance = new HashMap<>();
    distance.put(to, 0);
    List<Version> descending = new ArrayList<>(candidates);
    descending.sort((a, b) -> b.compareTo(a));
    descending.add(from);
    for (Version v : descending) {
      if (v.equals(to)) {
        continue;
      }
      Integer best = null;
      for (Map.Entry<Version, Integer> e : distance.entrySet()) {
        if (isAllowed(v, e.getKey()) && (best == null || e.getValue() + 1 < best)) {
          best = e.getValue() + 1;
        }
      }
      if (best != null) {
        distance.put(v, best);
      }
    }
    return distance;
  }

  /** Releases strictly between the two versions that may serve as a stop: no pre-releases. */
  private List<Version> intermediates(Version from, Version to) {
    List<Version> between = new ArrayList<>();
    for (Version v : available) {
      if (v.isNewerThan(from) && v.isOlderThan(to) && !v.isPreRelease()) {
        between.add(v);
      }
    }
    return between;
  }

  private boolean isAllowed(Version a, Version b) {
    return b.isNewerThan(a) && rulesAllow(a, b) && stepAllows(a, b);
  }

  private boolean rulesAllow(Version a, Version b) {
    for (UpgradeRule rule : rules) {
      if (rule.matches(b) && !rule.allowsFrom(a)) {
        return false;
      }
    }
    return true;
  }

  private boolean stepAllows(Version a, Version b) {
    return switch (maxStep) {
      case ANY -> true;
      case MAJOR -> b.major() <= a.major() + 1;
      case MINOR ->
          (b.major() == a.major() && b.minor() <= a.minor() + 1)
              || (b.major() == a.major() + 1 && b.minor() == 0);
    };
  }

  /** Why {@code to} cannot be reached from {@code from}: the first missing step, precisely. */
  private String explain(Version from, Version to, boolean listReleases) {
    Set<Version> reachable = reachableFrom(from, to);
    List<Version> stepOk = reachable.stream().filter(r -> stepAllows(r, to)).toList();
    if (stepOk.isEmpty()) {
      Version highest = reachable.stream().max(Version::compareTo).orElseThrow();
      return explainStep(from, highest, to, listReleases);
    }
    Version best = stepOk.stream().max(Version::compareTo).orElseThrow();
    UpgradeRule blocking =
        rules.stream().filter(r -> r.matches(to) && !r.allowsFrom(best)).findFirst().orElseThrow();
    String why =
        "reaching "
            + blocking.describeTo()
            + " needs a node on "
            + blocking.from()
            + ", and no release in the repository gets there from "
            + from
            + (listReleases ? " (" + releasesText(available) + ")" : "");
    // A release that would satisfy the rule exists but is out of reach itself: say why.
    Optional<Version> stop =
        intermediates(from, to).stream()
            .filter(v -> blocking.allowsFrom(v) && !reachable.contains(v))
            .max(Version::compareTo);
    return stop.map(v -> why + "; " + v + " cannot be reached: " + explain(from, v, false))
        .orElse(why);
  }

  private String explainStep(Version from, Version highest, Version to, boolean listReleases) {
    String line;
    int major;
    int minor;
    if (maxStep == MaxStep.MINOR) {
      if (to.major() == highest.major()) {
        major = highest.major();
        minor = highest.minor() + 1;
      } else {
        major = highest.major() + 1;
        minor = 0;
      }
      line = major + "." + minor + ".x";
    } else {
      major = highest.major() + 1;
      minor = -1;
      line = major + ".x";
    }
    List<Version> inLine =
        intermediates(from, to).stream()
            .filter(v -> v.major() == major && (minor < 0 || v.minor() == minor))
            .toList();
    String needs =
        "max_step "
            + maxStep.name().toLowerCase(Locale.ROOT)
            + " needs a "
            + line
            + " release between "
            + highest
            + " and "
            + to;
    if (inLine.isEmpty()) {
      return needs + "; the repository has none";
    }
    // The line exists but cannot be reached: say why for its newest release.
    Version stop = inLine.get(inLine.size() - 1);
    return needs
        + "; "
        + stop
        + " is in the repository but cannot be reached: "
        + explain(from, stop, listReleases);
  }

  /** Every version (from included) reachable from {@code from} on the way to {@code to}. */
  private Set<Version> reachableFrom(Version from, Version to) {
    Set<Version> reached = new LinkedHashSet<>();
    reached.add(from);
    for (Version v : intermediates(from, to)) {
      if (reached.stream().anyMatch(r -> isAllowed(r, v))) {
        reached.add(v);
      }
    }
    return reached;
  }

  private static String releasesText(List<Version> releases) {
    if (releases.isEmpty()) {
      return "the repository has no releases";
    }
    return "releases: " + releases.stream().map(Version::text).collect(Collectors.joining(", "));
  }
}
