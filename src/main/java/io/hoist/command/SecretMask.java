package io.hoist.command;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Hides secret values in text hoist did not write itself: the output of commands (which may echo a
 * secret it was given), and messages built from it. Every occurrence of a secret is replaced by
 * {@link #MASK}.
 *
 * <p>Output reaches hoist line by line, so a secret that spans lines cannot be found whole: each of
 * its lines of at least {@link #MIN_LINE} characters is masked on its own as well. A secret cut by
 * the split of a very long line ({@code OutputPump.MAX_LINE_BYTES}) is not found. Longer secrets
 * are replaced first, so a secret that contains another is masked whole.
 *
 * <p>Immutable and thread-safe.
 */
public final class SecretMask {

  /** What a secret is replaced by. */
  public static final String MASK = "***";

  /** The shortest line of a multi-line secret that is masked on its own. */
  static final int MIN_LINE = 4;

  /** Masks nothing. */
  public static final SecretMask NONE = new SecretMask(List.of());

  private final List<String> needles;

  private SecretMask(List<String> needles) {
    this.needles = needles;
  }

  /** A mask for these secret values; empty values are ignored. */
  public static SecretMask of(Collection<String> secrets) {
    Set<String> needles = new LinkedHashSet<>();
    for (String secret : secrets) {
      if (secret == null || secret.isEmpty()) {
        continue;
      }
      needles.add(secret);
      if (secret.indexOf('\n') >= 0 || secret.indexOf('\r') >= 0) {
        for (String line : secret.split("\r?\n|\r")) {
          if (line.strip().length() >= MIN_LINE) {
            needles.add(line);
          }
        }
      }
    }
    List<String> sorted = new ArrayList<>(needles);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return sorted.isEmpty() ? NONE : new SecretMask(List.copyOf(sorted));
  }

  /** Whether there is nothing to mask. */
  public boolean isEmpty() {
    return needles.isEmpty();
  }

  /** {@code text} with every secret replaced by {@link #MASK}; {@code null} stays {@code null}. */
  public String mask(String text) {
    if (text == null || needles.isEmpty()) {
      return text;
    }
    String masked = text;
    for (String needle : needles) {
      if (masked.contains(needle)) {
        masked = masked.replace(needle, MASK);
      }
    }
    return masked;
  }

  /** Never shows the secrets. */
  @Override
  public String toString() {
    return "SecretMask[" + needles.size() + " values]";
  }
}
