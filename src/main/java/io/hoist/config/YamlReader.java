package io.hoist.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.hoist.config.YamlNode.Entry;
import io.hoist.config.YamlNode.Mapping;
import io.hoist.config.YamlNode.Scalar;
import io.hoist.config.YamlNode.ScalarKind;
import io.hoist.config.YamlNode.Sequence;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a cluster file into a located {@link YamlNode} tree. Bounded: the file's size, nesting
 * depth, and the number of values (counting what aliases expand to) are capped, so a hostile file
 * ("billion laughs", a huge file) fails with a problem, not with an exhausted heap.
 */
final class YamlReader {

  /** A cluster file is a few kilobytes; thousands of nodes fit in far less than this. */
  static final int MAX_BYTES = 4 * 1024 * 1024;

  /** Nesting depth limit; the cluster file needs about 6. */
  static final int MAX_DEPTH = 64;

  /** Values in the document, aliases counted as what they expand to. */
  static final long MAX_VALUES = 200_000;

  private static final String MERGE_KEY = "<<";

  /** Marks a line whose chars are its code points: a column is an index plus one. */
  private static final int[] ONE_CHAR_EACH = new int[0];

  private final Problems problems;
  private final String[] lines;
  private final int[][] codePointStarts;
  private final Map<String, Built> anchors = new HashMap<>();
  private long values;

  private record Built(YamlNode node, long weight) {}

