package io.hoist.error;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean ...?" for misspelt keys, roles, nodes and variables: one rule everywhere. */
public final class Suggestions {

  private static final int MAX_DISTANCE = 2;

  /**
   * Names longer than this get no suggestion: nobody misspells a 65-character key, and the edit
   * distance costs time proportional to the product of the lengths.
   */
  static final int MAX_LENGTH = 64;

  private Suggestions() {}

  /**
   * The candidate closest to {@code typed}: equal ignoring case, {@code _} and {@code -}, or at
   * most two edits (insert, delete, replace, swap of neighbours) away, and fewer edits than the
   * typed word is long (so "a" does not suggest "x"). A {@code typed} name longer than {@value
   * #MAX_LENGTH} characters gets no suggestion, and such candidates are never suggested, so the
   * cost is bounded whatever a hostile file holds.
   */
  public static Optional<String> closest(String typed, Collection<String> candidates) {
    if (typed.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    String normalTyped = normalize(typed);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      if (candidate.length() > MAX_LENGTH) {
        continue;
      }
      int distance = normalize(candidate).equals(normalTyped) ? 0 : distance(typed, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    boolean close = best != null && bestDistance <= MAX_DISTANCE && bestDistance < typed.length();
    return close ? Optional.of(best) : Optional.empty();
  }

  /** {@code " (did you mean 'x'?)"} or the empty string. */
  public static String didYouMean(String typed, Collection<String> candidates) {
    return closest(typed, candidates).map(s -> " (did you mean '" + s + "'?)").orElse("");
  }

  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  /**
   * Optimal string alignment distance (Damerau-Levenshtein without repeated edits), or {@code
   * MAX_DISTANCE + 1} when the lengths alone say it is larger. Keeps three rows, not the matrix.
   */
  static int distance(String a, String b) {
    if (Math.abs(a.length() - b.length()) > MAX_DISTANCE) {
      return MAX_DISTANCE + 1;
    }
    int[] beforePrevious = new int[b.length() + 1];
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          current[j] = Math.min(current[j], beforePrevious[j - 2] + 1);
        }
      }
      int[] recycled = beforePrevious;
      beforePrevious = previous;
      previous = current;
      current = recycled;
    }
    return previous[b.length()];
  }
}
