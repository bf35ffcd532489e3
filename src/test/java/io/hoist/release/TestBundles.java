package io.hoist.release;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/** Builds bundles, well-formed or hostile, for tests (here and through the command line). */
public final class TestBundles {

  /** Writes entries into a tar. */
  public interface Body {
    void write(TarArchiveOutputStream tar) throws IOException;
  }

  private TestBundles() {}

  /** A gzip'd tar written with commons-compress; names are kept as given (even absolute). */
  public static Path tarGz(Path file, Body body) throws IOException {
    GzipParameters fast = new GzipParameters();
    fast.setCompressionLevel(Deflater.BEST_SPEED);
    try (OutputStream out = Files.newOutputStream(file);
        GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(out, fast);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip, "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      body.write(tar);
    }
    return file;
  }

  /** Gzips raw bytes (a hand-made or cut tar). */
  public static Path gzip(Path file, byte[] bytes) throws IOException {
    try (OutputStream out = Files.newOutputStream(file);
        GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(out)) {
      gzip.write(bytes);
    }
    return file;
  }

  /**
   * A gzip file of {@code head}, {@code copies} times {@code block}, then {@code tail}, made in
   * milliseconds however many gigabytes it inflates to: the block is deflated once after a full
   * flush, which forgets all that came before, so its compressed bytes can simply be repeated. The
   * trailer's CRC and length are left 0: a reader that stops at its limits never gets there.
   */
  public static Path repeatedGzip(Path file, byte[] head, byte[] block, long copies, byte[] tail)
      throws IOException {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
      out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
      out.write(deflate(deflater, head, false));
      byte[] repeated = deflate(deflater, block, false);
      for (long i = 0; i < copies; i++) {
        out.write(repeated);
      }
      out.write(deflate(deflater, tail, true));
      out.write(new byte[8]);
    } finally {
      deflater.end();
    }
    return file;
  }

  private static byte[] deflate(Deflater deflater, byte[] input, boolean last) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    deflater.setInput(input);
    if (last) {
      deflater.finish();
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
    } else {
      int n;
      do {
        n = deflater.deflate(buffer, 0, buffer.length, Deflater.FULL_FLUSH);
        out.write(buffer, 0, n);
      } while (n == buffer.length);
    }
    return out.toByteArray();
  }

  /** An uncompressed tar in memory. */
  public static byte[] tar(Body body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      body.write(tar);
    }
    return out.toByteArray();
  }

  /** One 512-byte header, size in base-256 when it does not fit octal (star's form). */
  public static byte[] header(String name, long size) throws IOException {
    return header(name, TarConstants.LF_NORMAL, size);
  }

  /** One 512-byte header of any type (GNU long name, pax header...). */
  public static byte[] header(String name, byte flag, long size) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name, flag, true);
    entry.setSize(size);
    entry.setModTime(0);
    byte[] header = new byte[512];
    entry.writeEntryHeader(header, ZipEncodingHelper.getZipEncoding("UTF-8"), true);
    return header;
  }

  public static TarArchiveEntry entry(String name, byte flag) {
    TarArchiveEntry entry = new TarArchiveEntry(name, flag, true);
    entry.setModTime(0);
    entry.setMode(flag == TarConstants.LF_DIR ? 0755 : 0644);
    return entry;
  }

  public static void file(TarArchiveOutputStream tar, String name, byte[] content)
      throws IOException {
    TarArchiveEntry entry = entry(name, TarConstants.LF_NORMAL);
    entry.setSize(content.length);
    tar.putArchiveEntry(entry);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  public static void file(TarArchiveOutputStream tar, String name, String content)
      throws IOException {
    file(tar, name, content.getBytes(StandardCharsets.UTF_8));
  }

  public static void dir(TarArchiveOutputStream tar, String name) throws IOException {
    tar.putArchiveEntry(entry(name, TarConstants.LF_DIR));
    tar.closeArchiveEntry();
  }

  public static void link(TarArchiveOutputStream tar, String name, byte flag, String target)
      throws IOException {
    TarArchiveEntry entry = entry(name, flag);
    entry.setLinkName(target);
    tar.putArchiveEntry(entry);
    tar.closeArchiveEntry();
  }

  public static void symlink(TarArchiveOutputStream tar, String name, String target)
      throws IOException {
    link(tar, name, TarConstants.LF_SYMLINK, target);
  }

  public static void hardLink(TarArchiveOutputStream tar, String name, String target)
      throws IOException {
    link(tar, name, TarConstants.LF_LINK, target);
  }

  public static void special(TarArchiveOutputStream tar, String name, byte flag)
      throws IOException {
    tar.putArchiveEntry(entry(name, flag));
    tar.closeArchiveEntry();
  }

  public static void manifest(TarArchiveOutputStream tar, String version) throws IOException {
    file(tar, Manifest.FILE_NAME, "{\"product\": \"acme\", \"version\": \"" + version + "\"}\n");
  }

  /** Every path under a directory with its size, to show nothing else was written. */
  public static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.map(
              p -> {
                try {
                  return dir.relativize(p) + " " + (Files.isRegularFile(p) ? Files.size(p) : -1);
                } catch (IOException e) {
                  return dir.relativize(p) + " ?";
                }
              })
          .sorted()
          .toList();
    }
  }
}
