package io.hoist.release;

import io.hoist.error.ValidationException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** The checks behind {@link Bundles#verify}: one streaming pass, nothing written. */
final class BundleVerifier {

  static final int MAX_ENTRIES = 100_000;
  static final long MAX_TOTAL_SIZE = 64L << 30;
  static final int MAX_NAME_LENGTH = 4096;
  static final long MAX_NAMES_LENGTH = 32L << 20;
  static final int MAX_MANIFEST_SIZE = 64 << 10;
  static final int MAX_TRAILING_BYTES = 1 << 20;

  /**
   * What reading one entry's headers may take: its 512-byte header plus pax records and GNU long
   * names, which the tar reader holds in memory whole (a long name "of 8 GiB" would exhaust it).
   */
  static final int MAX_HEADER_BYTES = 1 << 20;

  /**
   * How many times its compressed size the tar inside may be, beyond {@link #RATIO_ALLOWANCE}: gzip
   * can pack 10 GiB of zeros into 10 MB, which would be inflated here and unpacked on every node.
   * Ordinary releases compress 2 to 10 times.
   */
  static final int MAX_RATIO = 200;

  /** Inflated bytes never refused for the ratio: small bundles of very repetitive files pass. */
  static final long RATIO_ALLOWANCE = 64L << 20;

  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

  private final Path bundle;
  private final String where;
  private final byte[] buffer = new byte[1 << 16];

  private BundleVerifier(Path bundle) {
    this.bundle = bundle;
    this.where = "bundle " + bundle;
  }

  static Manifest verify(Path bundle, String expectedSha256, Version expectedVersion) {
    if (expectedSha256 != null && !SHA256.matcher(expectedSha256.strip()).matches()) {
      throw new ValidationException(
          "expected sha256 of bundle "
              + bundle
              + " is "
              + BundleTree.quote(expectedSha256)
              + ", not 64 hexadecimal digits");
    }
    return new BundleVerifier(bundle)
        .run(
            expectedSha256 == null ? null : expectedSha256.strip().toLowerCase(Locale.ROOT),
            expectedVersion);
  }

  private Manifest run(String expectedSha256, Version expectedVersion) {
    MessageDigest digest = Bundles.newSha256();
    try (InputStream file = Files.newInputStream(bundle)) {
      DigestInputStream raw = new DigestInputStream(new BufferedInputStream(file, 1 << 16), digest);
      Manifest manifest = null;
      ValidationException problem = null;
      try {
        manifest = scan(raw, expectedVersion);
      } catch (ValidationException e) {
        if (expectedSha256 == null) {
          throw e;
        }
        problem = e;
      }
      if (expectedSha256 != null) {
        // Every byte of the file goes through the digest, whatever the archive layers read; a
        // mismatch is the first thing to say, as it explains any other problem.
        raw.transferTo(OutputStream.nullOutputStream());
        String actual = Bundles.hex(digest.digest());
        if (!actual.equals(expectedSha256)) {
          ValidationException mismatch =
              new ValidationException(
                  where
                      + ": sha256 mismatch: expected "
                      + expectedSha256
                      + ", actual "
                      + actual
                      + " (a damaged or replaced file; download it again)");
          if (problem != null) {
            mismatch.addSuppressed(problem);
          }
          throw mismatch;
        }
      }
      if (problem != null) {
        throw problem;
      }
      return manifest;
    } catch (NoSuchFileException e) {
      throw new ValidationException(where + ": no such file", e);
    } catch (IOException e) {
      throw new ValidationException(where + ": cannot be read: " + e.getMessage(), e);
    }
  }

  private Manifest scan(InputStream raw, Version expectedVersion) throws IOException {
    PushbackInputStream in = new PushbackInputStream(raw, 2);
    byte[] magic = in.readNBytes(2);
    in.unread(magic);
    if (magic.length < 2 || (magic[0] & 0xff) != 0x1f || (magic[1] & 0xff) != 0x8b) {
      throw new ValidationException(
          where + ": not a gzip file (a bundle is a .tar.gz; the file starts with other bytes)");
    }
    Compressed compressed = new Compressed(in);
    Inflated gzip;
    try {
      gzip =
          new Inflated(
              new GzipFailures(
                  GzipCompressorInputStream.builder()
                      .setInputStream(compressed)
                      .setDecompressConcatenated(true)
                      .get()),
              compressed);
    } catch (IOException e) {
      throw new ValidationException(where + ": not a valid gzip file: " + e.getMessage(), e);
    }
    TarArchiveInputStream tar = new TarArchiveInputStream(gzip, StandardCharsets.UTF_8.name());
    BundleTree tree = new BundleTree();
    byte[] manifestBytes = null;
    long declared = 0;
    long namesLength = 0;
    int count = 0;
    TarArchiveEntry entry;
    while ((entry = next(tar, gzip, count)) != null) {
      count++;
      String name = entry.getName();
      if (count > MAX_ENTRIES) {
        throw new ValidationException(
            where
                + ": more than "
                + MAX_ENTRIES
                + " entries (refused at entry "
                + count
                + ", "
                + BundleTree.quote(name)
                + "); a bundle this size is refused as a likely tar bomb");
      }
      String link = entry.getLinkName();
      if (name.length() > MAX_NAME_LENGTH || link.length() > MAX_NAME_LENGTH) {
        throw refused(
            name.substring(0, Math.min(name.length(), 200)),
            "has a name or link target longer than " + MAX_NAME_LENGTH + " characters");
      }
      namesLength += name.length() + link.length();
      if (namesLength > MAX_NAMES_LENGTH) {
        throw refused(
            name, "brings the names of the bundle over " + MAX_NAMES_LENGTH + " characters");
      }
      BundleTree.Kind kind = kindOf(entry);
      long size = entry.getSize();
      if (size < 0) {
        throw refused(name, "declares a negative size (" + size + ")");
      }
      if (kind != BundleTree.Kind.FILE && size != 0) {
        throw refused(
            name,
            "is a " + kind.description() + " that declares " + size + " bytes of data; refused");
      }
      if (size > MAX_TOTAL_SIZE - declared) {
        throw refused(
            name,
            "declares "
                + size
                + " bytes, which brings the bundle to "
                + (declared + size)
                + " bytes, over the limit of "
                + MAX_TOTAL_SIZE
                + " (64 GiB); refused as a likely tar bomb");
      }
      declared += size;
      String path;
      try {
        path = tree.add(name, kind, link);
      } catch (BundleTree.Refusal r) {
        throw refused(r);
      }
      boolean isManifest = path.equals(Manifest.FILE_NAME);
      if (isManifest && kind != BundleTree.Kind.FILE) {
        throw refused(name, "is a " + kind.description() + "; the manifest must be a regular file");
      }
      if (isManifest && size > MAX_MANIFEST_SIZE) {
        throw refused(name, "is " + size + " bytes; a manifest has at most " + MAX_MANIFEST_SIZE);
      }
      ByteArrayOutputStream kept = isManifest ? new ByteArrayOutputStream() : null;
      long read = readData(tar, name, kept);
      if (read != size) {
        throw refused(name, "declares " + size + " bytes but " + read + " could be read");
      }
      if (isManifest) {
        manifestBytes = kept.toByteArray();
      }
    }
    if (count == 0) {
      throw new ValidationException(where + ": not a tar archive (no entries in the gzip data)");
    }
    try {
      tree.checkLinks();
    } catch (BundleTree.Refusal r) {
      throw refused(r);
    }
    drainTrailer(gzip);
    if (manifestBytes == null) {
      throw new ValidationException(
          where
              + ": no "
              + Manifest.FILE_NAME
              + " at the root of the bundle (pack bundles with 'hoist version pack')");
    }
    Manifest manifest = Manifest.parse(manifestBytes, where + ": " + Manifest.FILE_NAME);
    if (!manifest.version().equals(expectedVersion)) {
      throw new ValidationException(
          where
              + ": "
              + Manifest.FILE_NAME
              + " says version "
              + manifest.version()
              + ", expected "
              + expectedVersion
              + " (the file is named or listed as another release than it holds)");
    }
    return manifest;
  }

  private TarArchiveEntry next(TarArchiveInputStream tar, Inflated gzip, int count) {
    gzip.limitHeaders(count);
    try {
      return tar.getNextEntry();
    } catch (IOException e) {
      throw unreadable(e, "after entry " + count);
    } finally {
      gzip.unlimitHeaders();
    }
  }

  private long readData(TarArchiveInputStream tar, String name, ByteArrayOutputStream kept) {
    long total = 0;
    try {
      int n;
      while ((n = tar.read(buffer)) >= 0) {
        total += n;
        if (kept != null) {
          kept.write(buffer, 0, n);
        }
      }
    } catch (IOException e) {
      throw unreadable(e, "in the data of entry " + BundleTree.quote(name));
    }
    return total;
  }

  /**
   * Reads what follows the tar's end-of-archive blocks, so gzip checks its trailer (CRC, length);
   * tars pad to a record size, but more than {@value #MAX_TRAILING_BYTES} bytes is refused rather
   * than inflated without end.
   */
  private void drainTrailer(InputStream gzip) {
    long total = 0;
    try {
      int n;
      while ((n = gzip.read(buffer)) >= 0) {
        total += n;
        if (total > MAX_TRAILING_BYTES) {
          throw new ValidationException(
              where
                  + ": more than "
                  + MAX_TRAILING_BYTES
                  + " bytes after the end of the tar archive; refused");
        }
      }
    } catch (IOException e) {
      throw unreadable(e, "after the end of the tar archive");
    }
  }

  private ValidationException unreadable(IOException e, String at) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Refused refused) {
        return refused.refusal;
      }
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof GzipFailure g) {
      IOException cause = g.getCause();
      String why =
          cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      if (cause instanceof EOFException) {
        // An EOFException without a message says nothing its class name would add.
        return new ValidationException(
            where
                + ": truncated: the gzip data ends early ("
                + at
                + (cause.getMessage() == null ? "" : "; " + why)
                + ")",
            cause);
      }
      return new ValidationException(where + ": corrupt gzip data (" + at + "): " + why, cause);
    }
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof GzipFailure g) {
        return unreadable(g, at);
      }
    }
    if (e instanceof EOFException || message.toLowerCase(Locale.ROOT).contains("truncated")) {
      return new ValidationException(
          where
              + ": truncated: the tar archive ends early ("
              + at
              + (e.getMessage() == null ? "" : "; " + message)
              + ")",
          e);
    }
    return new ValidationException(where + ": not a valid tar archive (" + at + "): " + message, e);
  }

  private ValidationException refused(String entry, String why) {
    return new ValidationException(
        where + ": entry " + BundleTree.quote(entry) + " " + why + "; the bundle is refused");
  }

  private ValidationException refused(BundleTree.Refusal r) {
    return refused(r.entry(), r.getMessage());
  }

  /** The kind of a tar entry, or a refusal for devices, fifos, sparse files and the unknown. */
  private BundleTree.Kind kindOf(TarArchiveEntry entry) {
    String name = entry.getName();
    byte flag = entry.getLinkFlag();
    if (entry.isSparse()) {
      throw refused(name, "is a sparse file; a bundle holds only plain files");
    }
    switch (flag) {
      case TarConstants.LF_DIR:
        return BundleTree.Kind.DIRECTORY;
      case TarConstants.LF_NORMAL:
      case TarConstants.LF_OLDNORM:
        // Old tars mark directories with a trailing '/' on a regular-file flag.
        return name.endsWith("/") ? BundleTree.Kind.DIRECTORY : BundleTree.Kind.FILE;
      case TarConstants.LF_CONTIG:
        return BundleTree.Kind.FILE;
      case TarConstants.LF_SYMLINK:
        return BundleTree.Kind.SYMLINK;
      case TarConstants.LF_LINK:
        return BundleTree.Kind.HARD_LINK;
      case TarConstants.LF_CHR:
        throw refused(name, "is a character device; a bundle holds no devices");
      case TarConstants.LF_BLK:
        throw refused(name, "is a block device; a bundle holds no devices");
      case TarConstants.LF_FIFO:
        throw refused(name, "is a fifo (named pipe); a bundle holds no fifos");
      default:
        throw refused(
            name,
            "has the unsupported tar entry type "
                + BundleTree.quote(String.valueOf((char) (flag & 0xff)))
                + " (a bundle holds files, directories, symlinks and hard links)");
    }
  }

  /** Counts the compressed bytes the gzip layer reads. */
  private static final class Compressed extends FilterInputStream {
    long count;

    Compressed(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }

  /**
   * The inflated tar, counted: refuses (with {@link Refused}) more than {@link #MAX_RATIO} times
   * the compressed bytes read so far plus {@link #RATIO_ALLOWANCE}, and, while an entry's headers
   * are read, more than {@link #MAX_HEADER_BYTES}. Skipping reads, so that every byte is counted.
   */
  private final class Inflated extends FilterInputStream {
    private final Compressed compressed;
    private final byte[] skipped = new byte[8192];
    private long total;
    private long headerBytesLeft = -1;
    private int afterEntry;

    Inflated(InputStream in, Compressed compressed) {
      super(in);
      this.compressed = compressed;
    }

    void limitHeaders(int entriesSoFar) {
      headerBytesLeft = MAX_HEADER_BYTES;
      afterEntry = entriesSoFar;
    }

    void unlimitHeaders() {
      headerBytesLeft = -1;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      int read = read(skipped, 0, (int) Math.min(n, skipped.length));
      return Math.max(0, read);
    }

    private void count(int n) throws Refused {
      total += n;
      if (headerBytesLeft >= 0) {
        headerBytesLeft -= n;
        if (headerBytesLeft < 0) {
          throw new Refused(
              new ValidationException(
                  where
                      + ": the headers of entry "
                      + (afterEntry + 1)
                      + " (GNU long names, pax records) take more than "
                      + MAX_HEADER_BYTES
                      + " bytes; the bundle is refused as a likely tar bomb"));
        }
      }
      if (total > RATIO_ALLOWANCE && total / MAX_RATIO > compressed.count) {
        throw new Refused(
            new ValidationException(
                where
                    + ": its "
                    + compressed.count
                    + " compressed bytes inflate to more than "
                    + total
                    + ", over "
                    + MAX_RATIO
                    + " times as many; the bundle is refused as a likely gzip bomb"));
      }
    }
  }

  /** Carries a refusal through the tar reader, which only lets IOExceptions pass. */
  private static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient ValidationException refusal;

    Refused(ValidationException refusal) {
      super(refusal.getMessage(), null);
      this.refusal = refusal;
    }
  }

  /** Tags the gzip layer's failures, so they are told apart from the tar layer's. */
  private static final class GzipFailures extends FilterInputStream {
    GzipFailures(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        throw new GzipFailure(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        throw new GzipFailure(e);
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return super.skip(n);
      } catch (IOException e) {
        throw new GzipFailure(e);
      }
    }
  }

  private static final class GzipFailure extends IOException {
    private static final long serialVersionUID = 1L;

    GzipFailure(IOException cause) {
      super(cause.getMessage(), cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }
}
