package io.hoist.transport.ssh;

import io.hoist.model.KeyExchange;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The value of {@code KexAlgorithms} in an OpenSSH client config, read as {@code ssh} reads it,
 * with hoist's {@link KeyExchange#DEFAULT} as the default: a list replaces the default, {@code
 * +LIST} appends to it, {@code ^LIST} puts the list first, {@code -PATTERNS} removes the matching
 * ones ({@code *} and {@code ?} allowed). Every name must be one hoist knows, as {@code ssh} also
 * refuses names it does not know.
 */
final class KexAlgorithms {

  private KexAlgorithms() {}

  /**
   * The algorithms to offer for {@code value}, in order, each once.
   *
   * @throws IllegalArgumentException naming what is wrong, when a name is unknown or nothing is
   *     left
   */
  static List<String> fromSshConfig(String value) {
    String text = value.strip();
    Set<String> result = new LinkedHashSet<>();
    if (text.startsWith("-")) {
      List<Pattern> removed = new ArrayList<>();
      for (String pattern : names(text.substring(1))) {
        removed.add(glob(pattern));
      }
      for (String name : KeyExchange.DEFAULT) {
        if (removed.stream().noneMatch(p -> p.matcher(name).matches())) {
          result.add(name);
        }
      }
    } else {
      char first = text.isEmpty() ? ' ' : text.charAt(0);
      boolean append = first == '+';
      boolean prepend = first == '^';
      List<String> listed = names(append || prepend ? text.substring(1) : text);
      for (String name : listed) {
        if (!KeyExchange.isSupported(name)) {
          throw new IllegalArgumentException(
              "hoist does not know the key exchange algorithm '" + name + "'");
        }
      }
      if (append) {
        result.addAll(KeyExchange.DEFAULT);
      }
      result.addAll(listed);
      if (prepend) {
        result.addAll(KeyExchange.DEFAULT);
      }
    }
    if (result.isEmpty()) {
      throw new IllegalArgumentException("no key exchange algorithm is left");
    }
    return List.copyOf(result);
  }

  private static List<String> names(String list) {
    List<String> names = new ArrayList<>();
    for (String name : list.split(",", -1)) {
      if (!name.isBlank()) {
        names.add(name.strip());
      }
    }
    return names;
  }

  /** OpenSSH's pattern: {@code *} any run of characters, {@code ?} one character. */
  private static Pattern glob(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      if (c == '*') {
        regex.append(".*");
      } else if (c == '?') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
