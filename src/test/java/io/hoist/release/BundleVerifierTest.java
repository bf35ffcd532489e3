package io.hoist.release;

import static io.hoist.release.TestBundles.dir;
import static io.hoist.release.TestBundles.file;
import static io.hoist.release.TestBundles.hardLink;
import static io.hoist.release.TestBundles.manifest;
import static io.hoist.release.TestBundles.special;
import static io.hoist.release.TestBundles.symlink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.ValidationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BundleVerifierTest {

  private static final Version V = Version.parse("3.6.1");

  @TempDir Path dir;

  private Path bundle(TestBundles.Body body) throws IOException {
    return TestBundles.tarGz(dir.resolve("acme-3.6.1.tar.gz"), body);
  }

  /** Verifies, expecting a refusal; checks nothing was written beside the bundle. */
  private String refused(Path bundle, String sha256) throws IOException {
    List<String> before = TestBundles.listing(dir);
    ValidationException e =
        assertThrows(ValidationException.class, () -> Bundles.verify(bundle, sha256, V));
    assertEquals(before, TestBundles.listing(dir), "verify wrote something");
    assertTrue(e.getMessage().startsWith("bundle " + bundle + ": "), e.getMessage());
    return e.getMessage();
  }

  private String refused(Path bundle) throws IOException {
    return refused(bundle, null);
  }

  private static void assertContains(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), () -> "'" + part + "' not in: " + message);
    }
  }

  @Test
  void wellFormedBundlePasses() throws IOException {
    Path bundle =
        bundle(
            tar -> {
              manifest(tar, "3.6.1");
              dir(tar, "bin/");
              file(tar, "bin/acme", "#!/bin/sh\n");
              dir(tar, "lib/");
              file(tar, "lib/acme.jar", "jar");
              symlink(tar, "bin/lib", "../lib");
              symlink(tar, "current", "bin/lib/acme.jar");
              symlink(tar, "dangling", "not/there/yet");
              hardLink(tar, "bin/acme2", "bin/acme");
              file(tar, "docs/hoist-release.json", "{not a manifest: only the root one counts");
            });
    List<String> before = TestBundles.listing(dir);
    Manifest manifest = Bundles.verify(bundle, Bundles.sha256(bundle), V);
    assertEquals(new Manifest("acme", V, null, null), manifest);
    assertEquals(before, TestBundles.listing(dir));
  }

  @Test
  void dotSlashNamesAsGnuTarWritesThemPass() throws IOException {
    Path bundle =
        bundle(
            tar -> {
              dir(tar, "./");
              file(tar, "./hoist-release.json", "{\"product\":\"acme\",\"version\":\"3.6.1\"}");
              dir(tar, "./bin/");
              file(tar, "./bin/acme", "x");
              hardLink(tar, "./bin/acme2", "./bin/acme");
            });
    assertEquals(V, Bundles.verify(bundle, null, V).version());
  }

  @Test
  void checksumIsCheckedInEitherCase() throws IOException {
    Path bundle = bundle(tar -> manifest(tar, "3.6.1"));
    String sha256 = Bundles.sha256(bundle);
    assertEquals(V, Bundles.verify(bundle, sha256.toUpperCase(Locale.ROOT), V).version());
    String wrong = "0".repeat(64);
    assertContains(
        refused(bundle, wrong), "sha256 mismatch: expected " + wrong + ", actual " + sha256);
  }

  @Test
  void checksumMismatchIsReportedBeforeWhatItExplains() throws IOException {
    Path bundle = dir.resolve("acme-3.6.1.tar.gz");
    Files.writeString(bundle, "not even gzip");
    String message = refused(bundle, "ab".repeat(32));
    assertContains(message, "sha256 mismatch", "actual " + Bundles.sha256(bundle));
  }

  @Test
  void malformedChecksumIsRefused() throws IOException {
    Path bundle = bundle(tar -> manifest(tar, "3.6.1"));
    ValidationException e =
        assertThrows(ValidationException.class, () -> Bundles.verify(bundle, "abc", V));
    assertContains(e.getMessage(), "'abc'", "not 64 hexadecimal digits");
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("acme-9.9.9.tar.gz");
    ValidationException e =
        assertThrows(ValidationException.class, () -> Bundles.verify(missing, null, V));
    assertEquals("bundle " + missing + ": no such file", e.getMessage());
  }

  @Test
  void notGzipIsRefused() throws IOException {
    Path bundle = dir.resolve("acme-3.6.1.tar.gz");
    Files.write(bundle, TestBundles.tar(tar -> manifest(tar, "3.6.1")));
    assertContains(refused(bundle), "not a gzip file");
    Files.write(bundle, new byte[0]);
    assertContains(refused(bundle), "not a gzip file");
  }

  @Test
  void truncatedGzipIsRefused() throws IOException {
    Path bundle =
        bundle(
            tar -> {
              manifest(tar, "3.6.1");
              byte[] noise = new byte[200_000];
              new java.util.Random(7).nextBytes(noise);
              file(tar, "blob", noise);
            });
    byte[] whole = Files.readAllBytes(bundle);
    Files.write(bundle, Arrays.copyOf(whole, whole.length / 2));
    assertContains(refused(bundle), "truncated: the gzip data ends early");
    // Cut in the trailer only: the CRC and length are missing.
    Files.write(bundle, Arrays.copyOf(whole, whole.length - 4));
    assertContains(refused(bundle), "truncated");
  }

  @Test
  void corruptGzipIsRefused() throws IOException {
    Path bundle = bundle(tar -> manifest(tar, "3.6.1"));
    byte[] bytes = Files.readAllBytes(bundle);
    bytes[bytes.length - 6] ^= 0x55; // the CRC
    Files.write(bundle, bytes);
    assertContains(refused(bundle), "corrupt gzip data");
  }

  @Test
  void gzipOfSomethingElseIsNotATar() throws IOException {
    Path bundle = dir.resolve("acme-3.6.1.tar.gz");
    TestBundles.gzip(bundle, "hello, not a tar\n".repeat(100).getBytes(StandardCharsets.UTF_8));
    assertContains(refused(bundle), "not a valid tar archive");
    TestBundles.gzip(bundle, "short".getBytes(StandardCharsets.UTF_8));
    assertContains(refused(bundle), "not a tar archive (no entries");
  }

  @Test
  void truncatedTarDataNamesTheEntry() throws IOException {
    byte[] whole =
        TestBundles.tar(
            tar -> {
              manifest(tar, "3.6.1");
              file(tar, "lib/big", new byte[5000]);
            });
    // Keep the manifest (2 records), the header of lib/big and 1000 bytes of its data.
    Path bundle = TestBundles.gzip(dir.resolve("acme-3.6.1.tar.gz"), Arrays.copyOf(whole, 2048));
    assertContains(refused(bundle), "'lib/big'", "truncated");
  }

  @Test
  void manifestMissingIsRefused() throws IOException {
    Path bundle =
        bundle(
            tar -> {
              file(tar, "bin/acme", "x");
              file(tar, "sub/hoist-release.json", "{\"product\":\"acme\",\"version\":\"3.6.1\"}");
            });
    assertContains(refused(bundle), "no hoist-release.json at the root of the bundle");
  }

  @Test
  void manifestVersionMustBeTheExpectedOne() throws IOException {
    Path bundle = bundle(tar -> manifest(tar, "3.7.0"));
    assertContains(refused(bundle), "hoist-release.json says version 3.7.0, expected 3.6.1");
  }

  @Test
  void invalidManifestIsNamed() throws IOException {
    Path bundle = bundle(tar -> file(tar, Manifest.FILE_NAME, "{\"product\":\"acme\"}"));
    assertContains(refused(bundle), "hoist-release.json: missing key 'version'");
  }

  @Test
  void manifestMustBeARegularFile() throws IOException {
    Path bundle = bundle(tar -> symlink(tar, Manifest.FILE_NAME, "docs/manifest.json"));
    assertContains(refused(bundle), "'hoist-release.json'", "must be a regular file");
  }

  static Stream<Arguments> escapes() {
    return Stream.of(
        escape(
            "absolute path",
            "/etc/cron.d/evil",
            "is an absolute path",
            t -> file(t, "/etc/cron.d/evil", "x")),
        escape("dot-dot", "../evil", "'..' component", t -> file(t, "../evil", "x")),
        escape(
            "dot-dot after a dir", "a/../../b", "'..' component", t -> file(t, "a/../../b", "x")),
        escape("dot-dot staying inside", "a/../b", "'..' component", t -> file(t, "a/../b", "x")),
        escape(
            "absolute symlink",
            "etc",
            "symlink to the absolute path '/etc'",
            t -> symlink(t, "etc", "/etc")),
        escape(
            "symlink up and out",
            "sub/etc",
            "resolves outside the release root",
            t -> {
              dir(t, "sub/");
              symlink(t, "sub/etc", "../../etc");
            }),
        escape(
            "symlink out through another symlink",
            "x",
            "'d/l/../..', which resolves outside",
            t -> {
              symlink(t, "d/l", "..");
              symlink(t, "x", "d/l/../..");
            }),
        escape(
            "symlink out through a later symlink",
            "x",
            "resolves outside",
            t -> {
              symlink(t, "x", "d/up/..");
              dir(t, "d/");
              symlink(t, "d/up", "..");
            }),
        escape(
            "symlink loop",
            "a",
            "loop of symlinks",
            t -> {
              symlink(t, "a", "b/c");
              symlink(t, "b", "a");
            }),
        escape(
            "entry written through a symlink",
            "lib/evil",
            "lies under 'lib', which is a symlink",
            t -> {
              symlink(t, "lib", "sub");
              file(t, "lib/evil", "x");
            }),
        escape(
            "entry under a file",
            "f/x",
            "lies under 'f', which is a regular file",
            t -> {
              file(t, "f", "x");
              file(t, "f/x", "x");
            }),
        escape("hard link out", "h", "'..' component", t -> hardLink(t, "h", "../../etc/shadow")),
        escape(
            "hard link absolute", "h", "is an absolute path", t -> hardLink(t, "h", "/etc/shadow")),
        escape(
            "hard link to a later entry",
            "h",
            "hard link to 'later', which is not an earlier regular file",
            t -> {
              hardLink(t, "h", "later");
              file(t, "later", "x");
            }),
        escape(
            "hard link to nothing",
            "h",
            "hard link to 'nowhere'",
            t -> hardLink(t, "h", "nowhere")),
        escape(
            "hard link to a directory",
            "h",
            "hard link to 'd/'",
            t -> {
              dir(t, "d/");
              hardLink(t, "h", "d/");
            }),
        escape(
            "character device",
            "dev/null",
            "character device",
            t -> special(t, "dev/null", TarConstants.LF_CHR)),
        escape(
            "block device",
            "dev/sda",
            "block device",
            t -> special(t, "dev/sda", TarConstants.LF_BLK)),
        escape("fifo", "pipe", "fifo", t -> special(t, "pipe", TarConstants.LF_FIFO)),
        escape(
            "duplicate",
            "bin/acme",
            "duplicate",
            t -> {
              file(t, "bin/acme", "good");
              file(t, "bin/acme", "evil");
            }),
        escape(
            "duplicate spelt differently",
            "./bin//acme",
            "duplicate: 'bin/acme' names the same path",
            t -> {
              file(t, "bin/acme", "good");
              file(t, "./bin//acme", "evil");
            }),
        escape(
            "root as a symlink", "./", "named like the release root", t -> symlink(t, "./", "/")));
  }

  private static Arguments escape(String what, String entry, String why, TestBundles.Body hostile) {
    TestBundles.Body body =
        t -> {
          manifest(t, "3.6.1");
          hostile.write(t);
        };
    return Arguments.of(what, entry, why, body);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("escapes")
  void everyEscapingEntryIsRefused(String what, String entry, String why, TestBundles.Body body)
      throws IOException {
    String message = refused(bundle(body));
    assertContains(message, "entry '" + entry + "' ", why, "the bundle is refused");
  }

  @Test
  void controlCharactersInNamesAreEscapedInMessages() throws IOException {
    Path bundle =
        bundle(
            t -> {
              manifest(t, "3.6.1");
              file(t, "../\u001b[2Jx\n", "x");
            });
    assertContains(refused(bundle), "entry '../\\u001b[2Jx\\n'");
  }

  @Test
  void moreThan100000EntriesAreRefused() throws IOException {
    Path bundle =
        bundle(
            tar -> {
              manifest(tar, "3.6.1");
              for (int i = 1; i <= 100_001; i++) {
                file(tar, "f/" + i, new byte[0]);
              }
            });
    assertContains(refused(bundle), "more than 100000 entries", "entry 100001");
  }

  @Test
  void hugeDeclaredSizeIsRefusedBeforeItsDataIsRead() throws IOException {
    long huge = 65L << 30;
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.write(TestBundles.tar(tar -> manifest(tar, "3.6.1")), 0, 1024);
    raw.write(TestBundles.header("blob", huge));
    raw.write(new byte[4096]);
    Path bundle = TestBundles.gzip(dir.resolve("acme-3.6.1.tar.gz"), raw.toByteArray());
    assertContains(
        refused(bundle),
        "entry 'blob' declares " + huge + " bytes",
        "over the limit of 68719476736");
  }

  @Test
  void declaredSizesAddUpAgainstTheLimit() throws IOException {
    long large = (64L << 30) - 100;
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.write(TestBundles.tar(tar -> file(tar, "a", new byte[512])), 0, 1024);
    raw.write(TestBundles.header("b", large));
    Path bundle = TestBundles.gzip(dir.resolve("acme-3.6.1.tar.gz"), raw.toByteArray());
    assertContains(
        refused(bundle),
        "entry 'b' declares " + large + " bytes, which brings the bundle to " + (512 + large));
  }

  @Test
  void dataShorterThanDeclaredIsRefused() throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.write(TestBundles.tar(tar -> manifest(tar, "3.6.1")), 0, 1024);
    raw.write(TestBundles.header("b", 33L << 30));
    raw.write(new byte[1024]);
    Path bundle = TestBundles.gzip(dir.resolve("acme-3.6.1.tar.gz"), raw.toByteArray());
    assertContains(refused(bundle), "'b'", "truncated");
  }

  @Test
  void dataAfterTheArchiveIsBounded() throws IOException {
    byte[] tar = TestBundles.tar(tar2 -> manifest(tar2, "3.6.1"));
    byte[] padded = Arrays.copyOf(tar, tar.length + (2 << 20));
    Path bundle = TestBundles.gzip(dir.resolve("acme-3.6.1.tar.gz"), padded);
    assertContains(refused(bundle), "bytes after the end of the tar archive");
  }

  @Test
  void gzipBombOfTenGibibytesOfZerosIsRefusedLongBeforeItsEnd() throws IOException {
    byte[] head = new byte[1536];
    System.arraycopy(TestBundles.tar(tar -> manifest(tar, "3.6.1")), 0, head, 0, 1024);
    System.arraycopy(TestBundles.header("zeros", 10L << 30), 0, head, 1024, 512);
    Path bundle =
        TestBundles.repeatedGzip(
            dir.resolve("acme-3.6.1.tar.gz"), head, new byte[1 << 20], 10 * 1024, new byte[1024]);
    assertTrue(Files.size(bundle) < 16 << 20, "a bomb of " + Files.size(bundle) + " bytes");
    assertContains(
        refused(bundle),
        "compressed bytes inflate to more than",
        "over " + BundleVerifier.MAX_RATIO + " times as many",
        "likely gzip bomb");
  }

  @Test
  void repetitiveBundleWithinTheAllowancePasses() throws IOException {
    Path bundle =
        bundle(
            tar -> {
              manifest(tar, "3.6.1");
              file(tar, "data/empty.img", new byte[32 << 20]);
            });
    assertEquals(V, Bundles.verify(bundle, null, V).version());
  }

  static Stream<Arguments> hugeHeaders() {
    long eightGib = (8L << 30) - 1;
    // A pax record states its own length, read as an int: 1 GiB, of an 8 GiB header entry.
    String paxRecord = (1 << 30) + " path=";
    return Stream.of(
        Arguments.of("GNU long name", TarConstants.LF_GNUTYPE_LONGNAME, eightGib, ""),
        Arguments.of("GNU long link", TarConstants.LF_GNUTYPE_LONGLINK, eightGib, ""),
        Arguments.of("pax header", TarConstants.LF_PAX_EXTENDED_HEADER_LC, eightGib, paxRecord),
        Arguments.of(
            "global pax header", TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER, eightGib, paxRecord));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hugeHeaders")
  void headerOfGigabytesIsRefusedBeforeItIsHeldInMemory(
      String what, byte flag, long size, String record) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    head.write(TestBundles.tar(tar -> manifest(tar, "3.6.1")), 0, 1024);
    head.write(TestBundles.header("././@LongLink", flag, size));
    head.write(record.getBytes(StandardCharsets.UTF_8));
    byte[] block = new byte[1 << 20];
    Arrays.fill(block, (byte) 'a');
    Path bundle =
        TestBundles.repeatedGzip(
            dir.resolve("acme-3.6.1.tar.gz"), head.toByteArray(), block, 8 * 1024, new byte[1024]);
    assertContains(
        refused(bundle),
        "the headers of entry 2 (GNU long names, pax records) take more than "
            + BundleVerifier.MAX_HEADER_BYTES
            + " bytes",
        "likely tar bomb");
  }
}
