package io.hoist.cli;

import static io.hoist.release.TestBundles.file;
import static io.hoist.release.TestBundles.hardLink;
import static io.hoist.release.TestBundles.manifest;
import static io.hoist.release.TestBundles.symlink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.hoist.demo.Sandbox;
import io.hoist.release.Bundles;
import io.hoist.release.TestBundles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile bundles in the demo's repository, published with a matching checksum, through {@code
 * hoist version prepare}: each is refused cleanly (exit 3, one message, no trace) before any node
 * is touched, and is not left in the cache. The nodes' directories are compared file by file.
 */
class HostileBundlesTest {

  private static final Duration HANG_GUARD = Duration.ofSeconds(60);
  private static final String NAME = "acme-1.1.0.tar.gz";

  @TempDir Path root;
  private Sandbox sandbox;
  private CliRunner cli;

  @BeforeEach
  void sandbox() throws IOException {
    sandbox = Sandbox.create(root.resolve("sandbox"));
    cli =
        new CliRunner(Files.createDirectories(root.resolve("home")), root)
            .env("HOIST_STATE_DIR", root.resolve("state").toString());
  }

  /** Writes a hostile bundle to the given file. */
  interface Maker {
    void make(Path bundle) throws IOException;
  }

  static Stream<Arguments> hostileBundles() {
    return Stream.of(
        arguments(
            "manifest lying about its version",
            (Maker) b -> TestBundles.tarGz(b, t -> manifest(t, "2.0.0")),
            "hoist-release.json says version 2.0.0, expected 1.1.0"),
        arguments(
            "truncated gzip",
            (Maker) b -> Files.write(b, Arrays.copyOf(Files.readAllBytes(b), 200)),
            "truncated: the gzip data ends early"),
        arguments(
            "not gzip at all",
            (Maker) b -> Files.writeString(b, "#!/bin/sh\nrm -rf /\n"),
            "not a gzip file"),
        arguments(
            "path escaping the release directory",
            (Maker)
                b ->
                    TestBundles.tarGz(
                        b,
                        t -> {
                          manifest(t, "1.1.0");
                          file(t, "../../../../evil", "x");
                        }),
            "entry '../../../../evil' has a '..' component"),
        arguments(
            "absolute path",
            (Maker)
                b ->
                    TestBundles.tarGz(
                        b,
                        t -> {
                          manifest(t, "1.1.0");
                          file(t, "/tmp/evil", "x");
                        }),
            "entry '/tmp/evil' is an absolute path"),
        arguments(
            "symlink out",
            (Maker)
                b ->
                    TestBundles.tarGz(
                        b,
                        t -> {
                          manifest(t, "1.1.0");
                          symlink(t, "bin", "../../../..");
                        }),
            "entry 'bin'"),
        arguments(
            "hard link out",
            (Maker)
                b ->
                    TestBundles.tarGz(
                        b,
                        t -> {
                          manifest(t, "1.1.0");
                          hardLink(t, "passwd", "/etc/passwd");
                        }),
            "entry 'passwd'"),
        arguments(
            "device file",
            (Maker)
                b ->
                    TestBundles.tarGz(
                        b,
                        t -> {
                          manifest(t, "1.1.0");
                          TestBundles.special(t, "disk", TarConstants.LF_BLK);
                        }),
            "is a block device"),
        arguments(
            "entry declaring a terabyte",
            (Maker)
                b -> {
                  ByteArrayOutputStream raw = new ByteArrayOutputStream();
                  raw.write(TestBundles.tar(t -> manifest(t, "1.1.0")), 0, 1024);
                  raw.write(TestBundles.header("blob", 1L << 40));
                  raw.write(new byte[4096]);
                  TestBundles.gzip(b, raw.toByteArray());
                },
            "entry 'blob' declares 1099511627776 bytes"),
        arguments(
            "gzip bomb: 10 GiB of zeros in 10 MB",
            (Maker)
                b -> {
                  byte[] head = new byte[1536];
                  System.arraycopy(TestBundles.tar(t -> manifest(t, "1.1.0")), 0, head, 0, 1024);
                  System.arraycopy(TestBundles.header("zeros", 10L << 30), 0, head, 1024, 512);
                  TestBundles.repeatedGzip(b, head, new byte[1 << 20], 10 * 1024, new byte[1024]);
                },
            "likely gzip bomb"),
        arguments(
            "GNU long name of 8 GiB",
            (Maker)
                b -> {
                  byte[] head =
                      TestBundles.header(
                          "././@LongLink", TarConstants.LF_GNUTYPE_LONGNAME, (8L << 30) - 1);
                  byte[] block = new byte[1 << 20];
                  Arrays.fill(block, (byte) 'a');
                  TestBundles.repeatedGzip(b, head, block, 8 * 1024, new byte[1024]);
                },
            "(GNU long names, pax records) take more than 1048576 bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileBundles")
  void hostileBundleIsRefusedBeforeAnyNodeIsTouched(String what, Maker maker, String fragment)
      throws IOException {
    publish(maker);
    Map<String, String> before = snapshot(sandbox.root().resolve("nodes"));

    CliRunner.Result result = prepare();

    assertEquals(3, result.code(), result.toString());
    assertEquals("", result.out(), result.toString());
    assertTrue(result.err().contains("hoist: bundle "), result.toString());
    assertTrue(result.err().contains(fragment), result.toString());
    assertFalse(result.err().contains("\tat "), result.toString());
    assertFalse(result.err().contains("Exception"), result.toString());
    TerminalText.assertSafe(result.err(), "stderr");
    assertEquals(before, snapshot(sandbox.root().resolve("nodes")), "a node was touched");
    assertFalse(
        Files.exists(sandbox.root().resolve("cache").resolve(NAME)),
        "the refused bundle stays in the cache");
  }

  @Test
  void theSnapshotSeesWhatPreparingAGoodBundleChanges() throws IOException {
    Map<String, String> before = snapshot(sandbox.root().resolve("nodes"));
    CliRunner.Result result = prepare();
    assertEquals(0, result.code(), result.toString());
    Map<String, String> after = snapshot(sandbox.root().resolve("nodes"));
    assertNotEquals(before, after);
    assertTrue(after.containsKey("db-1/releases/1.1.0/VERSION"), after.keySet().toString());
  }

  private void publish(Maker maker) throws IOException {
    Path bundle = sandbox.root().resolve("repo").resolve(NAME);
    maker.make(bundle);
    // The checksum matches: what must refuse the bundle is its content.
    Files.writeString(
        bundle.resolveSibling(NAME + ".sha256"), Bundles.sha256(bundle) + "  " + NAME + "\n");
  }

  private CliRunner.Result prepare() {
    return assertTimeoutPreemptively(
        HANG_GUARD,
        () -> cli.run("-c", sandbox.clusterFile().toString(), "version", "prepare", "1.1.0"));
  }

  /** Every path under {@code dir}: its kind, size, modification time, content or link target. */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        String key = dir.relativize(p).toString();
        String modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toString();
        if (Files.isSymbolicLink(p)) {
          entries.put(key, "link " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          entries.put(key, "dir " + modified);
        } else {
          entries.put(
              key,
              "file "
                  + modified
                  + " "
                  + new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
        }
      }
    }
    return entries;
  }
}
