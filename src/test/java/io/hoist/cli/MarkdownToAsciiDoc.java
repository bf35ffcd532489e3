package io.hoist.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts the subset of Markdown the README's reference chapters use (headings, paragraphs,
 * numbered and bulleted lists, tables, inline code, bold, links) to AsciiDoc for a man page. Tables
 * become definition lists: a man page is read on an 80-column terminal, where a four-column table
 * wraps badly. All text goes through passthroughs, so {@code ${home}} and other AsciiDoc syntax in
 * the README reach the page literally.
 */
final class MarkdownToAsciiDoc {

  private static final Pattern INLINE =
      Pattern.compile("`([^`]+)`|\\*\\*([^*]+)\\*\\*|\\[([^\\]]+)]\\(([^)]+)\\)");
  private static final Pattern NUMBERED = Pattern.compile("\\d+\\. (.*)");
  private static final Pattern TABLE_RULE = Pattern.compile("\\|[-| ]+\\|");

  private MarkdownToAsciiDoc() {}

  /** The chapter {@code ## TITLE} of a Markdown document, without its heading. */
  static String chapter(String markdown, String title) {
    int start = markdown.indexOf("\n## " + title + "\n");
    if (start < 0) {
      throw new IllegalArgumentException("no chapter '" + title + "' in the README");
    }
    int body = start + title.length() + 5;
    int end = markdown.indexOf("\n## ", body);
    return markdown.substring(body, end < 0 ? markdown.length() : end);
  }

  /** Converts a chapter: {@code ###} headings become subsections of the page's section. */
  static String convert(String markdown) {
    StringBuilder out = new StringBuilder();
    List<String> lines = List.of(markdown.split("\n", -1));
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i);
      if (line.isBlank()) {
        i++;
      } else if (line.startsWith("#")) {
        String title = line.replaceFirst("^#+ ", "");
        out.append("=== ").append(inline(title)).append("\n\n");
        i++;
      } else if (line.startsWith("|")) {
        List<String> rows = new ArrayList<>();
        while (i < lines.size() && lines.get(i).startsWith("|")) {
          rows.add(lines.get(i++));
        }
        table(rows, out);
      } else if (line.startsWith("```")) {
        out.append("----\n");
        i++;
        while (i < lines.size() && !lines.get(i).startsWith("```")) {
          out.append(lines.get(i++)).append('\n');
        }
        i++;
        out.append("----\n\n");
      } else if (NUMBERED.matcher(line).matches() || line.startsWith("* ")) {
        while (i < lines.size() && !lines.get(i).isBlank()) {
          String item = lines.get(i++);
          Matcher numbered = NUMBERED.matcher(item);
          if (numbered.matches()) {
            out.append(". ").append(inline(numbered.group(1)));
          } else if (item.startsWith("* ")) {
            out.append("* ").append(inline(item.substring(2)));
          } else {
            out.append(inline(item.strip()));
          }
          out.append('\n');
        }
        out.append('\n');
      } else {
        List<String> paragraph = new ArrayList<>();
        while (i < lines.size() && !lines.get(i).isBlank() && !starts(lines.get(i))) {
          paragraph.add(lines.get(i++));
        }
        out.append(inline(String.join(" ", paragraph))).append("\n\n");
      }
    }
    return out.toString();
  }

  private static boolean starts(String line) {
    return line.startsWith("#") || line.startsWith("|") || line.startsWith("```");
  }

  /** A table as a definition list: the first column is the term, the others its description. */
  private static void table(List<String> rows, StringBuilder out) {
    List<String> header = cells(rows.get(0));
    for (String row : rows.subList(1, rows.size())) {
      if (TABLE_RULE.matcher(row).matches()) {
        continue;
      }
      List<String> cells = cells(row);
      out.append(inline(cells.get(0))).append("::\n");
      StringBuilder text = new StringBuilder();
      for (int c = 1; c < cells.size(); c++) {
        // The "Meaning" column is the description; the others are labelled with their header.
        if (!header.get(c).equals("Meaning")) {
          text.append('_').append(header.get(c)).append("_: ");
        }
        text.append(inline(cells.get(c)));
        text.append(cells.get(c).endsWith(".") ? " " : ". ");
      }
      out.append("  ").append(text.toString().strip()).append("\n\n");
    }
  }

  /** The cells of a table row; {@code \|} is a pipe inside a cell. */
  private static List<String> cells(String row) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    String inner = row.strip();
    inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
    for (int i = 0; i < inner.length(); i++) {
      char c = inner.charAt(i);
      if (c == '\\' && i + 1 < inner.length() && inner.charAt(i + 1) == '|') {
        cell.append('|');
        i++;
      } else if (c == '|') {
        cells.add(cell.toString().strip());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString().strip());
    return cells;
  }

  /** Inline Markdown to AsciiDoc: code and bold become bold, links their text, the rest literal. */
  static String inline(String text) {
    StringBuilder out = new StringBuilder();
    Matcher m = INLINE.matcher(text);
    int at = 0;
    while (m.find()) {
      out.append(literal(text.substring(at, m.start())));
      if (m.group(1) != null) {
        out.append("**").append(pass(m.group(1))).append("**");
      } else if (m.group(2) != null) {
        out.append("**").append(inline(m.group(2))).append("**");
      } else {
        out.append(inline(m.group(3)));
        String target = m.group(4);
        if (!target.startsWith("#") && !m.group(3).replace("`", "").equals(target)) {
          out.append(" (").append(literal(target)).append(")");
        }
      }
      at = m.end();
    }
    out.append(literal(text.substring(at)));
    return out.toString();
  }

  private static String literal(String text) {
    return text.isEmpty() ? "" : pass(text);
  }

  /** An unconstrained passthrough: only HTML-special characters are substituted. */
  private static String pass(String text) {
    if (text.contains("++")) {
      throw new IllegalArgumentException("cannot pass through text with '++': " + text);
    }
    return "++" + text + "++";
  }
}