  /** Thrown to abandon a document that is too large; the problem is already recorded. */
  private static final class Abandon extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Abandon() {
      super(null, null, false, false);
    }
  }

  private YamlReader(Problems problems, String text) {
    this.problems = problems;
    this.lines = text.split("\n", -1);
    this.codePointStarts = new int[lines.length][];
  }

  /**
   * Reads and parses the file. Problems (unreadable, not UTF-8, syntax, duplicate keys, too large)
   * go to {@code problems}.
   *
   * @return the root, or {@code null} when there is nothing usable (the problem is recorded)
   */
  static YamlNode read(Path file, Problems problems) {
    String text = readText(file, problems);
    if (text == null) {
      return null;
    }
    if (text.isBlank()) {
      problems.addForFile(
          "the file is empty; a cluster file needs at least 'cluster', 'release', 'layout' and"
              + " 'nodes' (see the README, section The cluster file)");
      return null;
    }
    return new YamlReader(problems, text).parse(text);
  }

  private static String readText(Path file, Problems problems) {
    if (Files.isDirectory(file)) {
      problems.addForFile("is a directory; expected a cluster file (YAML)");
      return null;
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (NoSuchFileException e) {
      problems.addForFile(
          "no such file; check the path given with -c or $HOIST_CLUSTER (without either, hoist"
              + " reads ./cluster.yaml, else /etc/hoist/cluster.yaml)");
      return null;
    } catch (AccessDeniedException e) {
      problems.addForFile("cannot be read: permission denied");
      return null;
    } catch (IOException e) {
      problems.addForFile("cannot be read: " + e.getMessage());
      return null;
    }
    if (bytes.length > MAX_BYTES) {
      problems.addForFile(
          "is larger than "
              + (MAX_BYTES / (1024 * 1024))
              + " MiB; a cluster file is a few kilobytes: is this the right file?");
      return null;
    }
    if (bytes.length >= 2
        && ((bytes[0] == (byte) 0xff && bytes[1] == (byte) 0xfe)
            || (bytes[0] == (byte) 0xfe && bytes[1] == (byte) 0xff))) {
      problems.addForFile(
          "the file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8");
      return null;
    }
    String text = decodeUtf8(bytes, problems);
    if (text != null && text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    return text != null && hasOnlyYamlCharacters(text, problems) ? text : null;
  }

  /**
   * Whether the text holds only characters a YAML file may hold (tab, line breaks, printable
   * characters; no other control character). Otherwise the first other one is reported where it is:
   * the parser would only say "special characters are not allowed", without a position.
   */
  private static boolean hasOnlyYamlCharacters(String text, Problems problems) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
        lineStart = i + 1;
      } else if (!isYamlCharacter(c)) {
        String code = String.format(Locale.ROOT, "U+%04X", (int) c);
        problems.add(
            new Mark(line, 1 + text.codePointCount(lineStart, i)),
            "the file holds the control character "
                + code
                + " here, which a YAML file cannot hold"
                + (c == 0
                    ? " (NUL characters: is the file UTF-16? save it as UTF-8)"
                    : "; write it as an escape in a double-quoted string if it is meant"));
        return false;
      }
    }
    return true;
  }

  /** YAML 1.1's printable set; surrogates pass (they come in valid pairs from the decoder). */
  private static boolean isYamlCharacter(char c) {
    return c == '\t'
        || c == '\n'
        || c == '\r'
        || (c >= 0x20 && c <= 0x7e)
        || c == 0x85
        || (c >= 0xa0 && c != 0xfffe && c != 0xffff);
  }

  private static String decodeUtf8(byte[] bytes, Problems problems) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      String before = new String(bytes, 0, in.position(), StandardCharsets.UTF_8);
      int line = 1 + (int) before.chars().filter(c -> c == '\n').count();
      String lastLine = before.substring(before.lastIndexOf('\n') + 1);
      int column = 1 + lastLine.codePointCount(0, lastLine.length());
      problems.add(
          new Mark(line, column),
          "the file is not UTF-8 text (byte 0x"
              + Integer.toHexString(bytes[in.position()] & 0xff)
              + " here); save it as UTF-8");
      return null;
    }
    out.flip();
    return out.toString();
  }

  private static YAMLFactory factory() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_BYTES);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setMaxAliasesForCollections(100);
    options.setAllowRecursiveKeys(false);
    // Duplicate keys are found (and reported at the second one) while building the tree.
    options.setAllowDuplicateKeys(true);
    return YAMLFactory.builder()
        .loaderOptions(options)
        .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(
            StreamReadConstraints.builder()
                // Above MAX_DEPTH: readValue reports the value too deep where it is; the parser's
                // own message has no position.
                .maxNestingDepth(MAX_DEPTH + 2)
                .maxStringLength(MAX_BYTES)
                .maxNumberLength(64)
                .maxDocumentLength(MAX_BYTES)
                .maxNameLength(4096)
                .build())
        .build();
  }

  private YamlNode parse(String text) {
    try (YAMLParser parser = factory().createParser(new StringReader(text))) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        problems.addForFile(
            "the file holds no YAML value; a cluster file needs at least 'cluster', 'release',"
                + " 'layout' and 'nodes'");
        return null;
      }
      YamlNode root = readValue(parser, 0, null).node();
      if (parser.nextToken() != null) {
        problems.add(
            mark(parser.currentTokenLocation()),
            "a second YAML document starts here; a cluster file holds exactly one");
      }
      return root;
    } catch (Abandon e) {
      return null;
    } catch (JsonProcessingException e) {
      syntaxProblem(e);
      return null;
    } catch (YAMLException e) {
      syntaxProblem(e);
      return null;
    } catch (IOException e) {
      problems.addForFile("cannot be parsed: " + e.getMessage());
      return null;
    }
  }

  private void syntaxProblem(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
        String message = marked.getProblem();
        if (marked.getContext() != null && marked.getContextMark() != null) {
          message +=
              " ("
                  + marked.getContext()
                  + " at line "
                  + (marked.getContextMark().getLine() + 1)
                  + ")";
        }
        problems.add(
            new Mark(
                marked.getProblemMark().getLine() + 1, marked.getProblemMark().getColumn() + 1),
            "YAML syntax: " + message);
        return;
      }
    }
    if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
      problems.add(mark(jpe.getLocation()), "YAML: " + jpe.getOriginalMessage());
    } else {
      problems.addForFile("YAML: " + e.getMessage());
    }
  }

  private static Mark mark(JsonLocation location) {
    return location == null || location.getLineNr() < 1
        ? Mark.NONE
        : new Mark(location.getLineNr(), Math.max(1, location.getColumnNr()));
  }

  private void count(long weight, Mark at) {
    values += weight;
    if (values > MAX_VALUES) {
      problems.add(
          at,
          "the document has more than "
              + MAX_VALUES
              + " values (aliases counted as what they expand to); refusing to read it");
      throw new Abandon();
    }
  }

  /** Reads the value whose first token is current. */
  private Built readValue(YAMLParser parser, int depth, Mark keyMark) throws IOException {
    Mark mark = mark(parser.currentTokenLocation());
    if (depth > MAX_DEPTH) {
      problems.add(mark, "values are nested more than " + MAX_DEPTH + " levels deep");
      throw new Abandon();
    }
    String anchor = parser.getObjectId();
    JsonToken token = parser.currentToken();
    Built built;
    if (parser.isCurrentAlias()) {
      Built target = anchors.get(parser.getText());
      if (target == null) {
        problems.add(mark, "alias '*" + parser.getText() + "' refers to no anchor");
        built = new Built(new Scalar(null, ScalarKind.NULL, false, mark), 1);
      } else {
        built = target;
      }
      count(built.weight(), mark);
      return built;
    } else if (token == JsonToken.START_OBJECT) {
      built = readMapping(parser, depth, afterProperties(mark));
    } else if (token == JsonToken.START_ARRAY) {
      long weight = 1;
      List<YamlNode> items = new ArrayList<>();
      count(1, mark);
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        Built item = readValue(parser, depth + 1, null);
        items.add(item.node());
        weight += item.weight();
      }
      built = new Built(new Sequence(items, afterProperties(mark)), weight);
    } else {
      count(1, mark);
      built = new Built(scalar(parser, token, mark, keyMark), 1);
    }
    if (anchor != null) {
      anchors.put(anchor, built);
    }
    return built;
  }

  private Built readMapping(YAMLParser parser, int depth, Mark mark) throws IOException {
    count(1, mark);
    long weight = 1;
    Map<String, Entry> entries = new LinkedHashMap<>();
    List<Entry> merges = new ArrayList<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      Mark keyMark = mark(parser.currentTokenLocation());
      parser.nextToken();
      Built value = readValue(parser, depth + 1, keyMark);
      weight += value.weight();
      Entry entry = new Entry(key, keyMark, value.node());
      if (MERGE_KEY.equals(key)) {
        merges.add(entry);
      } else if (entries.containsKey(key)) {
        problems.add(
            keyMark,
            "duplicate key '"
                + key
                + "' (first at line "
                + entries.get(key).keyMark().line()
                + "); remove one of them");
      } else {
        entries.put(key, entry);
      }
    }
    for (Entry merge : merges) {
      merge(entries, merge);
    }
    return new Built(new Mapping(entries, mark), weight);
  }

  /** YAML merge keys ({@code <<: *defaults}): keys written in the mapping itself win. */
  private void merge(Map<String, Entry> entries, Entry merge) {
    List<YamlNode> sources =
        merge.value() instanceof Sequence seq ? seq.items() : List.of(merge.value());
    for (YamlNode source : sources) {
      if (source instanceof Mapping mapping) {
        mapping.entries().forEach(entries::putIfAbsent);
      } else {
        problems.add(
            source.mark(), "'<<' merges a mapping or a list of mappings, not " + source.describe());
      }
    }
  }

  private Scalar scalar(YAMLParser parser, JsonToken token, Mark mark, Mark keyMark)
      throws IOException {
    ScalarKind kind =
        switch (token) {
          case VALUE_NUMBER_INT -> ScalarKind.INTEGER;
          case VALUE_NUMBER_FLOAT -> ScalarKind.FLOAT;
          case VALUE_TRUE, VALUE_FALSE -> ScalarKind.BOOLEAN;
          case VALUE_NULL -> ScalarKind.NULL;
          default -> ScalarKind.STRING;
        };
    String text = kind == ScalarKind.NULL ? null : parser.getText();
    Mark start = afterProperties(mark);
    char first = charAt(start);
    boolean quoted = first == '"' || first == '\'';
    if (kind == ScalarKind.STRING && text.isEmpty() && !quoted) {
      kind = ScalarKind.NULL;
    }
    if (kind == ScalarKind.NULL) {
      // An empty value ("dea:") starts after the colon, often on the next line: point at the key;
      // an empty list item after its dash: point at the dash.
      return new Scalar(null, kind, false, keyMark != null ? keyMark : dashBefore(mark));
    }
    int endLine = parser.currentLocation().getLineNr();
    boolean plain = !quoted && first != '|' && first != '>' && endLine == start.line();
    return new Scalar(text, kind, plain, start);
  }

  /**
   * Where a value's content starts. The parser marks a node where its properties start: its anchor
   * ({@code &a}) and tag ({@code !!str}, {@code !<tag:...>}), in either order. This skips them and
   * the blanks, comments and line breaks after them, so that the quoting style is read from the
   * content and offsets into a plain scalar count from its first character. Not for an empty value:
   * the content it would find is the next value's.
   */
  private Mark afterProperties(Mark mark) {
    int line = mark.line() - 1;
    if (line < 0 || line >= lines.length) {
      return mark;
    }
    String text = lines[line];
    int index = index(line, mark.column());
    if (index >= text.length() || (text.charAt(index) != '&' && text.charAt(index) != '!')) {
      return mark;
    }
    while (true) {
      char c = index < text.length() ? text.charAt(index) : '#';
      if (c == '&' || c == '!') {
        index = endOfProperty(text, index);
      } else if (Character.isWhitespace(c)) {
        index++;
      } else if (c == '#') {
        // The rest of the line is a comment (or nothing): the content is on a later line.
        line++;
        if (line >= lines.length) {
          return mark;
        }
        text = lines[line];
        index = 0;
      } else {
        return new Mark(line + 1, column(line, index));
      }
    }
  }

  /** The index just after the anchor or tag starting at {@code index}. */
  private static int endOfProperty(String text, int index) {
    if (text.startsWith("!<", index)) {
      // A verbatim tag is a URI in angle brackets; it may hold ',' but no blank.
      int close = text.indexOf('>', index);
      return close < 0 ? text.length() : close + 1;
    }
    int end = index + 1;
    while (end < text.length()
        && !Character.isWhitespace(text.charAt(end))
        && ",[]{}".indexOf(text.charAt(end)) < 0) {
      end++;
    }
    return end;
  }

  /** The {@code -} of a block list item that holds nothing, or {@code mark} itself. */
  private Mark dashBefore(Mark mark) {
    if (mark.line() < 1 || mark.line() > lines.length) {
      return mark;
    }
    int lineIndex = mark.line() - 1;
    String line = lines[lineIndex];
    int index = index(lineIndex, mark.column());
    if (index < line.length() && !Character.isWhitespace(line.charAt(index))) {
      return mark;
    }
    int before = index;
    while (before > 0 && Character.isWhitespace(line.charAt(before - 1))) {
      before--;
    }
    return before > 0 && line.charAt(before - 1) == '-'
        ? new Mark(mark.line(), column(lineIndex, before - 1))
        : mark;
  }

  /**
   * Where each code point of a line starts, computed once per line and only for lines that hold a
   * character outside the Basic Multilingual Plane: positions are asked for every value, so
   * counting code points from the start of the line each time would make a long line quadratic.
   */
  private int[] codePointStarts(int lineIndex) {
    int[] starts = codePointStarts[lineIndex];
    if (starts == null) {
      String line = lines[lineIndex];
      int count = line.codePointCount(0, line.length());
      if (count == line.length()) {
        starts = ONE_CHAR_EACH;
      } else {
        starts = new int[count + 1];
        int index = 0;
        for (int i = 0; i < count; i++) {
          starts[i] = index;
          index += Character.charCount(line.codePointAt(index));
        }
        starts[count] = line.length();
      }
      codePointStarts[lineIndex] = starts;
    }
    return starts;
  }

  /** The char index of a 1-based code point column; the line's length when it is past the end. */
  private int index(int lineIndex, int column) {
    int codePoint = Math.max(0, column - 1);
    int[] starts = codePointStarts(lineIndex);
    return starts == ONE_CHAR_EACH
        ? Math.min(codePoint, lines[lineIndex].length())
        : starts[Math.min(codePoint, starts.length - 1)];
  }

  /** The 1-based code point column of a char index. */
  private int column(int lineIndex, int index) {
    int[] starts = codePointStarts(lineIndex);
    if (starts == ONE_CHAR_EACH) {
      return index + 1;
    }
    int found = Arrays.binarySearch(starts, index);
    return (found >= 0 ? found : -found - 1) + 1;
  }

  private char charAt(Mark mark) {
    if (mark.line() < 1 || mark.line() > lines.length) {
      return 0;
    }
    String line = lines[mark.line() - 1];
    int index = index(mark.line() - 1, mark.column());
    return index < line.length() ? line.charAt(index) : 0;
  }
}
