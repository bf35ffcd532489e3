package io.hoist.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A release repository served over https on 127.0.0.1 (port 0) under {@code /repo/}, with a
 * self-signed test certificate for {@code 127.0.0.1} that no JDK trusts; plus redirects.
 *
 * <p>The certificate's files are committed in {@code src/test/resources/tls/}, made with the JDK's
 * keytool (valid 100 years; the key is a test key, its password {@value #PASSWORD}):
 *
 * <pre>
 * keytool -genkeypair -alias repository -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA \
 *   -dname "CN=hoist test repository" -ext san=ip:127.0.0.1 -validity 36500 \
 *   -keystore repository-server.p12 -storetype PKCS12 -storepass hoist-test -keypass hoist-test
 * keytool -exportcert -alias repository -keystore repository-server.p12 -storepass hoist-test \
 *   -rfc -file repository.pem
 * keytool -J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE -J-Dkeystore.pkcs12.macAlgorithm=NONE \
 *   -importcert -noprompt -alias repository -file repository.pem \
 *   -keystore repository-trust.p12 -storetype PKCS12 -storepass hoist-test
 * </pre>
 *
 * The trust store holds only the certificate, unencrypted, so Java reads it without a password
 * (docs/security.md tells admins with an internal CA to do the same).
 */
@SuppressForbidden(
    reason =
        "com.sun.net.httpserver is a supported, exported JDK API (module jdk.httpserver); the"
            + " jdk-non-portable signatures flag every com.sun package")
public final class TlsRepositoryServer implements AutoCloseable {

  /** The server key store's password (a test key). */
  public static final String PASSWORD = "hoist-test";

  private final HttpsServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, String> redirects = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  public TlsRepositoryServer() {
    try {
      server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(serverContext()));
      server.createContext("/", this::handle);
      server.setExecutor(threads);
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code https://127.0.0.1:PORT/repo}. */
  public String url() {
    return "https://127.0.0.1:" + server.getAddress().getPort() + "/repo";
  }

  /** Serves {@code content} as {@code /repo/NAME}. */
  public TlsRepositoryServer file(String name, String content) {
    files.put(name, content.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  /** Serves every regular file of {@code dir} (a repository {@code version pack} wrote). */
  public TlsRepositoryServer directory(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path file : entries.filter(Files::isRegularFile).toList()) {
        files.put(file.getFileName().toString(), Files.readAllBytes(file));
      }
    }
    return this;
  }

  /** Answers {@code /repo/NAME} with 302 and {@code Location: target}. */
  public TlsRepositoryServer redirect(String name, String target) {
    redirects.put(name, target);
    return this;
  }

  /** The paths requested so far. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** Writes the trust store holding the server's certificate (no password) to {@code file}. */
  public static Path trustStore(Path file) {
    try (InputStream in = resource("repository-trust.p12")) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client TLS context trusting the server's certificate (and nothing else). */
  public static SSLContext clientContext() {
    try (InputStream in = resource("repository-trust.p12")) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(in, null);
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SSLContext serverContext() {
    try (InputStream in = resource("repository-server.p12")) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(in, PASSWORD.toCharArray());
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(keys, PASSWORD.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(factory.getKeyManagers(), null, null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = TlsRepositoryServer.class.getResourceAsStream("/tls/" + name);
    if (in == null) {
      throw new IOException("test resource /tls/" + name + " is missing");
    }
    return in;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      requests.add(path);
      String name = path.startsWith("/repo/") ? path.substring("/repo/".length()) : "";
      String target = redirects.get(name);
      if (target != null) {
        exchange.getResponseHeaders().set("Location", target);
        exchange.sendResponseHeaders(302, -1);
        return;
      }
      byte[] content = files.get(name);
      if (content == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.sendResponseHeaders(200, content.length);
      exchange.getResponseBody().write(content);
    }
  }

  /** Stops the server at once. */
  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
