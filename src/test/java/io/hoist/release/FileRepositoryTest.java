package io.hoist.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import io.hoist.model.MaxStep;
import io.hoist.model.Release;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class FileRepositoryTest {

  private static final String BUNDLE = "acme-${version}.tar.gz";

  @TempDir Path dir;

  private void bundle(String name, boolean withChecksum) throws IOException {
    Files.writeString(dir.resolve(name), "bundle");
    if (withChecksum) {
      Files.writeString(dir.resolve(name + ".sha256"), "0".repeat(64) + "  " + name + "\n");
    }
  }

  private static Release release(String repository) {
    return new Release(repository, BUNDLE, List.of(), MaxStep.ANY, null, Release.DEFAULT_KEEP);
  }

  private static List<String> texts(List<Version> versions) {
    return versions.stream().map(Version::text).toList();
  }

  @Test
  void listsBundlesWithChecksumsOldestFirst() throws IOException {
    bundle("acme-3.6.1.tar.gz", true);
    bundle("acme-3.5.10.tar.gz", true);
    bundle("acme-3.5.9.tar.gz", true);
    bundle("acme-3.6.0-rc1.tar.gz", true);
    bundle("acme-3.7.0+build.5.tar.gz", true);

    ReleaseRepository repo = ReleaseRepository.open(release("file:" + dir), Path.of("/"));

    assertEquals(
        List.of("3.5.9", "3.5.10", "3.6.0-rc1", "3.6.1", "3.7.0+build.5"), texts(repo.releases()));
    assertEquals("file:" + dir, repo.location());
  }

  @Test
  void ignoresFilesThatDoNotMatchThePattern() throws IOException {
    bundle("acme-3.6.1.tar.gz", true);
    bundle("acme-latest.tar.gz", true);
    bundle("other-3.6.2.tar.gz", true);
    bundle("acme-3.6.3.zip", true);
    Files.createDirectory(dir.resolve("acme-3.6.4.tar.gz"));
    Files.writeString(dir.resolve("README"), "hello");

    FileRepository repo = FileRepository.of("file:" + dir, dir, BUNDLE);

    assertEquals(List.of("3.6.1"), texts(repo.releases()));
    assertEquals(List.of(), repo.warnings());
  }

  @Test
  void aBundleWithoutChecksumIsAWarningNotARelease() throws IOException {
    bundle("acme-3.6.1.tar.gz", true);
    bundle("acme-3.6.2.tar.gz", false);

    FileRepository repo = FileRepository.of("file:" + dir, dir, BUNDLE);

    assertEquals(List.of("3.6.1"), texts(repo.releases()));
    assertEquals(1, repo.warnings().size());
    assertTrue(
        repo.warnings().get(0).startsWith("acme-3.6.2.tar.gz has no acme-3.6.2.tar.gz.sha256"),
        repo.warnings().get(0));
  }

  @Test
  void relativeLocationResolvesAgainstTheBaseDir() throws IOException {
    Path releases = Files.createDirectory(dir.resolve("releases"));
    Files.writeString(releases.resolve("acme-1.0.0.tar.gz"), "x");
    Files.writeString(releases.resolve("acme-1.0.0.tar.gz.sha256"), "x");

    ReleaseRepository repo = ReleaseRepository.open(release("file:releases"), dir);

    assertEquals(List.of("1.0.0"), texts(repo.releases()));
    FileRepository file = assertInstanceOf(FileRepository.class, repo);
    assertEquals(releases, file.dir());
    assertEquals(releases.resolve("acme-1.0.0.tar.gz"), file.bundle(Version.parse("1.0.0")));
    assertEquals(
        releases.resolve("acme-1.0.0.tar.gz.sha256"), file.checksum(Version.parse("1.0.0")));
  }

  @Test
  void tripleSlashUrlIsAnAbsolutePath() throws IOException {
    bundle("acme-2.0.tar.gz", true);

    ReleaseRepository repo = ReleaseRepository.open(release("file://" + dir), Path.of("/nowhere"));

    assertEquals(List.of("2.0"), texts(repo.releases()));
  }

  @Test
  void missingDirectoryNamesThePath() {
    Path missing = dir.resolve("nope");

    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> ReleaseRepository.open(release("file:" + missing), dir));

    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  /** Ways to name a repository directory that cannot be listed, even when the tests run as root. */
  enum Unlistable {
    REGULAR_FILE("is not a directory"),
    DANGLING_SYMLINK("does not exist"),
    SYMLINK_LOOP("cannot be listed: "),
    FILE_AS_PARENT("is not a directory");

    final String says;

    Unlistable(String says) {
      this.says = says;
    }

    Path create(Path dir) throws IOException {
      Path repo = dir.resolve("repo");
      switch (this) {
        case REGULAR_FILE -> Files.writeString(repo, "not a directory");
        case DANGLING_SYMLINK -> Files.createSymbolicLink(repo, dir.resolve("gone"));
        case SYMLINK_LOOP -> {
          Files.createSymbolicLink(repo, dir.resolve("loop"));
          Files.createSymbolicLink(dir.resolve("loop"), repo);
        }
        case FILE_AS_PARENT -> {
          Files.writeString(repo, "not a directory");
          repo = repo.resolve("sub");
        }
      }
      return repo;
    }
  }

  @ParameterizedTest
  @EnumSource(Unlistable.class)
  void unlistableDirectoryIsAValidationErrorNamingItAndTheCause(Unlistable kind)
      throws IOException {
    Path repo = kind.create(dir);

    ValidationException e =
        assertThrows(
            ValidationException.class, () -> ReleaseRepository.open(release("file:" + repo), dir));

    assertTrue(
        e.getMessage().startsWith("release repository file:" + repo + ": directory " + repo + " "),
        e.getMessage());
    assertTrue(e.getMessage().contains(kind.says), e.getMessage());
    assertInstanceOf(IOException.class, e.getCause());
  }

  @Test
  void symlinkLoopMessageSaysWhyNotWhere() throws IOException {
    Path repo = Unlistable.SYMLINK_LOOP.create(dir);

    ValidationException e =
        assertThrows(ValidationException.class, () -> FileRepository.of("file:r", repo, BUNDLE));

    String prefix = "release repository file:r: directory " + repo + " cannot be listed: ";
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    // The operating system's reason, without the path a second time.
    assertTrue(
        e.getMessage().substring(prefix.length()).contains("symbolic links"), e.getMessage());
    assertEquals(-1, e.getMessage().indexOf(repo.toString(), prefix.length()), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://releases.acme.io/acme", "http://10.0.0.1/r", "HTTPS://h/"})
  void httpLocationsOpenAnHttpRepositoryWithoutARequest(String location) {
    ReleaseRepository repo = ReleaseRepository.open(release(location), dir);

    assertInstanceOf(HttpRepository.class, repo);
    assertEquals(location, repo.location());
  }

  @Test
  void sha256IsReadFromTheChecksumFile() throws IOException {
    bundle("acme-3.6.1.tar.gz", false);
    Files.writeString(dir.resolve("acme-3.6.1.tar.gz.sha256"), "AB".repeat(32) + "\n");

    FileRepository repo = FileRepository.of("file:" + dir, dir, BUNDLE);

    assertEquals("ab".repeat(32), repo.sha256(Version.parse("3.6.1")));
    assertEquals("acme-3.6.1.tar.gz", repo.bundleName(Version.parse("3.6.1")));
  }

  @Test
  void missingChecksumFileIsNamed() {
    FileRepository repo = FileRepository.of("file:" + dir, dir, BUNDLE);

    ValidationException e =
        assertThrows(ValidationException.class, () -> repo.sha256(Version.parse("9.9.9")));

    assertTrue(
        e.getMessage().contains(dir.resolve("acme-9.9.9.tar.gz.sha256") + " does not exist"),
        e.getMessage());
  }

  @Test
  void downloadAppendsFromTheOffset() throws IOException {
    Files.writeString(dir.resolve("acme-1.0.tar.gz"), "0123456789");
    Path target = dir.resolve("target");
    Files.writeString(target, "0123");
    FileRepository repo = FileRepository.of("file:" + dir, dir, BUNDLE);

    repo.download(Version.parse("1.0"), target, 4, DownloadProgress.NONE);

    assertEquals("0123456789", Files.readString(target));
  }

  @Test
  void downloadRestartsWhenThePartialFileIsLongerThanTheBundle() throws IOException {
    Files.writeString(dir.resolve("acme-1.0.tar.gz"), "abc");
    Path target = dir.resolve("target");
    Files.writeString(target, "0123456789");
    FileRepository repo = FileRepository.of("file:" + dir, dir, BUNDLE);

    repo.download(Version.parse("1.0"), target, 10, DownloadProgress.NONE);

    assertEquals("abc", Files.readString(target));
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3://bucket/releases", "/srv/releases", "file:", "file://host/r"})
  void otherLocationsAreUsageErrors(String location) {
    UsageException e =
        assertThrows(UsageException.class, () -> ReleaseRepository.open(release(location), dir));

    assertTrue(e.getMessage().contains(location), e.getMessage());
  }

  @Test
  void bundlePatternNeedsTheVersion() {
    UsageException e =
        assertThrows(UsageException.class, () -> FileRepository.of("file:x", dir, "acme.tar.gz"));

    assertTrue(e.getMessage().contains("${version}"), e.getMessage());
  }
}
