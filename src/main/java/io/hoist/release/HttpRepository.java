package io.hoist.release;

import io.hoist.error.InterruptedRunException;
import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Authenticator;
import java.net.ConnectException;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A release repository on an http(s) server ({@code https://releases.acme.io/acme}): bundle {@code
 * BASE/NAME} and its checksum {@code BASE/NAME.sha256}.
 *
 * <p><b>Listing.</b> {@link #releases()} reads {@code BASE/INDEX}, one bundle file name per line as
 * {@code hoist version pack} writes it (blank lines and lines starting with {@code #} are skipped,
 * names that do not match the bundle pattern are ignored). Every listed bundle is offered without
 * asking for its {@code .sha256} (that would be one request per release): a missing checksum fails
 * {@link #sha256} later, with a message naming the URL. When {@code INDEX} is 404, the directory
 * listing {@code BASE/} is read instead (the {@code href}s of an nginx or Apache autoindex page);
 * since that page also lists the checksums, a bundle whose {@code .sha256} is not on it is not
 * offered and is named in {@link #warnings()}, as in a {@code file:} repository. The listing is
 * fetched once, on the first call, and kept.
 *
 * <p><b>Transfers.</b> Connecting may take {@value #CONNECT_SECONDS} s; after that, a response that
 * sends no byte for {@value #IDLE_SECONDS} s fails. A resumed download asks for {@code Range:
 * bytes=OFFSET-}; a server that answers 200 instead of 206 is read from the start over a truncated
 * file; 416 (nothing from that offset on) means the file is already complete. Redirects are
 * followed except from https to http (refused, naming both URLs). HTTP errors, refused connections,
 * unknown hosts and timeouts are {@link ValidationException}s naming the URL and the status or
 * cause.
 *
 * <p><b>TLS.</b> {@code https://} uses the JDK's default TLS context: the server's certificate must
 * chain to a CA in Java's trust store ({@code -Djavax.net.ssl.trustStore} replaces it) and name the
 * host; there is no way to turn verification off. A certificate that fails is refused with a
 * message saying why (not trusted, expired, another host).
 *
 * <p><b>Credentials.</b> {@code https://user:password@host/path} answers a server's Basic or Digest
 * challenge with that user and password, for that host only (not after a redirect to another host);
 * every URL in messages shows {@code ***@} instead.
 */
public final class HttpRepository implements ReleaseRepository {

  static final int CONNECT_SECONDS = 10;
  static final int IDLE_SECONDS = 30;

  /** A text file (INDEX, listing, checksum) larger than this is not what it claims to be. */
  private static final int MAX_TEXT = 8 << 20;

  private static final Pattern HREF =
      Pattern.compile(
          "href\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+))", Pattern.CASE_INSENSITIVE);
  // At most 18 digits: every number fits a long (a server's 20-digit offset is no answer).
  private static final Pattern CONTENT_RANGE =
      Pattern.compile(
          "bytes\\s+(?:(\\d{1,18})-(\\d{1,18})|\\*)/(\\d{1,18}|\\*)", Pattern.CASE_INSENSITIVE);
  private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/?#]*@");

  private final String location;
  private final String base;
  private final BundlePattern bundle;
  private final HttpClient client;
  private final Duration idle;
  private final Object lock = new Object();
  private List<Version> releases;
  private List<String> warnings;

  private HttpRepository(
      String location, String base, BundlePattern bundle, HttpClient client, Duration idle) {
    this.location = location;
    this.base = base;
    this.bundle = bundle;
    this.client = client;
    this.idle = idle;
  }

  /**
   * Opens an {@code http://} or {@code https://} location. Nothing is fetched yet.
   *
   * @throws UsageException when the location is not an http(s) URL with a host, or the bundle
   *     pattern has no {@code ${version}}
   */
  public static HttpRepository open(String location, String bundle) {
    return open(
        location, bundle, Duration.ofSeconds(CONNECT_SECONDS), Duration.ofSeconds(IDLE_SECONDS));
  }

  /** {@link #open(String, String)} with other timeouts (tests). */
  static HttpRepository open(String location, String bundle, Duration connect, Duration idle) {
    return open(location, bundle, connect, idle, null);
  }

  /**
   * {@link #open(String, String)} with other timeouts and, unless {@code null}, another TLS context
   * than the JDK's default (tests: a server with a test certificate).
   */
  static HttpRepository open(
      String location, String bundle, Duration connect, Duration idle, SSLContext tls) {
    Objects.requireNonNull(location, "location");
    BundlePattern pattern = BundlePattern.of(bundle);
    String masked = mask(location);
    URI uri;
    try {
      uri = new URI(location);
    } catch (URISyntaxException e) {
      throw new UsageException(
          "release repository '" + masked + "' is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new UsageException(
          "release repository '" + masked + "' is not an http(s) URL; write https://HOST/PATH");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new UsageException(
          "release repository '" + masked + "' has a query or fragment; write https://HOST/PATH");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String base =
        scheme
            + "://"
            + uri.getHost()
            + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
            + (path.endsWith("/") ? path : path + "/");
    // TLS: the JDK's default context, so certificates are verified against its trust store
    // (javax.net.ssl.trustStore) and the host name is checked. NORMAL never follows a redirect
    // from https to http.
    HttpClient.Builder client =
        HttpClient.newBuilder().connectTimeout(connect).followRedirects(HttpClient.Redirect.NORMAL);
    if (tls != null) {
      client.sslContext(tls);
    }
    if (uri.getRawUserInfo() != null) {
      client.authenticator(credentials(uri.getRawUserInfo(), uri.getHost()));
    }
    return new HttpRepository(masked, base, pattern, client.build(), idle);
  }

  private static Authenticator credentials(String rawUserInfo, String host) {
    int colon = rawUserInfo.indexOf(':');
    String user = decode(colon < 0 ? rawUserInfo : rawUserInfo.substring(0, colon));
    char[] password =
        colon < 0 ? new char[0] : decode(rawUserInfo.substring(colon + 1)).toCharArray();
    return new Authenticator() {
      @Override
      protected PasswordAuthentication getPasswordAuthentication() {
        // Only the repository's own host gets the password, not a host a redirect leads to.
        if (getRequestorType() == RequestorType.SERVER
            && host.equalsIgnoreCase(getRequestingHost())) {
          return new PasswordAuthentication(user, password.clone());
        }
        return null;
      }
    };
  }

  /** The URL with any {@code user:password@} replaced by {@code ***@}. */
  static String mask(String url) {
    return USER_INFO.matcher(url).replaceFirst("***@");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /**
   * Percent-encodes everything but RFC 3986's unreserved characters ('+' too: S3 reads a space).
   */
  private static String encode(String name) {
    StringBuilder out = new StringBuilder();
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)));
        out.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return out.toString();
  }

  private URI uri(String name) {
    return URI.create(base + encode(name));
  }

  /** The base URL (no credentials) every file name is resolved against; ends with '/'. */
  String base() {
    return base;
  }

  @Override
  public List<Version> releases() {
    synchronized (lock) {
      if (releases == null) {
        list();
      }
      return releases;
    }
  }

  /** Why some bundles of a directory listing are not offered (no checksum beside them). */
  public List<String> warnings() {
    synchronized (lock) {
      if (warnings == null) {
        list();
      }
      return warnings;
    }
  }

  private void list() {
    Set<Version> found = new TreeSet<>();
    List<String> notOffered = new ArrayList<>();
    Optional<String> index = fetchText(uri("INDEX"));
    if (index.isPresent()) {
      for (String line : index.get().split("\r?\n")) {
        String name = line.strip();
        if (!name.isEmpty() && !name.startsWith("#")) {
          bundle.version(name).ifPresent(found::add);
        }
      }
    } else {
      URI dir = URI.create(base);
      String page =
          fetchText(dir)
              .orElseThrow(
                  () ->
                      new ValidationException(
                          "release repository "
                              + location
                              + ": neither "
                              + base
                              + "INDEX nor the directory listing "
                              + base
                              + " exists (HTTP 404); run hoist version pack to write INDEX, or"
                              + " turn on the server's directory listing"));
      Set<String> names = hrefNames(page);
      for (String name : names) {
        Optional<Version> version = bundle.version(name);
        if (version.isEmpty()) {
          continue;
        }
        if (names.contains(name + ".sha256")) {
          found.add(version.get());
        } else {
          notOffered.add(
              name + " has no " + name + ".sha256 beside it in " + base + "; it is not offered");
        }
      }
    }
    releases = List.copyOf(found);
    warnings = List.copyOf(notOffered);
  }

  /** The last path segments of a page's links, decoded: what an autoindex page lists. */
  static Set<String> hrefNames(String page) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = HREF.matcher(page);
    while (m.find()) {
      String href = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      href = href.replace("&amp;", "&");
      int cut = indexOfAny(href, '?', '#');
      if (cut >= 0) {
        href = href.substring(0, cut);
      }
      if (href.isEmpty() || href.endsWith("/")) {
        continue;
      }
      String segment = href.substring(href.lastIndexOf('/') + 1);
      try {
        names.add(decode(segment));
      } catch (IllegalArgumentException e) {
        // A malformed %-escape is not one of our bundles.
      }
    }
    return names;
  }

  private static int indexOfAny(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    return i < 0 ? j : j < 0 ? i : Math.min(i, j);
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public String bundlePattern() {
    return bundle.text();
  }

  @Override
  public String bundleName(Version version) {
    return bundle.name(version);
  }

  @Override
  public String bundleLocation(Version version) {
    return uri(bundle.name(version)).toString();
  }

  @Override
  public String sha256(Version version) {
    String name = bundle.name(version) + ".sha256";
    URI uri = uri(name);
    String text =
        fetchText(uri)
            .orElseThrow(
                () ->
                    new ValidationException(
                        "release repository "
                            + location
                            + ": checksum "
                            + uri
                            + " does not exist (HTTP 404); release "
                            + version
                            + " is listed but cannot be verified, so it is not offered"));
    return ChecksumFile.parse(text, uri.toString());
  }

  @Override
  public void download(Version version, Path target, long offset, DownloadProgress progress) {
    URI uri = uri(bundle.name(version));
    HttpRequest.Builder request = request(uri);
    if (offset > 0) {
      request.header("Range", "bytes=" + offset + "-");
    }
    HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = send(request.build(), uri);
    int status = response.statusCode();
    long from;
    long total;
    if (status == 206 && offset > 0) {
      Matcher range =
          CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
      if (!range.matches() || range.group(1) == null || Long.parseLong(range.group(1)) != offset) {
        discard(response);
        throw new ValidationException(
            "release repository "
                + location
                + ": "
                + uri
                + " answered a range request from byte "
                + offset
                + " with Content-Range '"
                + response.headers().firstValue("Content-Range").orElse("")
                + "'");
      }
      from = offset;
      total = range.group(3).equals("*") ? -1 : Long.parseLong(range.group(3));
    } else if (status == 200) {
      // Also the answer of a server that ignores Range: start over.
      from = 0;
      total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    } else if (status == 416 && offset > 0) {
      discard(response);
      Matcher range =
          CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
      if (range.matches()
          && !range.group(3).equals("*")
          && Long.parseLong(range.group(3)) < offset) {
        // The partial file is longer than the bundle: it is not a prefix of it.
        truncate(target, uri);
        download(version, target, 0, progress);
      }
      // Otherwise nothing lies beyond offset: the file is complete (the checksum will tell).
      return;
    } else {
      discard(response);
      throw httpError(uri, response);
    }
    write(response.body(), uri, target, from, total, progress);
  }

  private void write(
      Flow.Publisher<List<ByteBuffer>> body,
      URI uri,
      Path target,
      long from,
      long total,
      DownloadProgress progress) {
    Body reader = new Body(body);
    long written = from;
    progress.start(total);
    try (FileChannel out =
        FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      out.truncate(from);
      out.position(from);
      progress.advance(from);
      List<ByteBuffer> buffers;
      while ((buffers = reader.next(uri)) != null) {
        for (ByteBuffer buffer : buffers) {
          int n = buffer.remaining();
          while (buffer.hasRemaining()) {
            out.write(buffer);
          }
          written += n;
          progress.advance(n);
        }
      }
      if (total >= 0 && written < total) {
        throw new ValidationException(
            "release repository "
                + location
                + ": the transfer of "
                + uri
                + " ended after "
                + written
                + " of "
                + total
                + " bytes; run again to resume");
      }
    } catch (ClosedByInterruptException e) {
      reader.cancel();
      Thread.currentThread().interrupt();
      throw new InterruptedRunException("interrupted while downloading " + uri);
    } catch (IOException e) {
      reader.cancel();
      throw new ValidationException(
          "release repository "
              + location
              + ": the transfer of "
              + uri
              + " failed after "
              + written
              + " bytes: "
              + describe(e)
              + "; run again to resume",
          e);
    } catch (RuntimeException e) {
      reader.cancel();
      throw e;
    } finally {
      progress.done();
    }
  }

  private static void truncate(Path target, URI uri) {
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE)) {
      out.truncate(0);
    } catch (IOException e) {
      throw new ValidationException(
          "cannot truncate " + target + " to restart the download of " + uri + ": " + describe(e),
          e);
    }
  }

  private HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(idle).header("User-Agent", "hoist").GET();
  }

  /** The body of a 200 answer as UTF-8, or empty for 404. */
  private Optional<String> fetchText(URI uri) {
    HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = send(request(uri).build(), uri);
    int status = response.statusCode();
    if (status == 404 || status == 410) {
      discard(response);
      return Optional.empty();
    }
    if (status != 200) {
      discard(response);
      throw httpError(uri, response);
    }
    Body reader = new Body(response.body());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      List<ByteBuffer> buffers;
      while ((buffers = reader.next(uri)) != null) {
        for (ByteBuffer buffer : buffers) {
          if (out.size() + buffer.remaining() > MAX_TEXT) {
            reader.cancel();
            throw new ValidationException(
                "release repository " + location + ": " + uri + " is larger than 8 MiB");
          }
          byte[] bytes = new byte[buffer.remaining()];
          buffer.get(bytes);
          out.write(bytes, 0, bytes.length);
        }
      }
    } catch (IOException e) {
      reader.cancel();
      throw new ValidationException(
          "release repository " + location + ": reading " + uri + " failed: " + describe(e), e);
    }
    return Optional.of(out.toString(StandardCharsets.UTF_8));
  }

  private HttpResponse<Flow.Publisher<List<ByteBuffer>>> send(HttpRequest request, URI uri) {
    try {
      return client.send(request, BodyHandlers.ofPublisher());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedRunException("interrupted while requesting " + uri);
    } catch (HttpConnectTimeoutException e) {
      throw unreachable(uri, "no connection within " + seconds(client.connectTimeout()), e);
    } catch (HttpTimeoutException e) {
      throw unreachable(uri, "no answer within " + seconds(Optional.of(idle)), e);
    } catch (IOException e) {
      throw unreachable(uri, describe(e), e);
    }
  }

  private static String seconds(Optional<Duration> d) {
    return d.map(x -> x.toMillis() % 1000 == 0 ? x.toSeconds() + "s" : x.toMillis() + "ms")
        .orElse("the limit");
  }

  private ValidationException unreachable(URI uri, String why, IOException e) {
    return new ValidationException(
        "release repository " + location + ": cannot get " + uri + ": " + why, e);
  }

  private ValidationException httpError(URI uri, HttpResponse<?> response) {
    int status = response.statusCode();
    Optional<String> target = response.headers().firstValue("Location");
    if (status >= 300 && status < 400 && target.isPresent()) {
      return new ValidationException(
          "release repository "
              + location
              + ": "
              + response.uri()
              + " answered HTTP "
              + status
              + ", a redirect to "
              + mask(target.get())
              + " that hoist does not follow ("
              + (response.uri().getScheme().equalsIgnoreCase("https")
                      && target.get().regionMatches(true, 0, "http:", 0, 5)
                  ? "from https to http: bundles and checksums are only fetched over the"
                      + " protocol the repository names"
                  : "too many redirects")
              + "); write the final https:// URL in release.repository");
    }
    return new ValidationException(
        "release repository "
            + location
            + ": "
            + uri
            + " answered HTTP "
            + status
            + meaning(status));
  }

  private static String meaning(int status) {
    return switch (status) {
      case 401 -> " (authentication required: put user:password@ in the URL)";
      case 403 -> " (forbidden)";
      case 404, 410 -> " (not found)";
      case 416 -> " (range not satisfiable)";
      default -> status >= 500 ? " (server error)" : "";
    };
  }

  /** What went wrong in words, from the innermost cause that says something. */
  private static String describe(Throwable e) {
    String tls = describeTls(e);
    if (tls != null) {
      return tls;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return "connection refused";
      }
      if (t instanceof UnknownHostException) {
        return "unknown host " + t.getMessage();
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return mask(t.getMessage());
      }
    }
    return e.getClass().getSimpleName();
  }

  /**
   * A failed TLS handshake in words, or {@code null} when {@code e} is not one. Certificates are
   * never accepted on the way: the message says what to fix.
   */
  static String describeTls(Throwable e) {
    // The whole chain first: an expired certificate also shows as a failed path validation.
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateExpiredException
          || t instanceof CertificateNotYetValidException) {
        return "the server's TLS certificate is not valid now ("
            + t.getMessage()
            + "); renew the certificate on the server";
      }
    }
    boolean handshake = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
        return "the server's TLS certificate is not trusted: it is not issued by a certificate"
            + " authority in Java's trust store ("
            + t.getMessage()
            + "). For an internal CA, add its certificate to a trust store and run hoist with"
            + " HOIST_JAVA_OPTS=-Djavax.net.ssl.trustStore=FILE (see docs/security.md)";
      }
      if (t instanceof CertificateException
          && t.getMessage() != null
          && t.getMessage().startsWith("No ")) {
        // HostnameChecker: "No subject alternative names matching IP address ... found" etc.
        return "the server's TLS certificate is not for this host ("
            + t.getMessage()
            + "); use the host name the certificate names in release.repository";
      }
      handshake |= t instanceof SSLHandshakeException || t instanceof SSLPeerUnverifiedException;
    }
    return handshake ? "the TLS handshake failed (" + e.getMessage() + ")" : null;
  }

  private static void discard(HttpResponse<Flow.Publisher<List<ByteBuffer>>> response) {
    // Subscribing and cancelling releases the connection without reading the body.
    response
        .body()
        .subscribe(
            new Flow.Subscriber<>() {
              @Override
              public void onSubscribe(Flow.Subscription subscription) {
                subscription.cancel();
              }

              @Override
              public void onNext(List<ByteBuffer> item) {}

              @Override
              public void onError(Throwable throwable) {}

              @Override
              public void onComplete() {}
            });
  }

  /**
   * A response body read one item at a time with an idle limit: {@link #next} waits at most {@code
   * idle} for the next bytes, then cancels the exchange. Flow control keeps at most one item in
   * flight, so a slow disk slows the server rather than filling memory.
   */
  private final class Body implements Flow.Subscriber<List<ByteBuffer>> {
    private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private final Object end = new Object();

    Body(Flow.Publisher<List<ByteBuffer>> publisher) {
      publisher.subscribe(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      items.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
      items.add(throwable);
    }

    @Override
    public void onComplete() {
      items.add(end);
    }

    /** The next buffers, or {@code null} at the end of the body. */
    @SuppressWarnings("unchecked")
    List<ByteBuffer> next(URI uri) throws IOException {
      Object item;
      try {
        item = items.poll(idle.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        cancel();
        Thread.currentThread().interrupt();
        throw new InterruptedRunException("interrupted while downloading " + uri);
      }
      if (item == null) {
        cancel();
        throw new IOException("no data for " + seconds(Optional.of(idle)));
      }
      if (item == end) {
        return null;
      }
      if (item instanceof Throwable t) {
        throw t instanceof IOException io ? io : new IOException(t);
      }
      subscription.request(1);
      return (List<ByteBuffer>) item;
    }

    void cancel() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }
}
