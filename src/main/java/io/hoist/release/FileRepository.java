package io.hoist.release;

import io.hoist.error.InterruptedRunException;
import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A release repository in a local directory ({@code file:/srv/releases}): every regular file whose
 * name matches the bundle pattern ({@code acme-${version}.tar.gz}) with a valid version, and a
 * {@code NAME.sha256} file beside it. A bundle without its checksum is not offered; it is listed in
 * {@link #warnings()}. Files that do not match the pattern are ignored.
 *
 * <p>The directory is read once, when the repository is opened: an immutable snapshot.
 */
public final class FileRepository implements ReleaseRepository {

  private static final int CHUNK = 1 << 16;

  private final String location;
  private final Path dir;
  private final BundlePattern bundle;
  private final List<Version> releases;
  private final List<String> warnings;

  private FileRepository(
      String location,
      Path dir,
      BundlePattern bundle,
      List<Version> releases,
      List<String> warnings) {
    this.location = location;
    this.dir = dir;
    this.bundle = bundle;
    this.releases = List.copyOf(releases);
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Opens a {@code file:} location: {@code file:/abs}, {@code file:///abs} or {@code file:rel}
   * (resolved against {@code baseDir}).
   *
   * @throws UsageException when the location is not a {@code file:} URL or the bundle pattern has
   *     no {@code ${version}}
   * @throws ValidationException when the directory does not exist, is not a directory or cannot be
   *     listed
   */
  public static FileRepository open(String location, String bundle, Path baseDir) {
    Objects.requireNonNull(location, "location");
    if (!location.regionMatches(true, 0, "file:", 0, 5)) {
      throw new UsageException("release repository '" + location + "' is not a file: URL");
    }
    String path = location.substring(5);
    if (path.startsWith("//")) {
      // file:///srv/releases (empty authority); file://host/... is not a local directory.
      if (!path.startsWith("///")) {
        throw new UsageException(
            "release repository '" + location + "' names a host; write file:/path/to/dir");
      }
      path = path.substring(2);
    }
    if (path.isEmpty()) {
      throw new UsageException(
          "release repository '" + location + "' names no directory; write file:/path/to/dir");
    }
    return of(location, baseDir.resolve(path).normalize(), bundle);
  }

  /**
   * Reads a directory.
   *
   * @param location the repository as the cluster file names it, for messages
   * @throws UsageException when the bundle pattern has no {@code ${version}}
   * @throws ValidationException when the directory does not exist, is not a directory or cannot be
   *     listed (the message names the directory and the cause)
   */
  public static FileRepository of(String location, Path dir, String bundle) {
    BundlePattern pattern = BundlePattern.of(bundle);
    TreeMap<Version, String> found = new TreeMap<>();
    List<String> warnings = new ArrayList<>();
    // No Files.isDirectory check first: listing is the check, so a directory that vanishes or
    // turns unreadable in between is reported the same way.
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        Optional<Version> version = pattern.version(name);
        if (version.isEmpty() || !Files.isRegularFile(file)) {
          continue;
        }
        if (Files.isRegularFile(dir.resolve(name + ".sha256"))) {
          found.put(version.get(), name);
        } else {
          warnings.add(
              name + " has no " + name + ".sha256 beside it in " + dir + "; it is not offered");
        }
      }
    } catch (IOException e) {
      throw unreadable(location, dir, e);
    } catch (UncheckedIOException e) {
      // Files.list reports errors met while iterating (DirectoryIteratorException) this way.
      throw unreadable(location, dir, e.getCause());
    }
    return new FileRepository(location, dir, pattern, new ArrayList<>(found.keySet()), warnings);
  }

  private static ValidationException unreadable(String location, Path dir, IOException e) {
    String why;
    if (e instanceof NoSuchFileException) {
      why = "does not exist";
    } else if (e instanceof NotDirectoryException) {
      why = "is not a directory";
    } else if (e instanceof AccessDeniedException) {
      why = "cannot be read: permission denied";
    } else {
      why = "cannot be listed: " + describe(e);
    }
    return new ValidationException(
        "release repository " + location + ": directory " + dir + " " + why, e);
  }

  /** {@code FileSystemException}'s message repeats the path; its reason alone says the cause. */
  private static String describe(IOException e) {
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  @Override
  public List<Version> releases() {
    return releases;
  }

  @Override
  public String location() {
    return location;
  }

  /** Why some bundles are not offered (no checksum beside them), in file name order. */
  public List<String> warnings() {
    return warnings;
  }

  /** The directory read. */
  public Path dir() {
    return dir;
  }

  /** The bundle file of a release. */
  public Path bundle(Version version) {
    return dir.resolve(bundle.name(version));
  }

  /** The checksum file beside a release's bundle. */
  public Path checksum(Version version) {
    Path file = bundle(version);
    return file.resolveSibling(file.getFileName() + ".sha256");
  }

  @Override
  public String bundlePattern() {
    return bundle.text();
  }

  @Override
  public String bundleName(Version version) {
    return bundle.name(version);
  }

  @Override
  public String bundleLocation(Version version) {
    return bundle(version).toString();
  }

  @Override
  public String sha256(Version version) {
    Path file = checksum(version);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ValidationException(
          "release repository "
              + location
              + ": checksum file "
              + file
              + " does not exist (release "
              + version
              + " is not offered)",
          e);
    } catch (IOException e) {
      throw new ValidationException(
          "release repository "
              + location
              + ": checksum file "
              + file
              + " cannot be read: "
              + describe(e),
          e);
    }
    return ChecksumFile.parse(text, file.toString());
  }

  /**
   * Copies the bundle file from {@code offset} on. A bundle shorter than {@code offset} (replaced
   * since the partial copy) is copied whole over a truncated {@code target}.
   */
  @Override
  public void download(Version version, Path target, long offset, DownloadProgress progress) {
    Path source = bundle(version);
    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
        FileChannel out =
            FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      long size = in.size();
      long from = offset <= size ? offset : 0;
      out.truncate(from);
      out.position(from);
      progress.start(size);
      try {
        progress.advance(from);
        long position = from;
        while (position < size) {
          if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedRunException("interrupted while copying " + source);
          }
          long copied = in.transferTo(position, Math.min(CHUNK, size - position), out);
          if (copied <= 0) {
            break;
          }
          position += copied;
          progress.advance(copied);
        }
      } finally {
        progress.done();
      }
    } catch (ClosedByInterruptException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedRunException("interrupted while copying " + source);
    } catch (NoSuchFileException e) {
      throw new ValidationException(
          "release repository " + location + ": bundle " + source + " does not exist", e);
    } catch (IOException e) {
      throw new ValidationException(
          "release repository "
              + location
              + ": cannot copy "
              + source
              + " to "
              + target
              + ": "
              + describe(e),
          e);
    }
  }
}
