package io.hoist.release;

import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/** The work behind {@link Bundles#pack}. */
final class BundlePacker {

  private static final int FILE_MODE = 0644;

  /** One thing to pack: its entry name (directories end with '/'), what it is, where it is. */
  private record Item(
      String name, BundleTree.Kind kind, Path source, int mode, long size, String linkTarget) {}

  private BundlePacker() {}

  static Manifest pack(
      Path dir,
      Version version,
      String product,
      String upgradeFrom,
      String minHoist,
      Path repositoryDir,
      String bundleFileName) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(product, "product");
    Objects.requireNonNull(repositoryDir, "repositoryDir");
    Objects.requireNonNull(bundleFileName, "bundleFileName");
    Manifest manifest = manifest(product, version, upgradeFrom, minHoist);
    checkFileName(bundleFileName, version);
    Path root =
        directory(dir, "directory to pack", "name the directory that holds the release's files");
    Path repository =
        directory(
            repositoryDir,
            "release repository",
            "create it, or name the repository directory with --into");
    if (repository.startsWith(root)) {
      throw new UsageException(
          "the release repository "
              + repositoryDir
              + " lies inside the directory to pack "
              + dir
              + "; the bundle would pack earlier bundles");
    }
    List<Item> items = collect(root, dir);
    Path target = repository.resolve(bundleFileName);
    Path checksum = repository.resolve(bundleFileName + ".sha256");
    Path temp = null;
    Path tempChecksum = null;
    try {
      temp = Files.createTempFile(repository, "." + bundleFileName + ".", ".tmp");
      String sha256 = write(temp, manifest, items);
      try {
        BundleVerifier.verify(temp, sha256, version);
      } catch (ValidationException e) {
        throw new ValidationException(
            "the bundle packed from "
                + dir
                + " fails verification (did files change while"
                + " packing?): "
                + e.getMessage(),
            e);
      }
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        String existing = Bundles.sha256(target);
        if (!existing.equals(sha256)) {
          throw new ValidationException(
              bundleFileName
                  + " already exists in "
                  + repositoryDir
                  + " with other content (sha256 "
                  + existing
                  + ", packed "
                  + sha256
                  + "); a published release never changes: pack another version, or remove the"
                  + " old bundle first");
        }
        Files.delete(temp);
      } else {
        move(temp, target);
      }
      temp = null;
      tempChecksum = Files.createTempFile(repository, "." + bundleFileName + ".sha256.", ".tmp");
      writeDurably(
          tempChecksum, (sha256 + "  " + bundleFileName + "\n").getBytes(StandardCharsets.UTF_8));
      move(tempChecksum, checksum);
      tempChecksum = null;
      updateIndex(repository, bundleFileName, version);
      return manifest;
    } catch (IOException e) {
      throw new ValidationException(
          "cannot write " + bundleFileName + " to " + repositoryDir + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(temp);
      deleteQuietly(tempChecksum);
    }
  }

  private static Manifest manifest(
      String product, Version version, String upgradeFrom, String minHoist) {
    VersionRange range = null;
    Version hoist = null;
    try {
      range = upgradeFrom == null ? null : VersionRange.parse(upgradeFrom);
    } catch (IllegalArgumentException e) {
      throw new UsageException("upgrade_from: " + e.getMessage());
    }
    try {
      hoist = minHoist == null ? null : Version.parse(minHoist);
    } catch (IllegalArgumentException e) {
      throw new UsageException("min_hoist: " + e.getMessage());
    }
    try {
      return new Manifest(product, version, range, hoist);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static void checkFileName(String name, Version version) {
    if (name.isEmpty()
        || name.contains("/")
        || name.contains("\\")
        || name.startsWith(".")
        || name.indexOf('\0') >= 0
        || name.equals(Bundles.INDEX)) {
      throw new UsageException(
          "bundle file name "
              + BundleTree.quote(name)
              + " is not a plain file name (no '/', not starting with '.', not "
              + Bundles.INDEX
              + ")");
    }
    if (!name.contains(version.text())) {
      throw new UsageException(
          "bundle file name "
              + BundleTree.quote(name)
              + " does not contain the version "
              + version
              + " (repositories find releases by name: acme-"
              + version
              + ".tar.gz)");
    }
  }

  private static Path directory(Path path, String what, String todo) {
    if (!Files.exists(path)) {
      throw new UsageException(what + " " + path + " does not exist; " + todo);
    }
    if (!Files.isDirectory(path)) {
      throw new UsageException(what + " " + path + " is not a directory");
    }
    try {
      return path.toRealPath();
    } catch (IOException e) {
      throw new UsageException(what + " " + path + " cannot be read: " + e.getMessage());
    }
  }

  /** Everything under {@code root}, sorted by entry name, checked as the verifier would. */
  private static List<Item> collect(Path root, Path shown) {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.filter(p -> !p.equals(root)).toList();
    } catch (IOException e) {
      throw new ValidationException("cannot read " + shown + ": " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new ValidationException(
          "cannot read " + shown + ": " + e.getCause().getMessage(), e.getCause());
    }
    List<Item> items = new ArrayList<>();
    for (Path path : paths) {
      items.add(item(root, shown, path));
    }
    items.sort(Comparator.comparing(Item::name));
    BundleTree tree = new BundleTree();
    try {
      tree.add(Manifest.FILE_NAME, BundleTree.Kind.FILE, null);
      for (Item item : items) {
        tree.add(item.name(), item.kind(), item.linkTarget());
      }
      tree.checkLinks();
    } catch (BundleTree.Refusal r) {
      String name =
          r.entry().endsWith("/") ? r.entry().substring(0, r.entry().length() - 1) : r.entry();
      throw new ValidationException(
          shown.resolve(name)
              + " "
              + r.getMessage().replace("the release root", shown.toString())
              + "; nothing was packed");
    }
    return items;
  }

  private static Item item(Path root, Path shown, Path path) {
    List<String> parts = new ArrayList<>();
    for (Path part : root.relativize(path)) {
      parts.add(part.toString());
    }
    String name = String.join("/", parts);
    Path where = shown.resolve(root.relativize(path));
    if (name.equals(Manifest.FILE_NAME)) {
      throw new ValidationException(
          where
              + " exists: hoist generates the manifest from the command line (--version and"
              + " friends); remove the file from the directory");
    }
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new ValidationException("cannot read " + where + ": " + e.getMessage(), e);
    }
    try {
      if (attributes.isSymbolicLink()) {
        String target = Files.readSymbolicLink(path).toString();
        return new Item(name, BundleTree.Kind.SYMLINK, path, 0777, 0, target);
      }
      if (attributes.isDirectory()) {
        return new Item(name + "/", BundleTree.Kind.DIRECTORY, path, mode(path, 0755), 0, null);
      }
      if (attributes.isRegularFile()) {
        int fallback = Files.isExecutable(path) ? 0755 : FILE_MODE;
        return new Item(
            name, BundleTree.Kind.FILE, path, mode(path, fallback), attributes.size(), null);
      }
    } catch (IOException e) {
      throw new ValidationException("cannot read " + where + ": " + e.getMessage(), e);
    }
    throw new ValidationException(
        where
            + " is neither a file, a directory nor a symlink (a fifo, socket or device);"
            + " a bundle cannot hold it");
  }

  /** The permission bits; set-id and sticky bits are not kept (Java cannot read them anyway). */
  private static int mode(Path path, int fallback) throws IOException {
    PosixFileAttributes posix;
    try {
      posix = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException e) {
      return fallback;
    }
    int mode = 0;
    for (PosixFilePermission permission : posix.permissions()) {
      mode |= 0400 >> permission.ordinal();
    }
    return mode;
  }

  /** Writes the bundle, durably; returns its sha256. */
  private static String write(Path file, Manifest manifest, List<Item> items) throws IOException {
    MessageDigest digest = Bundles.newSha256();
    GzipParameters gzip = new GzipParameters();
    gzip.setModificationTime(0);
    try (OutputStream out = Files.newOutputStream(file);
        DigestOutputStream hashed =
            new DigestOutputStream(new BufferedOutputStream(out, 1 << 16), digest);
        GzipCompressorOutputStream zipped = new GzipCompressorOutputStream(hashed, gzip);
        TarArchiveOutputStream tar =
            new TarArchiveOutputStream(zipped, StandardCharsets.UTF_8.name())) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      byte[] json = manifest.toJson();
      tar.putArchiveEntry(
          entry(Manifest.FILE_NAME, TarConstants.LF_NORMAL, FILE_MODE, json.length));
      tar.write(json);
      tar.closeArchiveEntry();
      for (Item item : items) {
        switch (item.kind()) {
          case DIRECTORY -> {
            tar.putArchiveEntry(entry(item.name(), TarConstants.LF_DIR, item.mode(), 0));
            tar.closeArchiveEntry();
          }
          case SYMLINK -> {
            TarArchiveEntry link = entry(item.name(), TarConstants.LF_SYMLINK, item.mode(), 0);
            link.setLinkName(item.linkTarget());
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
          }
          case FILE -> {
            tar.putArchiveEntry(
                entry(item.name(), TarConstants.LF_NORMAL, item.mode(), item.size()));
            copy(item, tar);
            tar.closeArchiveEntry();
          }
          default -> throw new IllegalStateException("cannot pack a " + item.kind());
        }
      }
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    return Bundles.hex(digest.digest());
  }

  private static TarArchiveEntry entry(String name, byte flag, int mode, long size) {
    // preserveAbsolutePath: names are already relative; the other constructors rewrite them.
    TarArchiveEntry entry = new TarArchiveEntry(name, flag, true);
    entry.setMode(mode);
    entry.setSize(size);
    entry.setModTime(0);
    entry.setIds(0, 0);
    entry.setNames("", "");
    return entry;
  }

  /** Copies exactly the size announced in the header; a file that changed meanwhile is an error. */
  private static void copy(Item item, OutputStream tar) throws IOException {
    try (InputStream in = Files.newInputStream(item.source(), LinkOption.NOFOLLOW_LINKS)) {
      byte[] buffer = new byte[1 << 16];
      long left = item.size();
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new ValidationException(
              item.source() + " shrank while it was packed; pack again when it is stable");
        }
        tar.write(buffer, 0, n);
        left -= n;
      }
      if (in.read() >= 0) {
        throw new ValidationException(
            item.source() + " grew while it was packed; pack again when it is stable");
      }
    }
  }

  /**
   * Adds the bundle to the repository's index: names that hold a version where this one holds its
   * own ({@code acme-3.6.1.tar.gz} against {@code acme-${version}.tar.gz}) sorted by version, then
   * any other line by name; blank lines and duplicates dropped.
   */
  private static void updateIndex(Path repository, String bundleFileName, Version version)
      throws IOException {
    Path index = repository.resolve(Bundles.INDEX);
    Set<String> names = new LinkedHashSet<>();
    if (Files.exists(index)) {
      for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          names.add(line.strip());
        }
      }
    }
    names.add(bundleFileName);
    int at = bundleFileName.lastIndexOf(version.text());
    String before = bundleFileName.substring(0, at);
    String after = bundleFileName.substring(at + version.text().length());
    TreeMap<Version, String> versioned = new TreeMap<>();
    TreeMap<String, String> others = new TreeMap<>();
    for (String name : names) {
      String middle =
          name.length() > before.length() + after.length()
                  && name.startsWith(before)
                  && name.endsWith(after)
              ? name.substring(before.length(), name.length() - after.length())
              : null;
      if (middle != null && Version.isValid(middle)) {
        versioned.put(Version.parse(middle), name);
      } else {
        others.put(name, name);
      }
    }
    StringBuilder text = new StringBuilder();
    versioned.values().forEach(name -> text.append(name).append('\n'));
    others.values().forEach(name -> text.append(name).append('\n'));
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    if (Files.exists(index) && Arrays.equals(Files.readAllBytes(index), bytes)) {
      return;
    }
    Path temp = Files.createTempFile(repository, "." + Bundles.INDEX + ".", ".tmp");
    try {
      writeDurably(temp, bytes);
      move(temp, index);
      temp = null;
    } finally {
      deleteQuietly(temp);
    }
  }

  private static void writeDurably(Path file, byte[] bytes) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    // Temporary files are created private; what is published is world-readable, as cp would make
    // it.
    try {
      Files.setPosixFilePermissions(from, PosixFilePermissions.fromString("rw-r--r--"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: its default permissions apply.
    }
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      // Same directory, so only an odd file system gets here; a plain rename is the best left.
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Cleanup of a temporary file after another failure; that failure is what is reported.
    }
  }
}
