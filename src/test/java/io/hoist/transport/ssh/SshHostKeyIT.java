package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import io.hoist.model.HostKeyPolicy;
import io.hoist.model.Node;
import io.hoist.model.SshSettings;
import io.hoist.testing.SshServerFixture;
import io.hoist.testing.TestHome;
import io.hoist.testing.TestKeys;
import io.hoist.transport.OutputSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Host key checking against known_hosts: strict, accept-new, changed keys, hashed entries. */
class SshHostKeyIT {

  @TempDir Path temp;
  private TestHome home;
  private Path key;
  private SshServerFixture server;

  @BeforeEach
  void start() {
    home = TestHome.create(temp);
    key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    server = startServer(temp.resolve("host_key"), SshServerFixture.KeyType.ED25519, 0);
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private SshServerFixture startServer(Path hostKey, SshServerFixture.KeyType type, int port) {
    return SshServerFixture.builder(temp.resolve("node"), hostKey)
        .hostKeyType(type)
        .port(port)
        .authorize(TestKeys.publicKeyOf(key))
        .start();
  }

  private SshTransport transport(HostKeyPolicy override) {
    return transport(home.settings(server.port(), List.of(key)), override);
  }

  private SshTransport transport(SshSettings settings, HostKeyPolicy override) {
    Node node = TestHome.node("dea-1", "127.0.0.1", settings, server.nodeDir());
    return new SshTransport(node, home.context(Map.of(), override));
  }

  private void assertWorks(SshTransport transport) {
    assertTrue(
        transport
            .exec(ShellCommand.of("true"), Duration.ofSeconds(30), OutputSink.NONE)
            .isSuccess());
  }

  @Test
  void unknownHostIsRefusedUnderStrictWithItsFingerprint() {
    try (SshTransport transport = transport(null)) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.HOST_KEY_UNKNOWN, e.kind());
      String message = e.getMessage();
      for (String expected :
          List.of(
              "dea-1",
              "[127.0.0.1]:" + server.port(),
              "ssh-ed25519",
              server.hostKeyFingerprint(),
              "ssh-keyscan",
              "--accept-new-host-keys")) {
        assertTrue(message.contains(expected), () -> "no " + expected + " in: " + message);
      }
    }
    assertFalse(Files.exists(home.knownHosts()));
  }

  @Test
  void unknownHostIsAddedUnderAcceptNewAndThenPassesStrict() throws Exception {
    SshSettings settings =
        new SshSettings(
            TestHome.USER,
            server.port(),
            List.of(key.toString()),
            "~/new/dir/known_hosts",
            HostKeyPolicy.ACCEPT_NEW,
            null,
            Duration.ofSeconds(5),
            Duration.ofSeconds(15),
            List.of());
    try (SshTransport transport = transport(settings, null)) {
      assertWorks(transport);
    }
    Path knownHosts = home.dir().resolve("new/dir/known_hosts");
    assertEquals(
        List.of(server.knownHostsLine()), Files.readAllLines(knownHosts, StandardCharsets.UTF_8));
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(knownHosts)));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(knownHosts.getParent())));

    try (SshTransport transport = transport(settings.withHostKeys(HostKeyPolicy.STRICT), null)) {
      assertWorks(transport);
    }
    assertEquals(1, Files.readAllLines(knownHosts).size());
  }

  @ParameterizedTest
  @EnumSource(HostKeyPolicy.class)
  void changedHostKeyIsRefusedEvenWithAcceptNew(HostKeyPolicy policy) throws Exception {
    home.trust(server);
    String oldFingerprint = server.hostKeyFingerprint();
    server = restartWithNewKey(SshServerFixture.KeyType.ED25519);
    assertNotEquals(oldFingerprint, server.hostKeyFingerprint());
    String before = Files.readString(home.knownHosts());

    try (SshTransport transport = transport(policy)) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.HOST_KEY_CHANGED, e.kind());
      String message = e.getMessage();
      for (String expected :
          List.of(
              "dea-1",
              "[127.0.0.1]:" + server.port(),
              oldFingerprint,
              server.hostKeyFingerprint(),
              home.knownHosts() + " (line 1)")) {
        assertTrue(message.contains(expected), () -> "no " + expected + " in: " + message);
      }
    }
    assertEquals(before, Files.readString(home.knownHosts()));
  }

  @Test
  void changedHostKeyIsRefusedWithHostKeysAcceptNewInTheClusterFile() throws Exception {
    home.trust(server);
    server = restartWithNewKey(SshServerFixture.KeyType.ED25519);
    String before = Files.readString(home.knownHosts());
    SshSettings acceptNew =
        home.settings(server.port(), List.of(key)).withHostKeys(HostKeyPolicy.ACCEPT_NEW);

    try (SshTransport transport = transport(acceptNew, null)) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.HOST_KEY_CHANGED, e.kind());
      assertTrue(e.getMessage().contains(server.hostKeyFingerprint()), e.getMessage());
    }
    assertEquals(before, Files.readString(home.knownHosts()));
  }

  @Test
  void hostKeyOfAnotherTypeCountsAsChanged() throws Exception {
    home.trust(server);
    server = restartWithNewKey(SshServerFixture.KeyType.RSA);
    try (SshTransport transport = transport(HostKeyPolicy.ACCEPT_NEW)) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.HOST_KEY_CHANGED, e.kind());
      assertTrue(e.getMessage().contains(server.hostKeyFingerprint()), e.getMessage());
    }
  }

  @Test
  void hashedKnownHostsEntriesAreRecognised() throws Exception {
    String[] plain = server.knownHostsLine().split(" ", 2);
    byte[] salt = new byte[20];
    new java.util.Random(7).nextBytes(salt);
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(salt, "HmacSHA1"));
    byte[] hash = mac.doFinal(plain[0].getBytes(StandardCharsets.UTF_8));
    Base64.Encoder base64 = Base64.getEncoder();
    home.appendKnownHost(
        "|1|" + base64.encodeToString(salt) + "|" + base64.encodeToString(hash) + " " + plain[1]);

    try (SshTransport transport = transport(null)) {
      assertWorks(transport);
    }

    String oldFingerprint = server.hostKeyFingerprint();
    server = restartWithNewKey(SshServerFixture.KeyType.ED25519);
    try (SshTransport transport = transport(HostKeyPolicy.ACCEPT_NEW)) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.HOST_KEY_CHANGED, e.kind());
      assertTrue(e.getMessage().contains(oldFingerprint), e.getMessage());
      assertTrue(e.getMessage().contains("(line 1)"), e.getMessage());
    }
  }

  /** {@code type base64} of a freshly generated key that no server presents. */
  private String otherKey() throws Exception {
    Path other = TestKeys.ed25519(temp.resolve("other-keys"), "other");
    String[] fields = Files.readString(TestKeys.publicKeyOf(other)).strip().split(" ");
    return fields[0] + " " + fields[1];
  }

  private String serverKey() {
    return server.knownHostsLine().split(" ", 2)[1];
  }

  @Test
  void aKeyKnownOnlyForPort22IsNotTrustedOnAnotherPort() {
    home.appendKnownHost("127.0.0.1 " + serverKey());
    try (SshTransport transport = transport(null)) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.HOST_KEY_UNKNOWN, e.kind());
    }
  }

  @Test
  void anotherKeyForPort22DoesNotMakeAnotherPortChanged() throws Exception {
    String port22 = "127.0.0.1 " + otherKey();
    home.appendKnownHost(port22);
    try (SshTransport transport = transport(HostKeyPolicy.ACCEPT_NEW)) {
      assertWorks(transport);
    }
    assertEquals(List.of(port22, server.knownHostsLine()), Files.readAllLines(home.knownHosts()));
  }

  @ParameterizedTest
  @EnumSource(HostKeyPolicy.class)
  void aPatternEntryWithAnotherKeyMeansChanged(HostKeyPolicy policy) throws Exception {
    home.appendKnownHost("# trusted range").appendKnownHost("[127.0.0.?]:* " + otherKey());
    String before = Files.readString(home.knownHosts());
    try (SshTransport transport = transport(policy)) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.HOST_KEY_CHANGED, e.kind());
      assertTrue(e.getMessage().contains("(line 2)"), e.getMessage());
    }
    assertEquals(before, Files.readString(home.knownHosts()));
  }

  @Test
  void aPatternEntryWithTheKeyIsTrusted() {
    home.appendKnownHost("other.example,[127.0.0.*]:" + server.port() + " " + serverKey());
    try (SshTransport transport = transport(null)) {
      assertWorks(transport);
    }
  }

  @ParameterizedTest
  @EnumSource(HostKeyPolicy.class)
  void aRevokedKeyIsRefusedEvenWhenAlsoListed(HostKeyPolicy policy) {
    home.trust(server).appendKnownHost("@revoked * " + serverKey());
    try (SshTransport transport = transport(policy)) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.HOST_KEY_CHANGED, e.kind());
      assertTrue(e.getMessage().contains("@revoked"), e.getMessage());
      assertTrue(e.getMessage().contains("(line 2)"), e.getMessage());
    }
  }

  @Test
  void parallelFirstContactsUnderAcceptNewAllSucceedAndEachAddsOneLine() throws Exception {
    int count = 16;
    List<SshServerFixture> servers = new java.util.ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(count);
    try {
      for (int i = 0; i < count; i++) {
        servers.add(
            SshServerFixture.builder(temp.resolve("node-" + i), temp.resolve("host_key-" + i))
                .authorize(TestKeys.publicKeyOf(key))
                .start());
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> connects = new java.util.ArrayList<>();
      for (SshServerFixture each : servers) {
        SshSettings settings =
            new SshSettings(
                TestHome.USER,
                each.port(),
                List.of(key.toString()),
                "~/fresh/known_hosts",
                HostKeyPolicy.ACCEPT_NEW,
                null,
                Duration.ofSeconds(15),
                Duration.ofSeconds(15),
                List.of());
        Node node = TestHome.node("n" + each.port(), "127.0.0.1", settings, each.nodeDir());
        connects.add(
            pool.submit(
                () -> {
                  go.await();
                  try (SshTransport transport = new SshTransport(node, home.context())) {
                    transport.connect();
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> connect : connects) {
        connect.get(60, TimeUnit.SECONDS);
      }
      List<String> lines = Files.readAllLines(home.dir().resolve("fresh/known_hosts"));
      assertEquals(
          servers.stream().map(SshServerFixture::knownHostsLine).sorted().toList(),
          lines.stream().sorted().toList());
    } finally {
      pool.shutdownNow();
      servers.forEach(SshServerFixture::stop);
    }
  }

  private SshServerFixture restartWithNewKey(SshServerFixture.KeyType type) {
    int port = server.port();
    server.stop();
    return startServer(temp.resolve("other_host_key_" + type), type, port);
  }
}
