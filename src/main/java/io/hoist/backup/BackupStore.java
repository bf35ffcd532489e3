package io.hoist.backup;

import io.hoist.command.ShellCommand;
import io.hoist.command.ShellQuote;
import io.hoist.model.Node;
import io.hoist.transport.ExecResult;
import io.hoist.transport.FileDigest;
import io.hoist.transport.OutputSink;
import io.hoist.transport.Transport;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The core node's store of node backups: {@code root/NODE/TIMESTAMP-FROM-TO/} (directories {@code
 * 0700}), each holding {@code archive.tar.gz} and {@code manifest.txt} (files 0600, whatever the
 * umask). A backup directory without a manifest is an incomplete take and is not listed.
 *
 * <p>The manifest is plain text, one {@code key TAB value} per line in a fixed order: {@code node},
 * {@code from}, {@code to}, {@code created}, {@code sha256} (of the archive), one {@code path} line
 * per backed-up path, then one {@code entry TAB type TAB size TAB sha256 TAB path} line per archive
 * entry in archive order (tabs, newlines and backslashes in values escaped as {@code \t}, {@code
 * \n}, {@code \\}).
 *
 * <p>Blocking; one node's backups are taken and restored by one thread at a time.
 */
public final class BackupStore {

  static final String ARCHIVE = "archive.tar.gz";
  static final String MANIFEST = "manifest.txt";
  private static final String HEADER = "hoist-backup 1";
  private static final Set<PosixFilePermission> PRIVATE =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** The exit code of the take script when backup paths are missing. */
  private static final int MISSING = 66;

  private final Path root;
  private final Clock clock;

  public BackupStore(Path root) {
    this(root, Clock.systemUTC());
  }

