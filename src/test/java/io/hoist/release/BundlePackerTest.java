package io.hoist.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundlePackerTest {

  private static final Version V = Version.parse("3.6.1");
  private static final String LONG =
      "deep/" + "a-rather-long-directory-name/".repeat(4) + "file.txt";

  @TempDir Path tmp;
  Path src;
  Path repo;

  @BeforeEach
  void tree() throws IOException {
    src = Files.createDirectories(tmp.resolve("src"));
    repo = Files.createDirectories(tmp.resolve("repo"));
    Files.createDirectories(src.resolve("bin"));
    Files.createDirectories(src.resolve("a/b/c"));
    Files.writeString(src.resolve("bin/acme"), "#!/bin/sh\necho acme\n");
    Files.setPosixFilePermissions(
        src.resolve("bin/acme"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(src.resolve("README"), "acme\n");
    Files.setPosixFilePermissions(
        src.resolve("README"), PosixFilePermissions.fromString("rw-r-----"));
    Files.createDirectories(src.resolve(LONG).getParent());
    Files.writeString(src.resolve(LONG), "long\n");
    Files.createSymbolicLink(src.resolve("a/b/current"), Path.of("../../bin/acme"));
  }

  private Manifest pack(Path into, String version) {
    return Bundles.pack(
        src,
        Version.parse(version),
        "acme",
        ">=3.5.3",
        "0.1.0",
        into,
        "acme-" + version + ".tar.gz");
  }

  private static Map<String, TarArchiveEntry> entries(Path bundle) throws IOException {
    Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(bundle);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        entries.put(e.getName(), e);
      }
    }
    return entries;
  }

  @Test
  void packedBundleVerifiesAndKeepsModesLinksAndLongNames() throws IOException {
    Manifest packed = pack(repo, "3.6.1");
    Path bundle = repo.resolve("acme-3.6.1.tar.gz");
    String sha256 = Bundles.sha256(bundle);
    assertEquals(
        sha256 + "  acme-3.6.1.tar.gz\n",
        Files.readString(repo.resolve("acme-3.6.1.tar.gz.sha256")));
    assertEquals(packed, Bundles.verify(bundle, sha256, V));
    assertEquals(
        new Manifest("acme", V, VersionRange.parse(">=3.5.3"), Version.parse("0.1.0")), packed);

    Map<String, TarArchiveEntry> entries = entries(bundle);
    List<String> names = new ArrayList<>(entries.keySet());
    assertEquals("hoist-release.json", names.get(0));
    List<String> sorted = new ArrayList<>(names.subList(1, names.size()));
    sorted.sort(null);
    assertEquals(sorted, names.subList(1, names.size()));
    assertTrue(
        names.containsAll(List.of("a/", "a/b/", "a/b/c/", "bin/", "deep/", LONG)), names::toString);
    assertTrue(LONG.length() > 100);
    assertEquals(0755, entries.get("bin/acme").getMode() & 07777);
    assertEquals(0640, entries.get("README").getMode() & 07777);
    assertEquals(0644, entries.get("hoist-release.json").getMode() & 07777);
    TarArchiveEntry link = entries.get("a/b/current");
    assertTrue(link.isSymbolicLink());
    assertEquals("../../bin/acme", link.getLinkName());
    for (TarArchiveEntry e : entries.values()) {
      assertEquals(0, e.getModTime().getTime(), e.getName());
      assertEquals(0, e.getLongUserId(), e.getName());
      assertEquals(0, e.getLongGroupId(), e.getName());
      assertEquals("", e.getUserName(), e.getName());
      assertEquals("", e.getGroupName(), e.getName());
    }
    byte[] bytes = Files.readAllBytes(bundle);
    assertEquals(0, bytes[3] & 0x08, "gzip header names no file");
    assertArrayEquals(new byte[4], java.util.Arrays.copyOfRange(bytes, 4, 8), "gzip mtime 0");
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(bundle)));
  }

  @Test
  void packingIsDeterministic() throws IOException {
    Path other = Files.createDirectories(tmp.resolve("other"));
    pack(repo, "3.6.1");
    Files.setLastModifiedTime(src.resolve("bin/acme"), FileTime.fromMillis(123_456_789_000L));
    Files.setLastModifiedTime(src.resolve("a/b"), FileTime.fromMillis(42_000L));
    pack(other, "3.6.1");
    assertArrayEquals(
        Files.readAllBytes(repo.resolve("acme-3.6.1.tar.gz")),
        Files.readAllBytes(other.resolve("acme-3.6.1.tar.gz")));
    assertEquals(
        Files.readString(repo.resolve("acme-3.6.1.tar.gz.sha256")),
        Files.readString(other.resolve("acme-3.6.1.tar.gz.sha256")));
  }

  @Test
  void packingTheSameTreeAgainIsANoOpAndAnotherTreeIsRefused() throws IOException {
    pack(repo, "3.6.1");
    List<String> before = TestBundles.listing(repo);
    pack(repo, "3.6.1");
    assertEquals(before, TestBundles.listing(repo));
    Files.writeString(src.resolve("README"), "changed\n");
    ValidationException e = assertThrows(ValidationException.class, () -> pack(repo, "3.6.1"));
    assertTrue(
        e.getMessage().contains("acme-3.6.1.tar.gz already exists in " + repo), e.getMessage());
    assertEquals(before, TestBundles.listing(repo), "no temporary file left behind");
  }

  @Test
  void indexIsSortedByVersionWithoutDuplicates() throws IOException {
    pack(repo, "3.6.1");
    pack(repo, "3.10.0");
    pack(repo, "3.5.3");
    pack(repo, "3.6.1");
    assertEquals(
        "acme-3.5.3.tar.gz\nacme-3.6.1.tar.gz\nacme-3.10.0.tar.gz\n",
        Files.readString(repo.resolve("INDEX")));
  }

  @Test
  void indexKeepsLinesItDoesNotUnderstandAfterTheReleases() throws IOException {
    Files.writeString(repo.resolve("INDEX"), "zeta-1.0.tar.gz\n\nacme-3.6.1.tar.gz\n");
    pack(repo, "3.5.3");
    assertEquals(
        "acme-3.5.3.tar.gz\nacme-3.6.1.tar.gz\nzeta-1.0.tar.gz\n",
        Files.readString(repo.resolve("INDEX")));
  }

  private String refusedToPack(Class<? extends RuntimeException> type) throws IOException {
    List<String> before = TestBundles.listing(repo);
    RuntimeException e = assertThrows(type, () -> pack(repo, "3.6.1"));
    assertEquals(before, TestBundles.listing(repo), "nothing written to the repository");
    return e.getMessage();
  }

  @Test
  void manifestInTheDirectoryIsRefused() throws IOException {
    Files.writeString(src.resolve("hoist-release.json"), "{}");
    String message = refusedToPack(ValidationException.class);
    assertTrue(message.startsWith(src.resolve("hoist-release.json") + " exists"), message);
    assertTrue(message.contains("hoist generates the manifest"), message);
  }

  @Test
  void manifestNameInASubdirectoryIsFine() throws IOException {
    Files.writeString(src.resolve("a/hoist-release.json"), "{}");
    pack(repo, "3.6.1");
    Path bundle = repo.resolve("acme-3.6.1.tar.gz");
    assertEquals(V, Bundles.verify(bundle, null, V).version());
  }

  @Test
  void absoluteSymlinkIsRefused() throws IOException {
    Files.createSymbolicLink(src.resolve("etc"), Path.of("/etc"));
    String message = refusedToPack(ValidationException.class);
    assertTrue(
        message.contains(src.resolve("etc") + " is a symlink to the absolute path"), message);
  }

  @Test
  void escapingSymlinkIsRefused() throws IOException {
    Files.createSymbolicLink(src.resolve("a/up"), Path.of("../../.."));
    String message = refusedToPack(ValidationException.class);
    assertTrue(
        message.contains(
            src.resolve("a/up") + " is a symlink to '../../..', which resolves outside"),
        message);
  }

  @Test
  void fifoIsRefused() throws IOException, InterruptedException {
    Process mkfifo = new ProcessBuilder("mkfifo", src.resolve("pipe").toString()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo unavailable");
    String message = refusedToPack(ValidationException.class);
    assertTrue(message.startsWith(src.resolve("pipe") + " is neither"), message);
  }

  @Test
  void missingDirectoriesAreUsageErrors() throws IOException {
    Path missing = tmp.resolve("missing");
    UsageException e =
        assertThrows(
            UsageException.class,
            () -> Bundles.pack(missing, V, "acme", null, null, repo, "acme-3.6.1.tar.gz"));
    assertEquals(
        "directory to pack "
            + missing
            + " does not exist; name the directory that holds the release's files",
        e.getMessage());
    e =
        assertThrows(
            UsageException.class,
            () ->
                Bundles.pack(
                    src.resolve("README"), V, "acme", null, null, repo, "acme-3.6.1.tar.gz"));
    assertTrue(e.getMessage().endsWith("is not a directory"), e.getMessage());
    e =
        assertThrows(
            UsageException.class,
            () -> Bundles.pack(src, V, "acme", null, null, missing, "acme-3.6.1.tar.gz"));
    assertEquals(
        "release repository "
            + missing
            + " does not exist; create it, or name the repository directory with --into",
        e.getMessage());
    e =
        assertThrows(
            UsageException.class,
            () -> Bundles.pack(src, V, "acme", null, null, src.resolve("a"), "acme-3.6.1.tar.gz"));
    assertTrue(e.getMessage().contains("lies inside the directory to pack"), e.getMessage());
  }

  @Test
  void badArgumentsAreUsageErrors() {
    assertTrue(
        assertThrows(
                UsageException.class,
                () -> Bundles.pack(src, V, "acme", null, null, repo, "../acme-3.6.1.tar.gz"))
            .getMessage()
            .contains("not a plain file name"));
    assertTrue(
        assertThrows(
                UsageException.class,
                () -> Bundles.pack(src, V, "acme", null, null, repo, "acme.tar.gz"))
            .getMessage()
            .contains("does not contain the version 3.6.1"));
    assertTrue(
        assertThrows(
                UsageException.class,
                () -> Bundles.pack(src, V, "acme", "3.5 or later", null, repo, "acme-3.6.1.tar.gz"))
            .getMessage()
            .startsWith("upgrade_from: '3.5 or later' is not a version range"));
    assertTrue(
        assertThrows(
                UsageException.class,
                () -> Bundles.pack(src, V, "ac me", null, null, repo, "acme-3.6.1.tar.gz"))
            .getMessage()
            .startsWith("product 'ac me' is not a product name"));
  }
}
