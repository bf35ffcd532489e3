package io.hoist.command;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A command template. {@code ${name}} is replaced by the value of {@code name}, shell-quoted;
 * {@code $${NAME}} hands a literal {@code ${NAME}} to the node's shell; any other {@code $} is left
 * alone for the shell ({@code $HOME}, {@code $(date)}).
 *
 * <p>Names are {@code [a-z_][a-z0-9_]*}, or {@code secret.NAME} for a secret taken from the core
 * node's environment.
 */
public final class Template {

  /** Variables every node command may use. */
  public static final Set<String> NODE_VARIABLES = Set.of("cluster", "node", "host", "home");

  /** Variables known while upgrading to a release (plan, upgrade, prepare). */
  public static final Set<String> RELEASE_VARIABLES =
      Set.of("version", "from_version", "release_dir");

  /** Variable known in a role's commands. */
  public static final String ROLE_VARIABLE = "role";

  /** Prefix of secret variables. */
  public static final String SECRET_PREFIX = "secret.";

  private static final Pattern NAME =
      Pattern.compile("[a-z_][a-z0-9_]*|secret\\.[A-Za-z_][A-Za-z0-9_]*");

  private sealed interface Part permits Literal, Reference {}

  private record Literal(String text) implements Part {}

  private record Reference(String name, int offset) implements Part {}

  private final String source;
  private final List<Part> parts;

  private Template(String source, List<Part> parts) {
    this.source = source;
    this.parts = List.copyOf(parts);
  }

