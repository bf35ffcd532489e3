package io.hoist.release;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hoist.error.ValidationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/**
 * Fuzzes the bundle verifier (Jazzer): any file is accepted, or refused with a {@link
 * ValidationException}. Any other exception or error is a bug.
 *
 * <p>The first byte of an input says what the rest is: bit 0 set, a tar that is gzipped here (so
 * that mutations reach the tar layer and the manifest, not only the deflate stream); clear, the
 * file as it is. Bit 1 set: the file's own sha256 is expected too (the digesting path).
 *
 * <p>A plain test run replays the corpus in {@code BundleFuzzTestInputs/verifiesOrRefuses} (seeds:
 * valid and hostile bundles made with {@link TestBundles}; {@code finding-*}: inputs that once
 * failed); {@code .ci/fuzz.sh} fuzzes for a bounded time.
 */
class BundleFuzzTest {

  private static final Version VERSION = Version.parse("1.0.0");

  /** One file, rewritten for every input: the verifier reads a path. */
  private static final Path FILE = tempFile();

  @FuzzTest
  void verifiesOrRefuses(byte[] input) throws IOException {
    int mode = input.length == 0 ? 0 : input[0];
    byte[] rest = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
    Files.write(FILE, (mode & 1) != 0 ? gzip(rest) : rest);
    String sha256 = (mode & 2) != 0 ? Bundles.sha256(FILE) : null;
    try {
      Bundles.verify(FILE, sha256, VERSION);
    } catch (ValidationException refused) {
      // A refusal is an answer.
    }
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    }
    return out.toByteArray();
  }

  private static Path tempFile() {
    try {
      Path file = Files.createTempFile("hoist-fuzz-", ".tar.gz");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
