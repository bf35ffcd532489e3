package io.hoist.error;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean ...?" for misspelt keys, roles, nodes and variables: one rule everywhere. */
public final class Suggestions {

  private static final int MAX_DISTANCE = 2;

  private Suggestions() {}

  /**
   * The candidate closest to {@code typed}: equal ignoring case, {@code _} and {@code -}, or at
   * most two edits (insert, delete, replace, swap of neighbours) away, and fewer edits than the
   * typed word is long (so "a" does not suggest "x").
   */
  public static Optional<String> closest(String typed, Collection<String> candidates) {
    String normalTyped = normalize(typed);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
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

  /** Optimal string alignment distance (Damerau-Levenshtein without repeated edits). */
  static int distance(String a, String b) {
    if (Math.abs(a.length() - b.length()) > MAX_DISTANCE) {
      return MAX_DISTANCE + 1;
    }
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
