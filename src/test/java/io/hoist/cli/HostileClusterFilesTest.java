package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken cluster files through the command line ({@code hoist -c FILE inspect}): the corpus in
 * {@code src/test/resources/io/hoist/hostile/cluster} (its README's table says what each file is
 * and what hoist must say) and files too large or too odd to keep there, made here. Each ends with
 * exit code 2 and a located problem on stderr: no stack trace, nothing on stdout, no control
 * character for the terminal, a bounded amount of text, well within a hang guard.
 */
class HostileClusterFilesTest {

  /** Not a timing assertion: a guard that turns a hang into a failure. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(20);

  /** However large the file, what hoist says about it stays small. */
  private static final int MAX_STDERR_CHARS = 64 * 1024;

  private static final String BASE =
      """
      cluster: c
      release: { repository: "file:/r", bundle: "p-${version}.tgz" }
      layout: { home: /opt/p }
      nodes: [{ name: n, host: h }]
      """;

  @TempDir Path dir;
  private CliRunner cli;

  @BeforeEach
  void cli() throws IOException {
    cli = new CliRunner(Files.createDirectories(dir.resolve("home")), dir);
  }

  private static Path corpus() {
    try {
      return Path.of(
              HostileClusterFilesTest.class
                  .getResource("/io/hoist/hostile/cluster/README.md")
                  .toURI())
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The README's table: file, what is wrong, where, message fragment. */
  static Stream<Arguments> corpusFiles() {
    List<Arguments> rows = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(corpus().resolve("README.md"))) {
        if (!line.startsWith("| `")) {
          continue;
        }
        String[] cells = line.substring(1, line.length() - 1).split("\\|");
        assertEquals(4, cells.length, line);
        rows.add(arguments(code(cells[0]), code(cells[2]), code(cells[3])));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows.stream();
  }

  private static String code(String cell) {
    String text = cell.strip();
    assertTrue(text.startsWith("`") && text.endsWith("`"), cell);
    return text.substring(1, text.length() - 1);
  }

  @Test
  void everyCorpusFileHasARowAndEveryRowAFile() throws IOException {
    Set<String> rows =
        corpusFiles().map(a -> (String) a.get()[0]).collect(Collectors.toCollection(TreeSet::new));
    Set<String> files;
    try (Stream<Path> list = Files.list(corpus())) {
      files =
          list.map(p -> p.getFileName().toString())
              .filter(name -> !name.equals("README.md"))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(files, rows);
    assertTrue(files.size() >= 40, "the corpus has " + files.size() + " files");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpusFiles")
  void corpusFileIsAConfigErrorWithItsLocation(String file, String where, String fragment) {
    assertConfigError(corpus().resolve(file), where, fragment);
  }

  @Test
  void fileOfTenMebibytesIsRefusedBeforeItIsParsed() throws IOException {
    Path file = dir.resolve("huge-scalar.yaml");
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write((BASE + "x: ").getBytes(StandardCharsets.UTF_8));
      byte[] chunk = "v".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 160; i++) {
        out.write(chunk);
      }
      out.write('\n');
    }
    assertConfigError(file, "file", "is larger than 4 MiB");
  }

  @Test
  void keyOfOneMebibyteIsReportedShortened() throws IOException {
    // An explicit key ('? ') is not limited to 1024 characters as a simple key is.
    Path file =
        Files.writeString(
            dir.resolve("huge-key.yaml"), BASE + "? " + "k".repeat(1 << 20) + "\n: x\n");
    String line = assertConfigError(file, "5:3", "unknown key 'kkkk");
    assertTrue(line.contains("characters left out"), line);
    assertTrue(line.length() < 2000, "a problem of " + line.length() + " characters");
  }

  @Test
  void clusterNameOfOneMebibyteIsReportedShortened() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("huge-name.yaml"),
            "cluster: " + "c".repeat(1 << 20) + "\n" + BASE.substring(BASE.indexOf('\n') + 1));
    String line = assertConfigError(file, "1:10", "characters long; a name has at most 128");
    assertTrue(line.length() < 2000, "a problem of " + line.length() + " characters");
  }