  /**
   * Parses a template.
   *
   * @throws TemplateException for an unclosed {@code ${} or an invalid name, with its offset
   */
  public static Template parse(String source) {
    Objects.requireNonNull(source, "source");
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < source.length()) {
      char c = source.charAt(i);
      if (c == '$' && source.startsWith("$${", i)) {
        int end = source.indexOf('}', i + 3);
        if (end < 0) {
          throw new TemplateException("unclosed '$${' (a literal ${...} needs its '}')", i);
        }
        literal.append(source, i + 1, end + 1);
        i = end + 1;
      } else if (c == '$' && source.startsWith("${", i)) {
        int end = source.indexOf('}', i + 2);
        if (end < 0) {
          throw new TemplateException("unclosed '${': add the closing '}'", i);
        }
        String name = source.substring(i + 2, end);
        if (!NAME.matcher(name).matches()) {
          throw new TemplateException(
              "'${"
                  + name
                  + "}' is not a variable name (lower-case letters, digits, '_';"
                  + " or secret.NAME); write '$${"
                  + name
                  + "}' to pass it to the shell",
              i);
        }
        if (literal.length() > 0) {
          parts.add(new Literal(literal.toString()));
          literal.setLength(0);
        }
        parts.add(new Reference(name, i));
        i = end + 1;
      } else {
        literal.append(c);
        i++;
      }
    }
    if (literal.length() > 0) {
      parts.add(new Literal(literal.toString()));
    }
    return new Template(source, parts);
  }

  /**
   * This template with every reference to {@code name} replaced by {@code value}, shell-quoted; the
   * other references stay. Used to fix {@code ${role}} in a role's commands when the file is read.
   */
  public Template bind(String name, String value) {
    List<Part> bound = new ArrayList<>();
    StringBuilder newSource = new StringBuilder();
    for (Part part : parts) {
      if (part instanceof Reference ref && ref.name().equals(name)) {
        part = new Literal(ShellQuote.quote(value));
      }
      bound.add(part);
      if (part instanceof Literal lit) {
        // A literal "${" can only come from an escaped "$${": write it escaped again.
        newSource.append(lit.text().replace("${", "$${"));
      } else if (part instanceof Reference ref) {
        newSource.append("${").append(ref.name()).append('}');
      }
    }
    return new Template(newSource.toString(), bound);
  }

  /** The text as written in the cluster file. */
  public String source() {
    return source;
  }

  /** The names referenced, in order of first use. */
  public Set<String> variables() {
    Set<String> names = new LinkedHashSet<>();
    for (Part part : parts) {
      if (part instanceof Reference ref) {
        names.add(ref.name());
      }
    }
    return names;
  }

  /**
   * The offset of the first reference to a name outside {@code known}, or -1. Secret names are
   * checked against {@code secrets}.
   */
  public int firstUnknown(Set<String> known, Set<String> secrets) {
    for (Part part : parts) {
      if (part instanceof Reference ref) {
        boolean ok =
            ref.name().startsWith(SECRET_PREFIX)
                ? secrets.contains(ref.name().substring(SECRET_PREFIX.length()))
                : known.contains(ref.name());
        if (!ok) {
          return ref.offset();
        }
      }
    }
    return -1;
  }

  /**
   * The offset of the first reference that stands inside shell quotes ({@code '...'}, {@code
   * "..."}, {@code $'...'}) or backquotes, or -1. A value arrives quoted already; inside quotes its
   * own quotes become literal characters and the shell expands what they were protecting ({@code
   * "${x}"} with x = {@code $(rm -rf ~)} runs it), inside backquotes a backquote in the value ends
   * the command. Inside {@code $(...)} quoting starts afresh, so a reference there is safe. The
   * scan follows the shell's quoting rules, not its whole grammar (a quote in a comment counts).
   */
  public int firstQuotedReference() {
    Deque<Character> open = new ArrayDeque<>();
    for (Part part : parts) {
      if (part instanceof Reference ref) {
        if (!open.isEmpty() && open.peek() != '(') {
          return ref.offset();
        }
        continue;
      }
      String text = ((Literal) part).text();
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
        char in = open.isEmpty() ? ' ' : open.peek();
        switch (in) {
          case '\'' -> {
            if (c == '\'') {
              open.pop();
            }
          }
          case '$' -> {
            if (c == '\\') {
              i++;
            } else if (c == '\'') {
              open.pop();
            }
          }
          case '`' -> {
            if (c == '\\') {
              i++;
            } else if (c == '`') {
              open.pop();
            }
          }
          case '"' -> {
            if (c == '\\') {
              i++;
            } else if (c == '"') {
              open.pop();
            } else if (c == '`') {
              open.push('`');
            } else if (c == '$' && next == '(') {
              open.push('(');
              i++;
            }
          }
          default -> {
            // Unquoted, at the top or inside $( ... ).
            if (c == '\\') {
              i++;
            } else if (c == '\'' || c == '"' || c == '`') {
              open.push(c);
            } else if (c == '$' && next == '\'') {
              open.push('$');
              i++;
            } else if (c == '$' && next == '(') {
              open.push('(');
              i++;
            } else if (c == '(' && in == '(') {
              open.push('(');
            } else if (c == ')' && in == '(') {
              open.pop();
            }
          }
        }
      }
    }
    return -1;
  }

  /**
   * Substitutes every reference with its value, shell-quoted.
   *
   * @param values values by name ({@code secret.NAME} for secrets)
   * @throws TemplateException when a referenced name has no value
   */
  public ShellCommand render(Map<String, Value> values) {
    StringBuilder script = new StringBuilder();
    StringBuilder display = new StringBuilder();
    boolean masked = false;
    for (Part part : parts) {
      if (part instanceof Literal lit) {
        script.append(lit.text());
        display.append(lit.text());
      } else if (part instanceof Reference ref) {
        Value value = values.get(ref.name());
        if (value == null) {
          throw new TemplateException(
              "'${" + ref.name() + "}' has no value here (in: " + source + ")", ref.offset());
        }
        String quoted = ShellQuote.quote(value.text());
        script.append(quoted);
        if (value.secret()) {
          display.append("'***'");
          masked = true;
        } else {
          display.append(quoted);
        }
      }
    }
    return masked
        ? ShellCommand.masked(script.toString(), display.toString())
        : ShellCommand.of(script.toString());
  }

  @Override
  public String toString() {
    return source;
  }
}
