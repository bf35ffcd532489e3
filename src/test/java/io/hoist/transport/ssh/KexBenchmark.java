package io.hoist.transport.ssh;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import io.hoist.model.Commands;
import io.hoist.model.HostKeyPolicy;
import io.hoist.model.KeyExchange;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.SshSettings;
import io.hoist.model.TransportKind;
import io.hoist.testing.SuppressForbidden;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The client cost of one SSH connection (TCP, key exchange, host key check, public key login,
 * disconnect) by key exchange, in one warmed-up JVM: bench/README.md, "Key exchange".
 *
 * <p>{@code KexBenchmark HOST PORT USER KEY KNOWN_HOSTS [SESSIONS [WARMUP [BLOCKS]]]} (defaults
 * 200, 50, 10). Four ways to connect, measured in interleaved blocks of SESSIONS/BLOCKS connections
 * each after WARMUP connections of each: {@code hoist-default} and {@code hoist-curve25519} through
 * {@link SshTransport} (its default offer, and {@code ssh.kex: [curve25519-sha256]}); {@code
 * jsch-default-checks} and {@code jsch-hoist-checks} through JSch alone with hoist's default offer,
 * JSch's own {@code CheckKexes} and hoist's, to show what trying out the post-quantum algorithms
 * before each connection costs. Prints, per way, the median over blocks of the process CPU time,
 * the connecting thread's CPU time and the wall time per connection, and the algorithm the first
 * connection negotiated.
 */
public final class KexBenchmark {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private KexBenchmark() {}

  /** One way of connecting. */
  private interface Way {
    void connectOnce() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      throw new IllegalArgumentException(
          "usage: KexBenchmark HOST PORT USER KEY KNOWN_HOSTS [SESSIONS [WARMUP [BLOCKS]]]");
    }
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    String user = args[2];
    Path key = Path.of(args[3]).toAbsolutePath();
    Path knownHosts = Path.of(args[4]).toAbsolutePath();
    int sessions = args.length > 5 ? Integer.parseInt(args[5]) : 200;
    int warmup = args.length > 6 ? Integer.parseInt(args[6]) : 50;
    int blocks = args.length > 7 ? Integer.parseInt(args[7]) : 10;

    Map<String, Way> ways = new LinkedHashMap<>();
    ways.put("hoist-default", () -> viaTransport(host, port, user, key, knownHosts, List.of()));
    ways.put(
        "hoist-curve25519",
        () -> viaTransport(host, port, user, key, knownHosts, List.of("curve25519-sha256")));
    ways.put("jsch-default-checks", () -> viaJsch(host, port, user, key, knownHosts, null));
    ways.put(
        "jsch-hoist-checks",
        () ->
            viaJsch(
                host,
                port,
                user,
                key,
                knownHosts,
                "curve25519-sha256,curve25519-sha256@libssh.org,curve448-sha512"));

    Map<String, String> negotiated = new LinkedHashMap<>();
    negotiated.put("hoist-default", negotiated(host, port, user, key, knownHosts, null));
    negotiated.put(
        "hoist-curve25519",
        negotiated(host, port, user, key, knownHosts, List.of("curve25519-sha256")));
    for (Map.Entry<String, Way> way : ways.entrySet()) {
      for (int i = 0; i < warmup; i++) {
        way.getValue().connectOnce();
      }
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, List<double[]>> results = new LinkedHashMap<>();
    int perBlock = Math.max(1, sessions / blocks);
    for (int block = 0; block < blocks; block++) {
      List<String> order = new ArrayList<>(ways.keySet());
      // Each block in another order, so that no way always follows the same one.
      Collections.rotate(order, block);
      for (String name : order) {
        long cpu0 = processCpuNanos();
        long thread0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < perBlock; i++) {
          ways.get(name).connectOnce();
        }
        double n = perBlock;
        results
            .computeIfAbsent(name, k -> new ArrayList<>())
            .add(
                new double[] {
                  (processCpuNanos() - cpu0) / n / 1e6,
                  (threads.getCurrentThreadCpuTime() - thread0) / n / 1e6,
                  (System.nanoTime() - wall0) / n / 1e6
                });
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d connections per way (%d blocks of %d, interleaved), after %d warm-up connections of"
            + " each%n",
        perBlock * blocks,
        blocks,
        perBlock,
        warmup);
    System.out.printf(
        Locale.ROOT,
        "%-20s %-36s %14s %14s %10s%n",
        "way",
        "negotiated",
        "process CPU ms",
        "thread CPU ms",
        "wall ms");
    for (Map.Entry<String, List<double[]>> result : results.entrySet()) {
      System.out.printf(
          Locale.ROOT,
          "%-20s %-36s %14.2f %14.2f %10.2f%n",
          result.getKey(),
          negotiated.getOrDefault(result.getKey(), "(as hoist-default)"),
          median(result.getValue(), 0),
          median(result.getValue(), 1),
          median(result.getValue(), 2));
    }
    System.out.println("(medians over blocks of the per-connection mean)");
  }