  @Test
  void aQuarterMillionValuesAreRefused() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("many-values.yaml"),
            BASE + "x: [" + String.join(", ", java.util.Collections.nCopies(250_000, "1")) + "]\n");
    assertConfigError(file, "5", "more than 200000 values");
  }

  @Test
  void longLineOfAnchoredValuesOutsideLatin1IsReadWithinBounds() throws IOException {
    // Positions are asked for each value: counted from the start of the line each time, a 2 MB
    // line like this took minutes.
    String item = "&a \u2603" + "a".repeat(13);
    Path file =
        Files.writeString(
            dir.resolve("long-line.yaml"),
            "# \u2603\n"
                + BASE
                + "x: ["
                + String.join(", ", java.util.Collections.nCopies(100_000, item))
                + "]\n");
    assertConfigError(file, "6:1", "unknown key 'x'");
  }

  @Test
  void endlessDeviceIsRefusedAsTooLarge() {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero));
    assertConfigError(zero, "file", "is larger than 4 MiB");
  }

  @Test
  void fileFromAPipeIsReadAndReportedWhereItIsWrong() throws Exception {
    Path fifo = dir.resolve("cluster.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available");
    Thread writer =
        new Thread(
            () -> {
              try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write((BASE + "clustre: d\n").getBytes(StandardCharsets.UTF_8));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            "fifo-writer");
    writer.setDaemon(true);
    writer.start();
    assertConfigError(fifo, "5:1", "unknown key 'clustre' (did you mean 'cluster'?)");
  }

  @Test
  void symbolicLinkLoopIsReported() throws IOException {
    Path a = dir.resolve("a.yaml");
    Path b = dir.resolve("b.yaml");
    Files.createSymbolicLink(a, b);
    Files.createSymbolicLink(b, a);
    assertConfigError(a, "file", "cannot be read");
  }

  @Test
  void danglingSymbolicLinkIsReported() throws IOException {
    Path link = Files.createSymbolicLink(dir.resolve("link.yaml"), dir.resolve("gone.yaml"));
    assertConfigError(link, "file", "no such file");
  }

  @Test
  void directoryIsReported() throws IOException {
    assertConfigError(
        Files.createDirectories(dir.resolve("cluster.yaml")), "file", "is a directory");
  }

  @Test
  void unreadableFileIsReported() throws IOException {
    Path file = Files.writeString(dir.resolve("secret.yaml"), BASE);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(file), "root reads any file");
    assertConfigError(file, "file", "permission denied");
  }

  /**
   * Runs {@code hoist -c FILE inspect} and asserts a clean cluster-file error whose problem at
   * {@code where} ("LINE:COLUMN", "LINE" or "file") contains {@code fragment}.
   *
   * @return the problem's line of stderr
   */
  private String assertConfigError(Path file, String where, String fragment) {
    CliRunner.Result result =
        assertTimeoutPreemptively(HANG_GUARD, () -> cli.run("-c", file.toString(), "inspect"));
    String shown =
        result.toString().length() > 4000
            ? result.toString().substring(0, 4000) + "..."
            : result.toString();
    assertEquals(2, result.code(), shown);
    assertEquals("", result.out(), shown);
    assertTrue(result.err().length() < MAX_STDERR_CHARS, "stderr of " + result.err().length());
    assertFalse(result.err().contains("\tat "), shown);
    assertFalse(result.err().contains("Exception"), shown);
    TerminalText.assertSafe(result.err(), "stderr");
    String prefix =
        file
            + (where.equals("file")
                ? ": "
                : where.contains(":") ? ":" + where + ": " : ":" + where + ":");
    List<String> lines = result.err().lines().toList();
    String problem =
        lines.stream()
            .filter(l -> l.startsWith(prefix) && l.contains(fragment))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no problem '" + prefix + "..." + fragment + "...' in\n" + shown));
    assertTrue(
        lines.get(lines.size() - 1).startsWith("hoist: the cluster file has "),
        lines.get(lines.size() - 1));
    return problem;
  }
}
