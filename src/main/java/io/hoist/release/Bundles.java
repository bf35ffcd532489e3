package io.hoist.release;

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
 * entry that could land outside the release directory when a tar unpacks it. Both are stateless and
 * safe to call from several threads on different files.
 */
public final class Bundles {

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
