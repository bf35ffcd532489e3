package io.hoist.cli;

import java.util.Collection;
import java.util.Locale;

/** "did you mean" for names typed on the command line. */
final class Suggest {

  private Suggest() {}

  /** {@code "; did you mean 'x'?"}, or {@code "; known: a, b, c"}, or "" with no candidates. */
  static String didYouMean(String typed, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(typed.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    if (best != null && bestDistance <= Math.max(2, typed.length() / 3)) {
      return "; did you mean '" + best + "'?";
    }
    return candidates.isEmpty() ? "" : "; known: " + String.join(", ", candidates);
  }

  static int distance(String a, String b) {
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
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
