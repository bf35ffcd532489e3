package io.hoist.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.ValidationException;
import io.hoist.testing.RepositoryServer;
import io.hoist.testing.TlsRepositoryServer;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * https repositories: the server's certificate is verified with the JDK's trust store and there is
 * no way around it; a redirect from https to http is refused. The jar run with {@code
 * -Djavax.net.ssl.trustStore} is in {@code io.hoist.cli.HttpsRepositoryIT}.
 */
class HttpsRepositoryTest {

  private static final String BUNDLE = "acme-${version}.tar.gz";
  private static final Duration CONNECT = Duration.ofSeconds(10);
  private static final Duration IDLE = Duration.ofSeconds(30);

  private TlsRepositoryServer server;

  @BeforeEach
  void startServer() {
    server = new TlsRepositoryServer().file("INDEX", "acme-1.0.0.tar.gz\n");
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void aCertificateNoTrustedAuthorityIssuedIsRefusedSayingHowToTrustIt() {
    HttpRepository repo = HttpRepository.open(server.url(), BUNDLE);

    ValidationException e = assertThrows(ValidationException.class, repo::releases);

    assertTrue(
        e.getMessage()
            .startsWith(
                "release repository "
                    + server.url()
                    + ": cannot get "
                    + server.url()
                    + "/INDEX: the server's TLS certificate is not trusted"),
        e.getMessage());
    assertTrue(e.getMessage().contains("-Djavax.net.ssl.trustStore=FILE"), e.getMessage());
    assertEquals(List.of(), server.requests(), "no request got through");
  }

  @Test
  void aCertificateFromTheTrustStoreIsAccepted() {
    HttpRepository repo =
        HttpRepository.open(
            server.url(), BUNDLE, CONNECT, IDLE, TlsRepositoryServer.clientContext());

    assertEquals(List.of(Version.parse("1.0.0")), repo.releases());
  }

  @Test
  void aRedirectFromHttpsToHttpIsRefused() throws IOException {
    try (RepositoryServer plain = new RepositoryServer()) {
      plain.file("INDEX", "acme-1.0.0.tar.gz\n");
      server.redirect("INDEX", plain.url() + "/INDEX");
      HttpRepository repo =
          HttpRepository.open(
              server.url(), BUNDLE, CONNECT, IDLE, TlsRepositoryServer.clientContext());

      ValidationException e = assertThrows(ValidationException.class, repo::releases);

      assertTrue(e.getMessage().contains("answered HTTP 302, a redirect to"), e.getMessage());
      assertTrue(e.getMessage().contains("from https to http"), e.getMessage());
      assertEquals(List.of(), plain.requests(), "nothing was fetched over http");
    }
  }

  @Test
  void tlsFailuresAreNamedAndOtherFailuresAreLeftAlone() {
    assertTrue(
        HttpRepository.describeTls(handshake(new CertificateExpiredException("expired")))
            .startsWith("the server's TLS certificate is not valid now"));
    assertTrue(
        HttpRepository.describeTls(
                handshake(
                    new CertificateException(
                        "No subject alternative names matching IP address 10.0.0.1 found")))
            .startsWith("the server's TLS certificate is not for this host"));
    assertTrue(
        HttpRepository.describeTls(new SSLHandshakeException("Received fatal alert"))
            .startsWith("the TLS handshake failed"));
    assertNull(HttpRepository.describeTls(new IOException("connection reset")));
  }

  private static SSLHandshakeException handshake(Throwable cause) {
    SSLHandshakeException e = new SSLHandshakeException("handshake");
    e.initCause(cause);
    return e;
  }
}
