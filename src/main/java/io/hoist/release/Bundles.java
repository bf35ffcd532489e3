package io.hoist.release;

import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Release bundles: a gzip'd tar holding one release, with {@value Manifest#FILE_NAME} at its root
 * (see {@link Manifest}), published beside a {@code NAME.sha256} file.
 *
 * <p>{@link #verify} is what stands between a file from a repository and the nodes: it refuses any
 * entry that could land outside the release directory when a tar unpacks it. {@link #pack} builds
 * bundles byte for byte reproducibly. Both are stateless and safe to call from several threads on
 * different files.
 */
public final class Bundles {

  /** The index of a repository's bundles, one file name per line, oldest release first. */
  public static final String INDEX = "INDEX";

  private Bundles() {}

  /**
   * Checks a bundle without writing anything, in one streaming pass over the file: the sha256 of
   * the file when one is expected, the gzip layer (magic, CRC, truncation), the tar layer, the
   * manifest (present at the root, valid, of the expected version), and every entry:
   *
   * <ul>
   *   <li>refused when its name is absolute, has a {@code ..} component (anywhere: {@code a/../b}
   *       too), repeats an earlier entry's path, or lies under a symlink or a file;
   *   <li>a symlink is refused when its target is absolute or, followed from the link's directory
   *       through the bundle's other symlinks, leaves the release root;
   *   <li>a hard link is refused unless it points to an earlier regular file of the bundle;
   *   <li>devices, fifos, sparse files and unknown entry types are refused;
   *   <li>tar bombs are refused: more than 100,000 entries, more than 64 GiB declared in total, an
   *       entry whose data does not match its declared size, names over 4096 characters, more than
   *       1 MiB after the end of the archive. Sizes are checked when the header is read, before the
   *       data.
   * </ul>
   *
   * When the checksum does not match, that is the error reported, whatever else is wrong.
   *
   * @param expectedSha256 64 hexadecimal digits (either case), or null to skip the check
   * @param expectedVersion the release the bundle must hold: the manifest's version, as written
   * @return the manifest
   * @throws ValidationException naming the bundle file and the problem (and the entry, for an
   *     entry's problem); nothing was written
   */
  public static Manifest verify(Path bundle, String expectedSha256, Version expectedVersion) {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(expectedVersion, "expectedVersion");
    return BundleVerifier.verify(bundle, expectedSha256, expectedVersion);
  }

  /**
   * Packs a directory into {@code repositoryDir/bundleFileName}, writes {@code
   * bundleFileName.sha256} beside it ({@code HEX NAME\n}, as sha256sum prints) and adds the name to
   * {@code repositoryDir/}{@value #INDEX}.
   *
   * <p>Reproducible: the same tree gives the same bytes. Entries are the generated manifest first,
   * then every directory, file and symlink under {@code dir} sorted by path; modification times 0,
   * owner and group 0 with no names, permission bits as on disk (files and directories; no set-id
   * or sticky bits), symlinks stored as symlinks; long names and large sizes as POSIX pax headers;
   * gzip header without name or time. A symlink's target must stay inside {@code dir} (checked as
   * {@link #verify} does), other special files are refused, and the result is verified before it is
   * published.
   *
   * <p>Files appear in the repository atomically (temporary name, then rename; the checksum after
   * the bundle, so a repository never offers a bundle without its checksum). Packing again the same
   * tree is a no-op; a different bundle under an existing name is refused: a published release
   * never changes. Concurrent packs into one repository may lose each other's {@value #INDEX} line.
   *
   * @param upgradeFrom the manifest's {@code upgrade_from} range, or null
   * @param minHoist the manifest's {@code min_hoist} version, or null
   * @param bundleFileName a plain file name containing the version ({@code acme-3.6.1.tar.gz})
   * @return the manifest written into the bundle
   * @throws UsageException when {@code dir} or {@code repositoryDir} is not a directory, the name
   *     is not a plain file name holding the version, the repository lies inside {@code dir}, or
   *     product, range or version cannot be read
   * @throws ValidationException when {@code dir} holds a {@value Manifest#FILE_NAME}, an escaping
   *     symlink or a special file, cannot be read, or the name is taken by another bundle
   */
  public static Manifest pack(
      Path dir,
      Version version,
      String product,
      String upgradeFrom,
      String minHoist,
      Path repositoryDir,
      String bundleFileName) {
    return BundlePacker.pack(
        dir, version, product, upgradeFrom, minHoist, repositoryDir, bundleFileName);
  }

  /**
   * The sha256 of a file, as lower-case hexadecimal.
   *
   * @throws ValidationException when the file cannot be read (naming it)
   */
  public static String sha256(Path file) {
    MessageDigest digest = newSha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        digest.update(buffer, 0, n);
      }
    } catch (NoSuchFileException e) {
      throw new ValidationException(file + ": no such file", e);
    } catch (IOException e) {
      throw new ValidationException(file + ": cannot be read: " + e.getMessage(), e);
    }
    return hex(digest.digest());
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256.
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
