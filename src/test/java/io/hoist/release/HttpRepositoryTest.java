package io.hoist.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import io.hoist.testing.RepositoryServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpRepositoryTest {

  private static final String BUNDLE = "acme-${version}.tar.gz";
  private static final byte[] CONTENT = "the bundle".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private RepositoryServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = new RepositoryServer();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private HttpRepository repository() {
    return HttpRepository.open(server.url(), BUNDLE);
  }

  private static List<String> texts(List<Version> versions) {
    return versions.stream().map(Version::text).toList();
  }

  @Test
  void listsTheBundlesNamedInIndexOldestFirst() {
    server.file(
        "INDEX",
        "acme-3.6.1.tar.gz\n\n# comment\nacme-3.5.10.tar.gz\r\nREADME\nacme-3.7.0+b.1.tar.gz\n");

    HttpRepository repo = repository();

    assertEquals(List.of("3.5.10", "3.6.1", "3.7.0+b.1"), texts(repo.releases()));
    // One request for the listing, none per release.
    assertEquals(1, server.requests().size());
  }

  @Test
  void fallsBackToTheDirectoryListingWhenIndexIs404() {
    server
        .bundle("acme-3.6.1.tar.gz", CONTENT)
        .bundle("acme-3.7.0+b.1.tar.gz", CONTENT)
        .file("acme-3.8.0.tar.gz", CONTENT)
        .file("other-1.0.tar.gz", CONTENT)
        .autoindex();

    HttpRepository repo = repository();

    assertEquals(List.of("3.6.1", "3.7.0+b.1"), texts(repo.releases()));
    assertEquals(
        List.of(
            "acme-3.8.0.tar.gz has no acme-3.8.0.tar.gz.sha256 beside it in "
                + server.url()
                + "/; it is not offered"),
        repo.warnings());
  }

  @Test
  void neitherIndexNorListingNamesBoth() {
    ValidationException e = assertThrows(ValidationException.class, () -> repository().releases());

    assertTrue(e.getMessage().contains(server.url() + "/INDEX"), e.getMessage());
    assertTrue(e.getMessage().contains("directory listing " + server.url() + "/"), e.getMessage());
  }

  @Test
  void hrefsOfApacheAndNginxPagesAreRead() {
    String page =
        "<tr><td><a href=\"acme-1.0.tar.gz\">acme-1.0.tar.gz</a></td></tr>"
            + "<a href='acme-1.1.tar.gz?x=1'>x</a> <A HREF=sub/acme-1.2.tar.gz>y</A>"
            + "<a href=\"/repo/acme-2.0%2Bb.tar.gz\">z</a><a href=\"../\">..</a>"
            + "<a href=\"?C=M;O=A\">sort</a>";

    assertEquals(
        Set.of("acme-1.0.tar.gz", "acme-1.1.tar.gz", "acme-1.2.tar.gz", "acme-2.0+b.tar.gz"),
        HttpRepository.hrefNames(page));
  }

  @Test
  void sha256IsReadBesideTheBundle() {
    server.bundle("acme-1.0.tar.gz", CONTENT);

    assertEquals(RepositoryServer.sha256(CONTENT), repository().sha256(Version.parse("1.0")));
  }

  @Test
  void aListedBundleWithoutChecksumFailsOnSha256NamingTheUrl() {
    server.file("INDEX", "acme-1.0.tar.gz\n").file("acme-1.0.tar.gz", CONTENT);
    HttpRepository repo = repository();
    assertEquals(List.of("1.0"), texts(repo.releases()));

    ValidationException e =
        assertThrows(ValidationException.class, () -> repo.sha256(Version.parse("1.0")));

    assertTrue(
        e.getMessage().contains(server.url() + "/acme-1.0.tar.gz.sha256 does not exist (HTTP 404)"),
        e.getMessage());
  }

  @Test
  void malformedChecksumNamesTheUrl() {
    server.file("acme-1.0.tar.gz.sha256", "<html>oops</html>");

    ValidationException e =
        assertThrows(ValidationException.class, () -> repository().sha256(Version.parse("1.0")));

    assertTrue(
        e.getMessage()
            .startsWith("checksum file " + server.url() + "/acme-1.0.tar.gz.sha256 is malformed"),
        e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {403, 500, 503})
  void httpErrorsNameTheUrlAndStatus(int status) {
    server.status("INDEX", status);

    ValidationException e = assertThrows(ValidationException.class, () -> repository().releases());

    assertTrue(
        e.getMessage().contains(server.url() + "/INDEX answered HTTP " + status), e.getMessage());
  }

  @Test
  void downloadResumesWithARangeRequest() throws IOException {
    server.bundle("acme-1.0.tar.gz", CONTENT);
    Path target = dir.resolve("part");
    Files.write(target, "the ".getBytes(StandardCharsets.UTF_8));

    repository().download(Version.parse("1.0"), target, 4, DownloadProgress.NONE);

    assertArrayEquals(CONTENT, Files.readAllBytes(target));
    assertEquals("bytes=4-", server.requestsFor("acme-1.0.tar.gz").get(0).range());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bytes 99999999999999999999-9/10",
        "bytes 4-9/99999999999999999999",
        "bytes 4-99999999999999999999/10",
        "bytes 5-9/10",
        "bytes -4-9/10",
        "items 4-9/10"
      })
  void hostileContentRangeIsRefusedNamingIt(String header) throws IOException {
    server.bundle("acme-1.0.tar.gz", CONTENT).contentRange(header);
    Path target = dir.resolve("part");
    Files.write(target, "the ".getBytes(StandardCharsets.UTF_8));

    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> repository().download(Version.parse("1.0"), target, 4, DownloadProgress.NONE));

    assertTrue(
        e.getMessage()
            .endsWith("answered a range request from byte 4 with Content-Range '" + header + "'"),
        e.getMessage());
  }

  @Test
  void serverIgnoringRangeIsReadFromTheStart() throws IOException {
    server.bundle("acme-1.0.tar.gz", CONTENT).ignoreRange();
    Path target = dir.resolve("part");
    Files.write(target, "xxxx".getBytes(StandardCharsets.UTF_8));

    repository().download(Version.parse("1.0"), target, 4, DownloadProgress.NONE);

    assertArrayEquals(CONTENT, Files.readAllBytes(target));
  }

  @Test
  void rangeBeyondTheEndMeansComplete() throws IOException {
    server.bundle("acme-1.0.tar.gz", CONTENT);
    Path target = dir.resolve("part");
    Files.write(target, CONTENT);

    repository().download(Version.parse("1.0"), target, CONTENT.length, DownloadProgress.NONE);

    assertArrayEquals(CONTENT, Files.readAllBytes(target));
  }

  @Test
  void connectionRefusedNamesTheUrl() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/repo";

    ValidationException e =
        assertThrows(ValidationException.class, () -> HttpRepository.open(url, BUNDLE).releases());

    assertEquals(
        "release repository " + url + ": cannot get " + url + "/INDEX: connection refused",
        e.getMessage());
  }

  @Test
  void aStalledResponseFailsAfterTheIdleLimit() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String url = "http://127.0.0.1:" + silent.getLocalPort() + "/repo";
      HttpRepository repo =
          HttpRepository.open(url, BUNDLE, Duration.ofSeconds(10), Duration.ofMillis(200));

      ValidationException e = assertThrows(ValidationException.class, repo::releases);

      assertTrue(e.getMessage().contains("no answer within 200ms"), e.getMessage());
    }
  }

  @Test
  void credentialsAreMaskedInMessages() {
    String url = server.url().replace("http://", "http://admin:s3cret@");
    server.status("INDEX", 500);

    HttpRepository repo = HttpRepository.open(url, BUNDLE);
    ValidationException e = assertThrows(ValidationException.class, repo::releases);

    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    assertTrue(e.getMessage().contains("http://***@127.0.0.1:"), e.getMessage());
    assertEquals(url.replace("admin:s3cret@", "***@"), repo.location());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://", "https:///path", "http://h/r?x=1", "http://h/ r"})
  void badUrlsAreUsageErrors(String url) {
    assertThrows(UsageException.class, () -> HttpRepository.open(url, BUNDLE));
  }
}
