package io.hoist.release;

import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import io.hoist.model.Release;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where release bundles come from ({@code release.repository} of the cluster file): a local
 * directory ({@link FileRepository}) or an http(s) server ({@link HttpRepository}).
 *
 * <p>Implementations are thread safe. Every method may block on the file system or the network;
 * none retries. Failures are {@link ValidationException}s whose message names the file or URL (with
 * any password masked) and the cause.
 */
public interface ReleaseRepository {

  /** The releases offered (each with a checksum beside its bundle), oldest first, newest last. */
  List<Version> releases();

  /** The repository as the cluster file names it (credentials masked), for messages. */
  String location();

  /** The bundle file name pattern ({@code acme-${version}.tar.gz}). */
  String bundlePattern();

  /** The file name of a release's bundle ({@code acme-3.6.1.tar.gz}). */
  String bundleName(Version version);

  /** Where a release's bundle is read from (path or URL, credentials masked), for messages. */
  String bundleLocation(Version version);

  /**
   * The lower-case hex sha256 of a release's bundle, read from {@code BUNDLE.sha256} beside it: the
   * first 64 hex digits of its first line ({@code HEX NAME}, as sha256sum writes it, or the bare
   * {@code HEX}).
   *
   * @throws ValidationException when the checksum file is missing, unreadable or malformed (the
   *     message names it)
   */
  String sha256(Version version);

  /**
   * Writes a release's bundle into {@code target}, keeping its first {@code offset} bytes (a
   * partial earlier download) and appending the rest. When the source cannot resume (an http server
   * that ignores ranges, a source shorter than {@code offset}), {@code target} is truncated and
   * written from the start. Returns when the whole bundle is in {@code target}; verifying it is the
   * caller's job.
   *
   * @param offset how many bytes of the bundle {@code target} already holds (its length)
   * @throws ValidationException when the bundle cannot be read or the transfer fails or stalls;
   *     {@code target} then holds whatever arrived, so a later call can resume
   * @throws io.hoist.error.InterruptedRunException when the thread is interrupted
   */
  void download(Version version, Path target, long offset, DownloadProgress progress);

  /**
   * Opens the repository a cluster file names.
   *
   * @param baseDir the directory a relative {@code file:} location is resolved against (the cluster
   *     file's directory)
   * @throws UsageException for an unknown scheme or a bad location
   * @throws ValidationException when a {@code file:} directory does not exist or cannot be listed
   */
  static ReleaseRepository open(Release release, Path baseDir) {
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(baseDir, "baseDir");
    String location = release.repository().strip();
    String lower = location.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http:") || lower.startsWith("https:")) {
      return HttpRepository.open(location, release.bundle());
    }
    if (lower.startsWith("file:")) {
      return FileRepository.open(location, release.bundle(), baseDir);
    }
    throw new UsageException(
        "release repository '"
            + location
            + "' is not supported: write file:/path/to/dir (or file:dir, relative to the cluster"
            + " file), or https://HOST/PATH");
  }
}
