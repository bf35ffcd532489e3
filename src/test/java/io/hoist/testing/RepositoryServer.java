package io.hoist.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A release repository served over http on 127.0.0.1 (port 0) under {@code /repo/}: files, an
 * optional autoindex page, Range support, and faults injected per test.
 */
@SuppressForbidden(
    reason =
        "com.sun.net.httpserver is a supported, exported JDK API (module jdk.httpserver); the"
            + " jdk-non-portable signatures flag every com.sun package")
public final class RepositoryServer implements AutoCloseable {

  /** One request as the server saw it. */
  public record Request(String path, String range) {}

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  private final HttpServer server;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger cutsLeft = new AtomicInteger();
  private volatile String cutPath;
  private volatile boolean autoindex;
  private volatile boolean ignoreRange;
  private volatile String contentRange;

  public RepositoryServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  /** The repository's URL, {@code http://127.0.0.1:PORT/repo}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/repo";
  }

  public RepositoryServer file(String name, byte[] content) {
    files.put(name, content);
    return this;
  }

  public RepositoryServer file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8));
  }

  /** Serves every regular file of {@code dir} (a repository {@code version pack} wrote). */
  public RepositoryServer directory(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path file : entries.filter(Files::isRegularFile).toList()) {
        file(file.getFileName().toString(), Files.readAllBytes(file));
      }
    }
    return this;
  }

  /** A bundle and its correct checksum file. */
  public RepositoryServer bundle(String name, byte[] content) {
    file(name, content);
    return file(name + ".sha256", sha256(content) + "  " + name + "\n");
  }

  /** Serves an HTML directory listing at {@code /repo/} (INDEX stays 404 unless added). */
  public RepositoryServer autoindex() {
    autoindex = true;
    return this;
  }

  /** Answers every request for {@code name} with {@code status} (0: normal again). */
  public RepositoryServer status(String name, int status) {
    if (status == 0) {
      statuses.remove(name);
    } else {
      statuses.put(name, status);
    }
    return this;
  }

  /** Answers 200 with the whole file whatever the Range header says. */
  public RepositoryServer ignoreRange() {
    ignoreRange = true;
    return this;
  }

  /** Answers a range request with this Content-Range header instead of the true one. */
  public RepositoryServer contentRange(String value) {
    contentRange = value;
    return this;
  }

  /**
   * The next {@code times} requests for {@code name} get half the body, then the connection dies.
   */
  public RepositoryServer cut(String name, int times) {
    cutPath = name;
    cutsLeft.set(times);
    return this;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requestsFor(String name) {
    return requests.stream().filter(r -> r.path().equals("/repo/" + name)).toList();
  }

  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String range = exchange.getRequestHeaders().getFirst("Range");
      requests.add(new Request(path, range));
      String name = path.startsWith("/repo/") ? path.substring("/repo/".length()) : null;
      if (name == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      Integer status = statuses.get(name);
      if (status != null) {
        exchange.sendResponseHeaders(status, -1);
        return;
      }
      if (name.isEmpty() && autoindex) {
        send(exchange, 200, listing().getBytes(StandardCharsets.UTF_8));
        return;
      }
      byte[] content = files.get(name);
      if (content == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      long from = 0;
      Matcher m = range == null ? null : RANGE.matcher(range);
      if (m != null && m.matches() && !ignoreRange) {
        from = Long.parseLong(m.group(1));
        if (from >= content.length) {
          exchange.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
          exchange.sendResponseHeaders(416, -1);
          return;
        }
        exchange
            .getResponseHeaders()
            .set(
                "Content-Range",
                contentRange != null
                    ? contentRange
                    : "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
      }
      int status206 = from > 0 ? 206 : 200;
      exchange.sendResponseHeaders(status206, content.length - from);
      OutputStream out = exchange.getResponseBody();
      if (name.equals(cutPath) && cutsLeft.getAndDecrement() > 0) {
        int half = (int) (content.length - from) / 2;
        out.write(content, (int) from, half);
        out.flush();
        // Closing the exchange short of Content-Length makes the server drop the connection.
        return;
      }
      out.write(content, (int) from, (int) (content.length - from));
    }
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  private String listing() {
    StringBuilder html =
        new StringBuilder(
            "<html><head><title>Index of /repo/</title></head><body><h1>Index of /repo/</h1>"
                + "<hr><pre><a href=\"../\">../</a>\n");
    for (String name : files.keySet().stream().sorted().toList()) {
      String href = name.replace("+", "%2B");
      html.append("<a href=\"").append(href).append("\">").append(name).append("</a>\n");
    }
    return html.append("</pre><hr></body></html>\n").toString();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
