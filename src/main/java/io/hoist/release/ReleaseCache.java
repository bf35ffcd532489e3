package io.hoist.release;

import io.hoist.error.InterruptedRunException;
import io.hoist.error.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLockInterruptionException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The core node's download cache: verified release bundles, fetched from a {@link
 * ReleaseRepository} ({@code hoist version get}).
 *
 * <p><b>Layout.</b> {@code DIR/BUNDLE} is a verified bundle; {@code DIR/BUNDLE.sha256} beside it is
 * written after verification, in sha256sum's format ({@code HEX BUNDLE}) followed by a comment line
 * {@code # verified size=N mtime=MILLIS} that sha256sum ignores; {@code DIR/BUNDLE.part} is a
 * download in progress or interrupted; {@code DIR/.lock} serialises {@link #get}s. The directory is
 * created 0700 and every file in it 0600, whatever the umask: bundles are not secret, but nobody
 * else needs them, and a file others could write could be swapped between its check and its use.
 *
 * <p><b>No-op rule.</b> {@link #get} returns {@code DIR/BUNDLE} without downloading when its {@code
 * .sha256} names the same sha256 as the repository's (one small request or file read) and the
 * bundle's size and modification time are still those recorded at verification. The bundle is not
 * hashed again: a file changed in place almost always changes size or mtime. When only size or
 * mtime differ, the bundle is hashed once; if it still matches, the record is refreshed, otherwise
 * it is downloaded again.
 *
 * <p><b>Downloads</b> go into {@code BUNDLE.part}, resuming from its length; a transfer that fails
 * after making progress is resumed at once (at most {@value #ATTEMPTS} attempts). The whole file is
 * then hashed; a mismatch deletes the {@code .part} and fails. A verified {@code .part} is renamed
 * atomically to {@code BUNDLE} and its record written, so an interruption at any point leaves
 * either a {@code .part} or a bundle that the next {@code get} checks again; never an unverified
 * file under the bundle's name with a record.
 *
 * <p><b>Concurrency.</b> {@code get} holds an exclusive lock on {@code DIR/.lock} (other processes)
 * and a per-directory lock in this JVM (file locks are per process): a second {@code get} waits,
 * then finds the bundle cached. Blocking; the thread's interruption is honoured.
 */
public final class ReleaseCache {

  static final int ATTEMPTS = 5;

  private static final String PART = ".part";
  private static final String SHA256 = ".sha256";
  private static final Pattern RECORD =
      Pattern.compile("(?m)^# verified size=(\\d+) mtime=(\\d+)$");
  private static final FileAttribute<?> PRIVATE_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final FileAttribute<?> PRIVATE_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  /**
   * One lock per cache directory in this JVM. FileChannel.lock is held by the process, so two
   * threads (or two caches on one directory) must first agree among themselves; this mirrors a
   * per-process resource, which is why it is static.
   */
  private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path dir;
  private final ReleaseRepository repository;
  private final BundlePattern bundles;

  public ReleaseCache(Path dir, ReleaseRepository repository) {
    this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
    this.repository = Objects.requireNonNull(repository, "repository");
    this.bundles = BundlePattern.of(repository.bundlePattern());
  }

  /**
   * The default cache directory: {@code /var/cache/hoist} for root, else {@code
   * $XDG_CACHE_HOME/hoist} when that is set to an absolute path, else {@code ~/.cache/hoist}. The
   * directory is created (mode 0700) by the first {@link #get}, not here.
   */
  public static Path defaultDir(Map<String, String> env, Path home, boolean root) {
    if (root) {
      return Path.of("/var/cache/hoist");
    }
    String xdg = env.get("XDG_CACHE_HOME");
    // The XDG spec says a relative value is invalid and to be ignored.
    if (xdg != null && xdg.startsWith("/")) {
      return Path.of(xdg).resolve("hoist");
    }
    return home.resolve(".cache").resolve("hoist");
  }

  /** The cache directory. */
  public Path dir() {
    return dir;
  }

  /**
   * A verified copy of a release's bundle, downloaded unless already cached.
   *
   * @throws ValidationException when the checksum or the bundle cannot be fetched (a partial
   *     download stays for the next call to resume), the download does not match its checksum
   *     ("corrupt download", nothing kept), or the cache directory cannot be written
   * @throws InterruptedRunException when the thread is interrupted
   */
  public Path get(Version version, DownloadProgress progress) {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(progress, "progress");
    createDir();
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(dir, d -> new ReentrantLock());
    try {
      jvmLock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedRunException("interrupted while waiting for the cache " + dir);
    }
    try (FileChannel channel =
        FileChannel.open(
            dir.resolve(".lock"),
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            ownerOnly(dir))) {
      // Released when the channel closes.
      channel.lock();
      try {
        return fetch(version, progress);
      } catch (ClosedByInterruptException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedRunException("interrupted while caching release " + version);
      } catch (IOException e) {
        throw failure("cannot store release " + version, e);
      }
    } catch (ClosedByInterruptException | FileLockInterruptionException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedRunException("interrupted while waiting for the cache " + dir);
    } catch (IOException e) {
      throw failure("cannot lock " + dir.resolve(".lock"), e);
    } finally {
      jvmLock.unlock();
    }
  }

  private Path fetch(Version version, DownloadProgress progress) throws IOException {
    String name = repository.bundleName(version);
    Path bundle = dir.resolve(name);
    Path record = dir.resolve(name + SHA256);
    Path part = dir.resolve(name + PART);
    String expected = repository.sha256(version);
    if (Files.isRegularFile(bundle)) {
      if (isRecorded(bundle, record, expected)) {
        return bundle;
      }
      // No record, or the file changed since: hash it once rather than download it again.
      if (sha256(bundle).equals(expected)) {
        record(bundle, record, expected);
        return bundle;
      }
      Files.deleteIfExists(record);
      Files.delete(bundle);
    }
    boolean resumed = Files.exists(part) && Files.size(part) > 0;
    download(version, part, progress);
    String actual = sha256(part);
    if (!actual.equals(expected) && resumed) {
      // The partial file may be a prefix of an older bundle of the same name: start over once.
      Files.delete(part);
      download(version, part, progress);
      actual = sha256(part);
    }
    if (!actual.equals(expected)) {
      Files.delete(part);
      throw new ValidationException(
          "corrupt download: expected sha256 "
              + expected
              + ", got "
              + actual
              + " from "
              + repository.bundleLocation(version)
              + "; the download was deleted");
    }
    try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    move(part, bundle);
    record(bundle, record, expected);
    return bundle;
  }

  /** Downloads into {@code part}, resuming at once after a failure that made progress. */
  private void download(Version version, Path part, DownloadProgress progress) throws IOException {
    if (!Files.exists(part, LinkOption.NOFOLLOW_LINKS)) {
      // Created here, owner only: the repository writes into it and the bundle keeps its mode.
      Files.createFile(part, ownerOnly(dir));
    }
    for (int attempt = 1; ; attempt++) {
      long before = Files.exists(part) ? Files.size(part) : 0;
      try {
        repository.download(version, part, before, progress);
        return;
      } catch (ValidationException e) {
        long after = Files.exists(part) ? Files.size(part) : 0;
        if (attempt >= ATTEMPTS || after <= before) {
          throw e;
        }
      }
    }
  }

  /** Whether the record names {@code expected} and the bundle's size and mtime as recorded. */
  private static boolean isRecorded(Path bundle, Path record, String expected) throws IOException {
    if (!Files.isRegularFile(record)) {
      return false;
    }
    Optional<Stamp> stamp = Stamp.read(record);
    return stamp.isPresent()
        && stamp.get().sha256().equals(expected)
        && stamp.get().matches(Files.readAttributes(bundle, BasicFileAttributes.class));
  }

  private void record(Path bundle, Path record, String sha256) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(bundle, BasicFileAttributes.class);
    String text =
        ChecksumFile.line(sha256, bundle.getFileName().toString())
            + "# verified size="
            + attributes.size()
            + " mtime="
            + attributes.lastModifiedTime().toMillis()
            + "\n";
    Path tmp = record.resolveSibling(record.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, ownerOnly(dir));
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    move(tmp, record);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Removes a release's bundle and its record from the cache (a bundle whose checksum matched but
   * that was refused afterwards: a bad manifest, an entry escaping the release directory). The
   * record goes first, so an interruption never leaves a recorded bundle behind.
   *
   * @throws ValidationException when the files cannot be removed
   */
  public void evict(Version version) {
    String name = repository.bundleName(version);
    try {
      Files.deleteIfExists(dir.resolve(name + SHA256));
      Files.deleteIfExists(dir.resolve(name));
    } catch (IOException e) {
      throw failure("cannot remove the refused bundle " + name, e);
    }
  }

  /**
   * The versions whose bundles are in the cache and verified (a record matching their size and
   * mtime), oldest first. Bundles of other patterns and partial downloads are left out. Takes no
   * lock and makes no request.
   */
  public List<Version> cached() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Version> versions = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        Optional<Version> version = bundles.version(name);
        if (version.isEmpty() || !Files.isRegularFile(file)) {
          continue;
        }
        Optional<Stamp> stamp = Stamp.read(dir.resolve(name + SHA256));
        if (stamp.isPresent()
            && stamp.get().matches(Files.readAttributes(file, BasicFileAttributes.class))) {
          versions.add(version.get());
        }
      }
    } catch (IOException e) {
      throw failure("cannot list " + dir, e);
    } catch (UncheckedIOException e) {
      throw failure("cannot list " + dir, e.getCause());
    }
    versions.sort(null);
    return List.copyOf(versions);
  }

  /** What a record says: the sha256 and the size and mtime of the bundle when it was verified. */
  private record Stamp(String sha256, long size, long mtime) {

    static Optional<Stamp> read(Path record) throws IOException {
      String text;
      try {
        text = Files.readString(record, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        return Optional.empty();
      }
      Matcher m = RECORD.matcher(text);
      if (!m.find()) {
        return Optional.empty();
      }
      try {
        return Optional.of(
            new Stamp(
                ChecksumFile.parse(text, record.toString()),
                Long.parseLong(m.group(1)),
                Long.parseLong(m.group(2))));
      } catch (ValidationException | NumberFormatException e) {
        // A damaged record is no record: the bundle is hashed again.
        return Optional.empty();
      }
    }

    boolean matches(BasicFileAttributes attributes) {
      return attributes.size() == size && attributes.lastModifiedTime().toMillis() == mtime;
    }
  }

  /** Read and write for the owner only, where the file system has POSIX modes. */
  private static FileAttribute<?>[] ownerOnly(Path dir) {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix")
        ? new FileAttribute<?>[] {PRIVATE_FILE}
        : new FileAttribute<?>[0];
  }

  private void createDir() {
    try {
      if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createDirectories(dir, PRIVATE_DIR);
      } else {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw failure("cannot create the cache directory " + dir, e);
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return ChecksumFile.hex(digest.digest());
  }

  private ValidationException failure(String what, IOException e) {
    String why =
        e instanceof FileSystemException fse && fse.getReason() != null
            ? fse.getReason()
            : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    return new ValidationException("download cache " + dir + ": " + what + ": " + why, e);
  }
}
