package io.hoist.transport.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The entries of a known_hosts file, looked up the way OpenSSH does (sshd(8) "SSH_KNOWN_HOSTS FILE
 * FORMAT").
 *
 * <p>A host is looked up by its name: {@code host} for port 22, {@code [host]:port} for any other
 * port, so a key known for port 22 says nothing about another port. An entry's host field is either
 * one hashed name ({@code |1|salt|hmac}, HMAC-SHA1 of the name keyed with the salt) or a
 * comma-separated list of patterns with {@code *} and {@code ?}, compared case-insensitively; a
 * pattern starting with {@code !} that matches excludes the entry whatever else matches. An entry
 * may start with a marker: {@code @revoked} (this key must never be accepted for the hosts) or
 * {@code @cert-authority} (a CA key, never a host key; ignored here). Blank lines, comments and
 * lines that cannot be read are skipped.
 *
 * <p>Immutable and thread-safe.
 */
final class KnownHosts {

  private static final KnownHosts NONE = new KnownHosts(List.of());

  /**
   * The last version of each file {@link #current} parsed, by absolute path: a fan-out to N nodes
   * checks N host keys against one file of about N lines, and parsing it twice for every connection
   * (the check, and JSch asking which key types are known) made that 2 x N x N lines (80,000 at 200
   * nodes, each with a Base64 key) on the nodes' threads.
   */
  private static final Map<Path, Snapshot> PARSED = new ConcurrentHashMap<>();

  /**
   * What identifies one version of a file: its inode and device, size, modification time and, where
   * the file system has it, the change time, which no program can set back. A key replaced in place
   * (same size, modification time set back with {@code touch -r}) still changes the change time;
   * {@code ssh-keygen -R} writes a new file (another inode).
   */
  private record Stamp(Object device, Object inode, long size, Object modified, Object changed) {

    /**
     * Field by field: a record's generated {@code equals} is linked on its first call through
     * method handles, which every node's thread would do at once at the start of a fan-out.
     */
    boolean same(Stamp other) {
      return size == other.size
          && Objects.equals(device, other.device)
          && Objects.equals(inode, other.inode)
          && Objects.equals(modified, other.modified)
          && Objects.equals(changed, other.changed);
    }
  }

  private record Snapshot(Stamp stamp, KnownHosts hosts) {}

  /** What known_hosts says about a presented key. */
  enum Status {
    /** The key is known for the host. */
    OK,
    /** The key is marked {@code @revoked} for the host. */
    REVOKED,
    /** Other keys (of the same or another type) are known for the host, not this one. */
    CHANGED,
    /** Nothing is known for the host. */
    UNKNOWN
  }

  /**
   * One line with a key.
   *
   * @param line its 1-based line number
   * @param marker {@code @revoked}, {@code @cert-authority} or {@code null}
   * @param hosts the host field as written
   * @param type the key type, such as {@code ssh-ed25519}
   * @param key the public key blob
   */
  record Entry(int line, String marker, String hosts, String type, byte[] key) {

    boolean isRevoked() {
      return "@revoked".equals(marker);
    }

    boolean isHostKey() {
      return marker == null;
    }

    /** Whether the entry is for {@code name} (already lower-case). */
    boolean matches(String name) {
      return matchesHosts(hosts, name);
    }

    boolean hasKey(byte[] blob) {
      return MessageDigest.isEqual(key, blob);
    }
  }

  /**
   * The outcome of a lookup.
   *
   * @param status what the file says
   * @param entries for {@code OK} the matching entry; for {@code REVOKED} the revoking entry; for
   *     {@code CHANGED} the keys known for the host instead; empty for {@code UNKNOWN}
   */
  record Verdict(Status status, List<Entry> entries) {}

  private final List<Entry> entries;

  private KnownHosts(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** The entries of {@code file}, read now; none when it does not exist. */
  static KnownHosts read(Path file) throws IOException {
    try {
      return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return NONE;
    }
  }

  /**
   * The entries of {@code file} as it is now: parsed again only when the file changed since the
   * last call for it (see {@link Stamp}), else the entries parsed then. Costs one {@code stat} when
   * nothing changed. The stamp is taken before the file is read, so a change made while it is read
   * is seen by the next call.
   */
  static KnownHosts current(Path file) throws IOException {
    Path path = file.toAbsolutePath().normalize();
    Stamp stamp;
    try {
      stamp = stamp(path);
    } catch (NoSuchFileException e) {
      PARSED.remove(path);
      return NONE;
    }
    Snapshot last = PARSED.get(path);
    if (last != null && last.stamp().same(stamp)) {
      return last.hosts();
    }
    // One thread parses, the others (a fan-out's first connections all get here at once) wait
    // for it and take its result.
    synchronized (PARSED) {
      last = PARSED.get(path);
      if (last != null && last.stamp().same(stamp)) {
        return last.hosts();
      }
      KnownHosts hosts = read(path);
      PARSED.put(path, new Snapshot(stamp, hosts));
      return hosts;
    }
  }

  private static Stamp stamp(Path path) throws IOException {
    try {
      Map<String, Object> unix =
          Files.readAttributes(path, "unix:ino,dev,size,lastModifiedTime,ctime");
      return new Stamp(
          unix.get("dev"),
          unix.get("ino"),
          (Long) unix.get("size"),
          unix.get("lastModifiedTime"),
          unix.get("ctime"));
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class);
      return new Stamp(basic.fileKey(), null, basic.size(), basic.lastModifiedTime(), null);
    }
  }

  /** The entries of these lines. */
  static KnownHosts parse(List<String> lines) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Entry entry = parseLine(i + 1, lines.get(i));
      if (entry != null) {
        entries.add(entry);
      }
    }
    return new KnownHosts(entries);
  }

  private static Entry parseLine(int number, String line) {
    String text = line.strip();
    if (text.isEmpty() || text.startsWith("#")) {
      return null;
    }
    String[] fields = fields(text);
    int at = 0;
    String marker = null;
    if (fields[0].startsWith("@")) {
      marker = fields[0].toLowerCase(Locale.ROOT);
      if (!marker.equals("@revoked") && !marker.equals("@cert-authority")) {
        return null; // OpenSSH skips unknown markers too
      }
      at = 1;
    }
    if (fields.length < at + 3) {
      return null;
    }
    try {
      byte[] key = Base64.getDecoder().decode(fields[at + 2]);
      return new Entry(number, marker, fields[at], fields[at + 1], key);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The fields of a stripped line, separated by runs of blanks (as {@code split("\\s+")}). */
  private static String[] fields(String text) {
    List<String> fields = new ArrayList<>(4);
    int start = -1;
    for (int i = 0; i <= text.length(); i++) {
      boolean blank = i == text.length() || isBlank(text.charAt(i));
      if (blank && start >= 0) {
        fields.add(text.substring(start, i));
        start = -1;
      } else if (!blank && start < 0) {
        start = i;
      }
    }
    return fields.toArray(String[]::new);
  }

  /** Regex {@code \\s}: space, tab, line feed, vertical tab, form feed, carriage return. */
  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }

  /** The lookup name: {@code host} for port 22, else {@code [host]:port}; lower-case. */
  static String name(String host, int port) {
    String lower = host.toLowerCase(Locale.ROOT);
    return port == 22 ? lower : "[" + lower + "]:" + port;
  }

  /** What the file says about {@code key} presented by the host called {@code name}. */
  Verdict check(String name, byte[] key) {
    String lower = name.toLowerCase(Locale.ROOT);
    List<Entry> known = new ArrayList<>();
    Entry same = null;
    for (Entry entry : entries) {
      if (entry.isRevoked() && entry.hasKey(key) && entry.matches(lower)) {
        return new Verdict(Status.REVOKED, List.of(entry));
      }
      if (entry.isHostKey() && entry.matches(lower)) {
        if (entry.hasKey(key)) {
          same = same == null ? entry : same;
        } else {
          known.add(entry);
        }
      }
    }
    if (same != null) {
      return new Verdict(Status.OK, List.of(same));
    }
    return known.isEmpty()
        ? new Verdict(Status.UNKNOWN, List.of())
        : new Verdict(Status.CHANGED, List.copyOf(known));
  }

  /** The host keys (no markers) known for {@code name}. */
  List<Entry> hostKeys(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    List<Entry> keys = new ArrayList<>();
    for (Entry entry : entries) {
      if (entry.isHostKey() && entry.matches(lower)) {
        keys.add(entry);
      }
    }
    return keys;
  }

  /** Every host key entry (no markers). */
  List<Entry> hostKeys() {
    return entries.stream().filter(Entry::isHostKey).toList();
  }

  /** Whether a host field (hashed name or pattern list) matches {@code name} (lower-case). */
  static boolean matchesHosts(String hosts, String name) {
    if (hosts.startsWith("|1|")) {
      return matchesHashed(hosts, name);
    }
    boolean matched = false;
    for (String pattern : hosts.toLowerCase(Locale.ROOT).split(",")) {
      if (pattern.startsWith("!")) {
        if (glob(pattern.substring(1), name)) {
          return false; // a negated match excludes the entry
        }
      } else if (!pattern.isEmpty() && glob(pattern, name)) {
        matched = true;
      }
    }
    return matched;
  }

  private static boolean matchesHashed(String hosts, String name) {
    String[] parts = hosts.split("\\|", -1);
    if (parts.length != 4) {
      return false;
    }
    try {
      byte[] salt = Base64.getDecoder().decode(parts[2]);
      byte[] expected = Base64.getDecoder().decode(parts[3]);
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(salt, "HmacSHA1"));
      return MessageDigest.isEqual(expected, mac.doFinal(name.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** OpenSSH's match_pattern: {@code *} any run of characters, {@code ?} one character. */
  static boolean glob(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = t;
      } else if (p < pattern.length()
          && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
        p++;
        t++;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
