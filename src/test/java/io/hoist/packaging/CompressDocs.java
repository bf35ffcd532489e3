package io.hoist.packaging;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Writes the gzipped files the Debian package installs, which jdeb cannot compress itself: every
 * man page of MAN_DIR to OUT_DIR/man/manN/PAGE.N.gz (N, the section, is the page's file extension)
 * and each DOC to OUT_DIR/doc/DOC.gz. Compressed as {@code gzip -9n} does (Debian policy): maximum
 * compression, no file name, no time stamp, so two builds give the same bytes. Run by the build
 * (exec-maven-plugin, prepare-package); failures fail the build.
 */
public final class CompressDocs {

  /** A troff page: NAME.SECTION, section 1 to 9. */
  private static final Pattern MAN_PAGE = Pattern.compile(".+\\.([1-9])");

  private CompressDocs() {}

  /** {@code CompressDocs OUT_DIR MAN_DIR [DOC...]}. */
  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: CompressDocs OUT_DIR MAN_DIR [DOC...]");
    }
    Path out = Path.of(args[0]);
    compressManPages(Path.of(args[1]), out.resolve("man"));
    Path docs = out.resolve("doc");
    deleteTree(docs);
    for (int i = 2; i < args.length; i++) {
      Path doc = Path.of(args[i]);
      gzip(doc, docs.resolve(doc.getFileName() + ".gz"));
    }
  }

  /**
   * Replaces {@code out} with manN/PAGE.N.gz for every page in {@code manDir}; returns the files
   * written. No page at all means the man page generation broke: that fails.
   */
  static List<Path> compressManPages(Path manDir, Path out) throws IOException {
    deleteTree(out);
    List<Path> written = new ArrayList<>();
    try (Stream<Path> files = Files.list(manDir)) {
      for (Path page : files.sorted().toList()) {
        Matcher m = MAN_PAGE.matcher(page.getFileName().toString());
        if (Files.isRegularFile(page) && m.matches()) {
          Path target = out.resolve("man" + m.group(1)).resolve(page.getFileName() + ".gz");
          gzip(page, target);
          written.add(target);
        }
      }
    }
    if (written.isEmpty()) {
      throw new IOException("no man pages (NAME.1 to NAME.9) in " + manDir);
    }
    return written;
  }

  /** {@code gzip -9n < source > target}, creating target's directory. */
  static void gzip(Path source, Path target) throws IOException {
    GzipParameters parameters = new GzipParameters();
    parameters.setCompressionLevel(9);
    parameters.setOS(GzipParameters.OS.UNIX);
    Files.createDirectories(target.getParent());
    try (OutputStream gz =
        new GzipCompressorOutputStream(Files.newOutputStream(target), parameters)) {
      Files.copy(source, gz);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