  private static double median(List<double[]> rows, int column) {
    List<Double> values = new ArrayList<>();
    rows.forEach(row -> values.add(row[column]));
    Collections.sort(values);
    int n = values.size();
    return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
  }

  @SuppressForbidden(reason = "the JVM's own CPU time, all threads included, is what is measured")
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void viaTransport(
      String host, int port, String user, Path key, Path knownHosts, List<String> kex) {
    SshSettings settings =
        new SshSettings(
            user,
            port,
            List.of(key.toString()),
            knownHosts.toString(),
            HostKeyPolicy.STRICT,
            null,
            TIMEOUT,
            Duration.ZERO,
            kex);
    Node node =
        new Node(
            "bench",
            TransportKind.SSH,
            host,
            List.of(),
            settings,
            new Layout("/tmp", 0),
            Commands.none());
    try (SshTransport transport =
        new SshTransport(node, new SshContext(knownHosts.getParent(), Map.of(), null))) {
      transport.connect();
    }
  }

  /**
   * Connects with JSch alone, offering hoist's default; {@code checks} is JSch's {@code CheckKexes}
   * ({@code null}: JSch's own).
   */
  private static void viaJsch(
      String host, int port, String user, Path key, Path knownHosts, String checks)
      throws JSchException {
    JSch jsch = new JSch();
    jsch.setKnownHosts(knownHosts.toString());
    jsch.addIdentity(key.toString());
    Session session = jsch.getSession(user, host, port);
    session.setConfig("StrictHostKeyChecking", "yes");
    session.setConfig("PreferredAuthentications", "publickey");
    session.setConfig("kex", String.join(",", KeyExchange.DEFAULT));
    if (checks != null) {
      session.setConfig("CheckKexes", checks);
    }
    session.connect(Math.toIntExact(TIMEOUT.toMillis()));
    session.disconnect();
  }

  /** The algorithm JSch negotiates with the offer of hoist's transport for {@code kex}. */
  private static String negotiated(
      String host, int port, String user, Path key, Path knownHosts, List<String> kex)
      throws JSchException {
    List<String> log = new ArrayList<>();
    JSch jsch = new JSch();
    jsch.setInstanceLogger(
        new com.jcraft.jsch.Logger() {
          @Override
          public boolean isEnabled(int level) {
            return true;
          }

          @Override
          public void log(int level, String message) {
            log.add(message);
          }
        });
    jsch.setKnownHosts(knownHosts.toString());
    jsch.addIdentity(key.toString());
    Session session = jsch.getSession(user, host, port);
    session.setConfig("StrictHostKeyChecking", "yes");
    session.setConfig("PreferredAuthentications", "publickey");
    session.setConfig(
        "kex", String.join(",", kex == null || kex.isEmpty() ? KeyExchange.DEFAULT : kex));
    session.connect(Math.toIntExact(TIMEOUT.toMillis()));
    session.disconnect();
    return log.stream()
        .filter(line -> line.startsWith("kex: algorithm: "))
        .map(line -> line.substring("kex: algorithm: ".length()))
        .findFirst()
        .orElse("?");
  }
}
