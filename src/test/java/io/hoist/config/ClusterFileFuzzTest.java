package io.hoist.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hoist.error.ConfigException;
import io.hoist.error.Problem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the cluster-file loader (Jazzer): any bytes load, or fail with a {@link ConfigException}
 * whose problems point into the file. Any other exception or error (a null pointer, an index out of
 * bounds, a stack overflow, an exhausted heap...) is a bug.
 *
 * <p>A plain test run replays the corpus in {@code ClusterFileFuzzTestInputs/loadsOrRefuses} (the
 * seeds: the valid test files and the example; {@code finding-*}: inputs that once failed); {@code
 * .ci/fuzz.sh} fuzzes for a bounded time.
 */
class ClusterFileFuzzTest {

  /** One file, rewritten for every input: the loader reads a path. */
  private static final Path FILE = tempFile();

  @FuzzTest
  void loadsOrRefuses(byte[] bytes) throws IOException {
    Files.write(FILE, bytes);
    try {
      new ClusterLoader().load(FILE);
    } catch (ConfigException refused) {
      checkPositions(refused, bytes);
    }
  }

  /** Every problem is about the whole file (0:0) or at a line of it, column 1 or more. */
  private static void checkPositions(ConfigException refused, byte[] bytes) {
    int lines = 1;
    for (char c : new String(bytes, StandardCharsets.UTF_8).toCharArray()) {
      // YAML breaks lines at \n, \r, NEL, LS and PS: a bound, not an exact count.
      if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
        lines++;
      }
    }
    for (Problem p : refused.problems()) {
      boolean wholeFile = p.line() == 0 && p.column() == 0;
      boolean inFile = p.line() >= 1 && p.line() <= lines && p.column() >= 1;
      if (!wholeFile && !inFile) {
        throw new AssertionError("problem outside the file (" + lines + " lines): " + p, refused);
      }
      if (p.message().isBlank()) {
        throw new AssertionError("problem without a message: " + p, refused);
      }
    }
  }

  private static Path tempFile() {
    try {
      Path file = Files.createTempFile("hoist-fuzz-", ".yaml");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
