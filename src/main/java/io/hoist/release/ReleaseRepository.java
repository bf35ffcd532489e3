package io.hoist.release;

import io.hoist.error.UsageException;
import io.hoist.model.Release;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Where release bundles come from ({@code release.repository} of the cluster file). */
public interface ReleaseRepository {

  /** The releases offered (each with a checksum beside its bundle), oldest first, newest last. */
  List<Version> releases();

  /** The repository as the cluster file names it, for messages. */
  String location();

  /**
   * Opens the repository a cluster file names.
   *
   * @param baseDir the directory a relative {@code file:} location is resolved against (the cluster
   *     file's directory)
   * @throws UsageException for an http(s) repository (not supported yet) or an unknown scheme
   * @throws io.hoist.error.ValidationException when a {@code file:} directory does not exist or
   *     cannot be listed
   */
  static ReleaseRepository open(Release release, Path baseDir) {
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(baseDir, "baseDir");
    String location = release.repository().strip();
    String lower = location.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http:") || lower.startsWith("https:")) {
      throw new UsageException(
          "an http(s) release repository is not supported yet; use a file: directory");
    }
    if (lower.startsWith("file:")) {
      return FileRepository.open(location, release.bundle(), baseDir);
    }
    throw new UsageException(
        "release repository '"
            + location
            + "' is not supported: write file:/path/to/dir (or file:dir, relative to the cluster"
            + " file)");
  }
}
