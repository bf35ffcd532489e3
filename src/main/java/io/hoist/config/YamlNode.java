package io.hoist.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of the located YAML tree: what Jackson's streaming parser saw, with the position where
 * each value starts. Aliases share the node they refer to.
 */
sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {

  /** Where the value starts. */
  Mark mark();

  /** What a value of this node is called in messages ("a mapping", "a list", "a string"...). */
  String describe();

  /** One {@code key: value} pair; {@code key} marks the key, the value has its own mark. */
  record Entry(String key, Mark keyMark, YamlNode value) {}

  /** A mapping, its entries in file order, without duplicate keys. */
  record Mapping(Map<String, Entry> entries, Mark mark) implements YamlNode {
    public Mapping {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** A list. */
  record Sequence(List<YamlNode> items, Mark mark) implements YamlNode {
    public Sequence {
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /** How the parser resolved a scalar. */
  enum ScalarKind {
    STRING,
    INTEGER,
    FLOAT,
    BOOLEAN,
    NULL
  }

  /**
   * A scalar.
   *
   * @param text the text as resolved by the parser ({@code null} for null)
   * @param kind what YAML made of it
   * @param plainSingleLine written unquoted on one line, so an offset in {@code text} is an offset
   *     from {@code mark} on the line
   */
  record Scalar(String text, ScalarKind kind, boolean plainSingleLine, Mark mark)
      implements YamlNode {

    boolean isNull() {
      return kind == ScalarKind.NULL;
    }

    @Override
    public String describe() {
      return switch (kind) {
        case NULL -> "nothing (null)";
        case BOOLEAN -> "a boolean";
        case INTEGER, FLOAT -> "a number";
        case STRING -> "a string";
      };
    }
  }
}
