package io.hoist.release;

import io.hoist.error.ValidationException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads a {@code BUNDLE.sha256} file as {@code sha256sum} writes it: the first line is {@code HEX
 * NAME} (two spaces, or a space and {@code *}) or the bare {@code HEX}. Only the 64 hex digits are
 * used; the name and any further lines are ignored ({@code sha256sum} skips lines starting with
 * {@code #}, which is where the download cache keeps its own notes).
 */
final class ChecksumFile {

  private static final Pattern FIRST_LINE = Pattern.compile("([0-9A-Fa-f]{64})(?:[ \\t].*)?");

  private ChecksumFile() {}

  /**
   * The lower-case hex sha256 of a checksum file's text.
   *
   * @param where the file's path or URL, named in the message
   * @throws ValidationException when the first line does not start with 64 hex digits
   */
  static String parse(String text, String where) {
    String content = text.startsWith("\uFEFF") ? text.substring(1) : text;
    int end = content.indexOf('\n');
    String first = (end < 0 ? content : content.substring(0, end)).strip();
    var m = FIRST_LINE.matcher(first);
    if (!m.matches()) {
      throw new ValidationException(
          "checksum file "
              + where
              + " is malformed: its first line must start with the 64 hex digits of a sha256"
              + " (as sha256sum writes it), not '"
              + abbreviate(first)
              + "'");
    }
    return m.group(1).toLowerCase(Locale.ROOT);
  }

  /** The text of a checksum file for {@code name}: {@code HEX NAME}, then a newline. */
  static String line(String sha256, String name) {
    return sha256 + "  " + name + "\n";
  }

  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
