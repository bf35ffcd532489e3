package io.hoist.command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The node-side marker {@code HOME/.hoist/ongoing} ({@code HOME} the node's layout home): present
 * while hoist is working on the node, it names the run, the core node it runs from, when it started
 * and the command. One small {@code key=value} text file, written atomically (a temporary file,
 * then {@code mv}):
 *
 * <pre>
 * run=20261121T193012Z-4f2a
 * core=admin-1.acme.internal
 * started=2026-11-21T19:30:12Z
 * command=upgrade
 * </pre>
 *
 * <p>{@link #parse} never throws: an empty, torn or foreign file is a {@link Read} that says what
 * is wrong with it, so that {@code hoist inspect} reports it and a run refuses the node.
 *
 * @param run the run's id (its directory under the core node's state directory)
 * @param core the core node's host name
 * @param started when the run started (ISO-8601)
 * @param command the hoist command ({@code upgrade}, {@code rollback})
 */
public record NodeMarker(String run, String core, String started, String command) {

  /** The marker's path under the node's layout home. */
  public static final String RELATIVE_PATH = ".hoist/ongoing";

  /** The most of the file that is read: a marker is a few short lines. */
  static final int MAX_BYTES = 4096;

  /** What {@link #readScript} prints first; then {@code absent} or {@code present} and the file. */
  static final String HEADER = "@@hoist-marker@@";

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:+@-]{1,200}");

  public NodeMarker {
    check("run", run);
    check("core", core);
    check("started", started);
    check("command", command);
  }

  private static void check(String key, String value) {
    Objects.requireNonNull(value, key);
    if (!SAFE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "marker " + key + " '" + value + "' is not a plain word ([A-Za-z0-9._:+@-])");
    }
  }

  /** The marker's path on a node whose layout home is {@code home}. */
  public static String path(String home) {
    return (home.endsWith("/") ? home : home + "/") + RELATIVE_PATH;
  }

  /** The file's text. */
  public String format() {
    return "run=" + run + "\ncore=" + core + "\nstarted=" + started + "\ncommand=" + command + "\n";
  }

  /** A one-line description: "run R (upgrade) from core C, started S". */
  public String describe() {
    return "run " + run + " (" + command + ") from core node " + core + ", started " + started;
  }

  /**
   * Writes this marker on a node whose home is {@code home}: creates {@code HOME/.hoist}, writes a
   * temporary file next to the marker and moves it over the marker (atomic on one file system).
   */
  public ShellCommand writeCommand(String home) {
    String dir = ShellQuote.quote(path(home).substring(0, path(home).lastIndexOf('/')));
    String file = ShellQuote.quote(path(home));
    String temp = ShellQuote.quote(path(home) + "." + run + ".tmp");
    StringBuilder printf = new StringBuilder("printf '%s\\n'");
    for (String line : format().split("\n")) {
      printf.append(' ').append(ShellQuote.quote(line));
    }
    // `test -d` first: a shell builtin, so the common case (the directory is there) starts one
    // program (mv), not two.
    return ShellCommand.of(
        "{ [ -d "
            + dir
            + " ] || mkdir -p -- "
            + dir
            + "; } && "
            + printf
            + " > "
            + temp
            + " && mv -f -- "
            + temp
            + " "
            + file);
  }

  /**
   * Removes the marker on a node whose home is {@code home} when it is still this run's (a marker
   * another run wrote since is left alone); exits 0 also when there is none.
   */
  public ShellCommand removeCommand(String home) {
    String file = ShellQuote.quote(path(home));
    // Its first line names the run (format() writes it first). Read by the shell itself (`read`,
    // not $(head ...)): one program started on the node (rm), not a fork and two.
    return ShellCommand.of(
        "if [ -e "
            + file
            + " ] && { IFS= read -r __hoist_l < "
            + file
            + "; [ \"$__hoist_l\" = "
            + ShellQuote.quote("run=" + run)
            + " ]; }; then rm -f -- "
            + file
            + "; fi");
  }

  /**
   * What {@link #writeBefore} prints on stdout when the marker could not be written (the write's
   * own messages, the reason, go to stderr).
   */
  public static final String UNWRITTEN = "@@hoist-marker-unwritten@@";

  /**
   * The marker's write ({@link #writeCommand}) and then {@code command}, in one script: one command
   * on the node instead of two. When the write fails, the script prints {@link #UNWRITTEN} on
   * stdout (its messages went to stderr) and exits 1 without running {@code command}. Shown (-v,
   * messages) as {@code command} alone: the marker is hoist's own.
   */
  public ShellCommand writeBefore(String home, ShellCommand command) {
    // No $(...) around the write to catch its message: that is one more fork on every node.
    String script =
        "{ "
            + writeCommand(home).script()
            + "; } || {\n  echo "
            + UNWRITTEN
            + "\n  exit 1\n}\n"
            + command.script();
    return ShellCommand.masked(script, command.display());
  }

  /**
   * A shell fragment that prints {@link #HEADER}, then {@code absent}, or {@code present} and the
   * first {@link #MAX_BYTES} bytes of the marker; {@link #parseOutput} reads it back. It exits 0
   * whether or not there is a marker.
   */
  public static String readScript(String home) {
    String file = ShellQuote.quote(path(home));
    return "printf '%s\\n' "
        + ShellQuote.quote(HEADER)
        + "; if [ -e "
        + file
        + " ]; then echo present; head -c "
        + MAX_BYTES
        + " -- "
        + file
        + "; else echo absent; fi";
  }

  /**
   * The output of a command that ran {@link #readScript} last, split: the lines before the header
   * (another command's output, such as the version command's) and the marker read.
   *
   * @return the output before the header, and the read ({@link Read#unknown} when the header is not
   *     there: the command did not get that far)
   */
  public static Split parseOutput(String stdout) {
    List<String> lines = List.of(stdout.split("\n", -1));
    int at = lines.lastIndexOf(HEADER);
    if (at < 0) {
      return new Split(stdout, Read.unknown("the marker was not read"));
    }
    String before = String.join("\n", lines.subList(0, at));
    List<String> rest = lines.subList(at + 1, lines.size());
    if (rest.isEmpty() || rest.get(0).equals("absent")) {
      return new Split(before, Read.ABSENT);
    }
    return new Split(before, parse(String.join("\n", rest.subList(1, rest.size()))));
  }

  /**
   * Reads a marker file's text. Never throws.
   *
   * @return {@link Read.Kind#PRESENT} with the marker, or {@link Read.Kind#CORRUPT} saying what is
   *     wrong (empty, no run, a value that is not a plain word)
   */
  public static Read parse(String text) {
    if (text == null || text.isBlank()) {
      return Read.corrupt("the marker file is empty");
    }
    Map<String, String> values = new LinkedHashMap<>();
    List<String> bad = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        bad.add(line);
        continue;
      }
      values.putIfAbsent(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
    }
    String run = values.get("run");
    if (run == null || run.isEmpty()) {
      return Read.corrupt(
          "the marker file names no run"
              + (bad.isEmpty() ? "" : " (unreadable line '" + printable(bad.get(0)) + "')"));
    }
    try {
      return Read.present(
          new NodeMarker(
              run,
              values.getOrDefault("core", "unknown"),
              values.getOrDefault("started", "unknown"),
              values.getOrDefault("command", "unknown")));
    } catch (IllegalArgumentException e) {
      return Read.corrupt("the marker file is not hoist's: " + printable(e.getMessage()));
    }
  }

  /** {@code text} cut to 80 characters, control characters replaced: safe for one line. */
  private static String printable(String text) {
    String clean = text.replaceAll("\\p{Cntrl}", "?");
    return clean.length() <= 80 ? clean : clean.substring(0, 80) + "...";
  }

  /**
   * A command's output split at the marker's header.
   *
   * @param before the output before the header
   * @param read the marker as read
   */
  public record Split(String before, Read read) {}

  /**
   * A marker as read from a node.
   *
   * @param kind what was found
   * @param marker the marker when {@link Kind#PRESENT}
   * @param problem what is wrong with the file ({@link Kind#CORRUPT}) or why it was not read
   *     ({@link Kind#UNKNOWN}); empty otherwise
   */
  public record Read(Kind kind, Optional<NodeMarker> marker, String problem) {

    /** No marker on the node. */
    public static final Read ABSENT = new Read(Kind.ABSENT, Optional.empty(), "");

    /** What was found. */
    public enum Kind {
      /** No marker: no hoist run is working on the node. */
      ABSENT,
      /** A marker of a run. */
      PRESENT,
      /** A marker file hoist cannot read (empty, torn, not hoist's): treated as present. */
      CORRUPT,
      /** The marker could not be read (the node could not be reached, a command failed). */
      UNKNOWN
    }

    public Read {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(marker, "marker");
      Objects.requireNonNull(problem, "problem");
    }

    static Read present(NodeMarker marker) {
      return new Read(Kind.PRESENT, Optional.of(marker), "");
    }

    static Read corrupt(String problem) {
      return new Read(Kind.CORRUPT, Optional.empty(), problem);
    }

    /** The marker was not read, because {@code why}. */
    public static Read unknown(String why) {
      return new Read(Kind.UNKNOWN, Optional.empty(), why);
    }

    /** Whether a marker file is on the node (readable or not). */
    public boolean isPresent() {
      return kind == Kind.PRESENT || kind == Kind.CORRUPT;
    }

    /** The marker's run, when it was readable. */
    public Optional<String> run() {
      return marker.map(NodeMarker::run);
    }

    /** One line for a table or a message. */
    public String describe() {
      return switch (kind) {
        case ABSENT -> "none";
        case PRESENT -> marker.orElseThrow().describe();
        case CORRUPT -> "unreadable marker: " + problem;
        case UNKNOWN -> "not read: " + problem;
      };
    }
  }
}