  public BackupStore(Path root, Clock clock) {
    this.root = Objects.requireNonNull(root, "root");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The store's root directory. */
  public Path root() {
    return root;
  }

  /** As {@link #take(Node, Transport, List, String, String, Duration, OutputSink)}, no output. */
  public Backup take(
      Node node,
      Transport transport,
      List<String> paths,
      String from,
      String to,
      Duration timeout) {
    return take(node, transport, paths, from, to, timeout, OutputSink.NONE);
  }

  /**
   * Archives {@code paths} on the node ({@code tar -czf} into the node's home), downloads the
   * archive (sha256-verified), removes it from the node, reads it back and writes the manifest.
   * Nothing on the node but the temporary archive is written, and that is removed in every case.
   *
   * @throws BackupException when a path is missing, {@code tar} fails, or the downloaded archive
   *     cannot be read back (it is then deleted)
   * @throws io.hoist.error.TransportException when the node cannot be reached or the download fails
   */
  public Backup take(
      Node node,
      Transport transport,
      List<String> paths,
      String from,
      String to,
      Duration timeout,
      OutputSink sink) {
    if (paths.isEmpty()) {
      throw new BackupException("node " + node.name() + ": no backup paths configured");
    }
    List<String> relative = new ArrayList<>();
    for (String path : paths) {
      relative.add(relative(node, path));
    }
    Instant created = clock.instant();
    Path dir = createBackupDir(node.name(), created, from, to);
    created = createdOf(dir, created);
    String remote = node.layout().home() + "/.hoist-backup-" + dir.getFileName() + ".tar.gz";
    Path archive = dir.resolve(ARCHIVE);
    boolean ok = false;
    try {
      StringBuilder quoted = new StringBuilder();
      for (String r : relative) {
        quoted.append(' ').append(ShellQuote.quote(r));
      }
      // umask 077: the archive of the node's data is readable by the login user only while it
      // waits in the node's home for the download.
      String script =
          "umask 077; missing=0; for p in"
              + quoted
              + "; do if [ ! -e \"/$p\" ] && [ ! -L \"/$p\" ]; then echo \"missing /$p\"; missing=1;"
              + " fi; done; if [ $missing -ne 0 ]; then exit "
              + MISSING
              + "; fi; tar -czf "
              + ShellQuote.quote(remote)
              + " -C /"
              + quoted;
      ExecResult result;
      try {
        result = transport.exec(ShellCommand.of(script), timeout, sink);
        if (!result.isSuccess()) {
          throw new BackupException(takeFailure(node, paths, result, timeout));
        }
        String sha256 = transport.download(remote, archive);
        List<Backup.Entry> entries = readBackOrDelete(archive);
        Backup backup =
            new Backup(
                node.name(),
                from,
                to,
                created,
                dir,
                archive,
                sha256,
                paths,
                entries,
                node.layout().home());
        writeManifest(backup);
        ok = true;
        return backup;
      } finally {
        transport.exec(
            ShellCommand.of("rm -f " + ShellQuote.quote(remote)), timeout, OutputSink.NONE);
      }
    } finally {
      if (!ok) {
        deleteTree(dir);
      }
    }
  }

  /**
   * Puts the backup's paths back on the node as they were: verifies the archive on the core node
   * (sha256 and a full read-back against the manifest) before anything on the node changes, uploads
   * it (sha256-verified), checks it there, removes each backed-up path and extracts the archive at
   * {@code /}, then removes the upload. Safe to repeat.
   *
   * @throws BackupException when the archive is missing, corrupt or differs from its manifest (the
   *     node is not touched), or when the extraction on the node fails
   * @throws io.hoist.error.TransportException when the node cannot be reached or the upload fails
   */
  public void restore(Backup backup, Transport transport, Duration timeout) {
    restore(backup, transport, timeout, OutputSink.NONE);
  }

  /** As {@link #restore(Backup, Transport, Duration)}, the node's output to {@code sink}. */
  public void restore(Backup backup, Transport transport, Duration timeout, OutputSink sink) {
    verify(backup);
    for (String path : backup.paths()) {
      if (path.replaceAll("/+", "/").equals("/")) {
        throw new BackupException("refusing to restore over / on node " + backup.node());
      }
    }
    String home = backup.nodeHome();
    String remote = home + "/.hoist-restore-" + backup.dir().getFileName() + ".tar.gz";
    transport.upload(backup.archive(), remote, backup.sha256());
    StringBuilder paths = new StringBuilder();
    for (String path : backup.paths()) {
      paths.append(' ').append(ShellQuote.quote(path));
    }
    String q = ShellQuote.quote(remote);
    String script =
        "tar -tzf "
            + q
            + " >/dev/null && rm -rf --"
            + paths
            + " && tar -xzf "
            + q
            + " -C /; rc=$?; rm -f "
            + q
            + "; exit $rc";
    ExecResult result = transport.exec(ShellCommand.of(script), timeout, sink);
    if (!result.isSuccess()) {
      String last = result.lastLine();
      throw new BackupException(
          "node "
              + backup.node()
              + ": restoring "
              + backup.dir().getFileName()
              + (result.timedOut()
                  ? " timed out after " + timeout.toMillis() + "ms"
                  : " exited " + result.exitCode())
              + (last.isEmpty() ? "" : ": " + last));
    }
  }

  /**
   * Checks the backup's archive on the core node: present, its sha256 as recorded, and every entry
   * as the manifest lists it.
   *
   * @throws BackupException when it is not
   */
  public void verify(Backup backup) {
    Path archive = backup.archive();
    if (!Files.isRegularFile(archive)) {
      throw new BackupException("the backup archive " + archive + " is missing");
    }
    String actual;
    try {
      actual = FileDigest.sha256(archive);
    } catch (IOException e) {
      throw new BackupException("cannot read the backup archive " + archive + ": " + e, e);
    }
    if (!actual.equals(backup.sha256())) {
      throw new BackupException(
          "the backup archive "
              + archive
              + " is corrupt: its sha256 "
              + actual
              + " differs from the manifest's "
              + backup.sha256());
    }
    List<Backup.Entry> entries = readBack(archive);
    if (!entries.equals(backup.entries())) {
      throw new BackupException(
          "the backup archive " + archive + " does not match its manifest's entries");
    }
  }

  /** The node's complete backups, oldest first. */
  public List<Backup> list(String node) {
    Path nodeDir = root.resolve(node);
    if (!Files.isDirectory(nodeDir)) {
      return List.of();
    }
    List<Backup> backups = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(nodeDir)) {
      for (Path dir : dirs) {
        if (Files.isRegularFile(dir.resolve(MANIFEST))) {
          backups.add(readManifest(dir));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    backups.sort(
        Comparator.comparing(Backup::created).thenComparing(b -> b.dir().getFileName().toString()));
    return List.copyOf(backups);
  }

  /**
   * Deletes the node's complete backups but the newest {@code keep}. Call only after a successful
   * phase: a failed upgrade must never lose the backup it may need.
   *
   * @return the backups deleted
   */
  public List<Backup> prune(String node, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1: " + keep);
    }
    List<Backup> all = list(node);
    List<Backup> old = all.subList(0, Math.max(0, all.size() - keep));
    for (Backup backup : old) {
      deleteTree(backup.dir());
    }
    return List.copyOf(old);
  }

  private static String relative(Node node, String path) {
    if (!path.startsWith("/")) {
      throw new BackupException(
          "node " + node.name() + ": the backup path " + path + " is not absolute");
    }
    String rel = path.replaceAll("^/+", "");
    if (rel.isEmpty()) {
      throw new BackupException("node " + node.name() + ": refusing to back up /");
    }
    for (String segment : rel.split("/")) {
      if (segment.equals("..")) {
        throw new BackupException(
            "node " + node.name() + ": the backup path " + path + " contains ..");
      }
    }
    return rel;
  }

  private static String takeFailure(
      Node node, List<String> paths, ExecResult result, Duration timeout) {
    if (!result.timedOut() && result.exitCode() == MISSING) {
      List<String> missing =
          result
              .stdoutTail()
              .lines()
              .filter(l -> l.startsWith("missing "))
              .map(l -> l.substring("missing ".length()))
              .toList();
      return "node "
          + node.name()
          + ": the backup path"
          + (missing.size() == 1 ? " " : "s ")
          + String.join(", ", missing)
          + (missing.size() == 1 ? " does" : " do")
          + " not exist";
    }
    String last = result.lastLine();
    return "node "
        + node.name()
        + ": archiving "
        + String.join(", ", paths)
        + (result.timedOut()
            ? " timed out after " + timeout.toMillis() + "ms"
            : " exited " + result.exitCode())
        + (last.isEmpty() ? "" : ": " + last);
  }

  private Path createBackupDir(String node, Instant created, String from, String to) {
    try {
      Path nodeDir = root.resolve(node);
      createPrivateDirs(nodeDir);
      Instant at = created;
      while (true) {
        Path dir = nodeDir.resolve(STAMP.format(at) + "-" + safe(from) + "-" + safe(to));
        try {
          Files.createDirectory(dir, privateAttribute());
          return dir;
        } catch (FileAlreadyExistsException e) {
          at = at.plusMillis(1);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Instant createdOf(Path dir, Instant fallback) {
    String name = dir.getFileName().toString();
    int end = name.indexOf('Z');
    return end < 0 ? fallback : ZonedDateTime.parse(name.substring(0, end + 1), STAMP).toInstant();
  }

  private void createPrivateDirs(Path dir) throws IOException {
    Path parent = dir.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      createPrivateDirs(parent);
    }
    if (!Files.isDirectory(dir)) {
      try {
        Files.createDirectory(dir, privateAttribute());
      } catch (FileAlreadyExistsException e) {
        // Another node's thread made it.
      }
    }
  }

  private static FileAttribute<Set<PosixFilePermission>> privateAttribute() {
    return PosixFilePermissions.asFileAttribute(PRIVATE);
  }

  private static String safe(String version) {
    return version.replaceAll("[^A-Za-z0-9._+]", "_");
  }

  private static List<Backup.Entry> readBackOrDelete(Path archive) {
    try {
      return readBack(archive);
    } catch (BackupException e) {
      try {
        Files.deleteIfExists(archive);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Every entry of the archive with its content's size and sha256; reads the gzip to its end. */
  static List<Backup.Entry> readBack(Path archive) {
    List<Backup.Entry> entries = new ArrayList<>();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
        GzipCompressorInputStream gzip = new GzipCompressorInputStream(raw);
        TarArchiveInputStream tar = new TarArchiveInputStream(gzip)) {
      byte[] buffer = new byte[64 * 1024];
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        String name = entry.getName();
        if (entry.isDirectory()) {
          entries.add(new Backup.Entry(name, "dir", 0, "-"));
        } else if (entry.isSymbolicLink() || entry.isLink()) {
          entries.add(new Backup.Entry(name, "link", 0, "-"));
        } else {
          MessageDigest digest = FileDigest.newSha256();
          long size = 0;
          int n;
          while ((n = tar.read(buffer)) != -1) {
            digest.update(buffer, 0, n);
            size += n;
          }
          if (size != entry.getSize()) {
            throw new BackupException("the backup archive " + archive + " is truncated at " + name);
          }
          entries.add(new Backup.Entry(name, "file", size, FileDigest.hex(digest)));
        }
      }
      // The gzip trailer (its CRC and length) is checked only once the stream is read to its end.
      while (gzip.read(buffer) != -1) {
        // drain
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new BackupException(
          "the backup archive " + archive + " cannot be read back (truncated or corrupt): " + e, e);
    }
    return List.copyOf(entries);
  }

  private static void writeManifest(Backup backup) {
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    line(text, "node", backup.node());
    line(text, "from", backup.from());
    line(text, "to", backup.to());
    line(text, "created", backup.created().toString());
    line(text, "sha256", backup.sha256());
    line(text, "home", backup.nodeHome());
    for (String path : backup.paths()) {
      line(text, "path", path);
    }
    for (Backup.Entry e : backup.entries()) {
      text.append("entry\t")
          .append(e.type())
          .append('\t')
          .append(e.size())
          .append('\t')
          .append(e.sha256())
          .append('\t')
          .append(escape(e.path()))
          .append('\n');
    }
    Path manifest = backup.dir().resolve(MANIFEST);
    Path temp = backup.dir().resolve(MANIFEST + ".tmp");
    try {
      Files.deleteIfExists(temp);
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      Files.writeString(temp, text.toString(), StandardCharsets.UTF_8);
      Files.move(temp, manifest, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void line(StringBuilder text, String key, String value) {
    text.append(key).append('\t').append(escape(value)).append('\n');
  }

  private static Backup readManifest(Path dir) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve(MANIFEST), StandardCharsets.UTF_8);
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      throw new BackupException("the backup manifest in " + dir + " is not a hoist manifest");
    }
    String node = null;
    String from = null;
    String to = null;
    Instant created = null;
    String sha256 = null;
    String home = null;
    List<String> paths = new ArrayList<>();
    List<Backup.Entry> entries = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "node" -> node = unescape(f[1]);
        case "from" -> from = unescape(f[1]);
        case "to" -> to = unescape(f[1]);
        case "created" -> created = Instant.parse(f[1]);
        case "sha256" -> sha256 = f[1];
        case "home" -> home = unescape(f[1]);
        case "path" -> paths.add(unescape(f[1]));
        case "entry" ->
            entries.add(new Backup.Entry(unescape(f[4]), f[1], Long.parseLong(f[2]), f[3]));
        default -> throw new BackupException("the backup manifest in " + dir + ": " + line);
      }
    }
    return new Backup(
        node, from, to, created, dir, dir.resolve(ARCHIVE), sha256, paths, entries, home);
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
  }

  private static String unescape(String value) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        char next = value.charAt(++i);
        out.append(next == 't' ? '\t' : next == 'n' ? '\n' : next);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
