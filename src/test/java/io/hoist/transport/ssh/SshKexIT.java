package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KEM;
import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import io.hoist.model.HostKeyPolicy;
import io.hoist.model.KeyExchange;
import io.hoist.model.SshSettings;
import io.hoist.testing.SshServerFixture;
import io.hoist.testing.TestHome;
import io.hoist.testing.TestKeys;
import io.hoist.transport.OutputSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The key exchange hoist offers and what a node ends up with, as the node (an embedded Apache MINA
 * SSHD) negotiated it: the post-quantum hybrids first by default, {@code ssh.kex} over the ssh
 * config's {@code KexAlgorithms} over the default, and a clear error when nothing is in common.
 */
class SshKexIT {

  /** OpenSSH 9.2's default server list (Debian 12's adds the name without @openssh.com first). */
  private static final String[] OPENSSH_9_2 = {
    "sntrup761x25519-sha512@openssh.com",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256"
  };

  static final List<String> SUPPORTED = KeyExchange.SUPPORTED;

  @TempDir Path temp;
  private TestHome home;
  private Path key;
  private final List<SshServerFixture> servers = new CopyOnWriteArrayList<>();

  @BeforeEach
  void createHome() {
    home = TestHome.create(temp);
    key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
  }

  @AfterEach
  void stopServers() {
    servers.forEach(SshServerFixture::stop);
  }

  private SshServerFixture start(String... kex) {
    SshServerFixture.Builder builder =
        SshServerFixture.builder(temp.resolve("node"), temp.resolve("host_key"))
            .authorize(TestKeys.publicKeyOf(key));
    if (kex.length > 0) {
      builder.kex(kex);
    }
    SshServerFixture server = builder.start();
    servers.add(server);
    home.trust(server);
    return server;
  }

  /** Connects with {@code kex} in the cluster file (empty: none), runs a command, disconnects. */
  private void login(SshServerFixture server, List<String> kex) {
    try (SshTransport transport =
        new SshTransport(
            TestHome.node("n1", "127.0.0.1", home.settings(server.port(), List.of(key), kex), temp),
            home.context())) {
      assertEquals(
          "ok",
          transport
              .exec(ShellCommand.of("echo ok"), Duration.ofSeconds(30), OutputSink.NONE)
              .stdoutTail());
    }
  }

  private void sshConfig(String... lines) throws IOException {
    Files.writeString(home.sshConfig(), String.join("\n", lines) + "\n");
  }

  @Test
  void mlkemHybridIsNegotiatedWhenTheNodeOffersIt() {
    SshServerFixture server = start();
    login(server, List.of());
    assertEquals(List.of("mlkem768x25519-sha256"), server.negotiatedKex());
  }

  @Test
  void sntrupHybridIsNegotiatedWithANodeLikeOpenSsh92() {
    SshServerFixture server = start(OPENSSH_9_2);
    login(server, List.of());
    assertEquals(List.of("sntrup761x25519-sha512@openssh.com"), server.negotiatedKex());
  }

  /**
   * Connections to one node in a row share hoist's sntrup761 key pair (SharedSntrup761), and each
   * decapsulates what the server (Apache MINA SSHD, Bouncy Castle's encapsulation) sent with
   * hoist's own {@link Sntrup761}: a wrong secret would fail the handshake's signature check.
   */
  @Test
  void sntrupHybridConnectionsDecapsulateWithHoistsOwnCode() {
    SshServerFixture server = start(OPENSSH_9_2);
    for (int i = 0; i < 3; i++) {
      login(server, List.of("sntrup761x25519-sha512@openssh.com"));
    }
    assertEquals(
        Collections.nCopies(3, "sntrup761x25519-sha512@openssh.com"), server.negotiatedKex());
  }

  @Test
  void curve25519IsNegotiatedWithANodeWithoutPostQuantum() {
    SshServerFixture server = start("ecdh-sha2-nistp256", "curve25519-sha256");
    login(server, List.of());
    assertEquals(List.of("curve25519-sha256"), server.negotiatedKex());
  }

  @Test
  void kexInTheClusterFileRestrictsTheOffer() {
    SshServerFixture server = start();
    login(server, List.of("curve25519-sha256"));
    assertEquals(List.of("curve25519-sha256"), server.negotiatedKex());
  }

  @Test
  void kexIsOfferedInTheClusterFilesOrder() {
    SshServerFixture server = start();
    login(server, List.of("ecdh-sha2-nistp384", "sntrup761x25519-sha512", "curve25519-sha256"));
    assertEquals(List.of("ecdh-sha2-nistp384"), server.negotiatedKex());
  }

  /** Every name hoist accepts logs in, as far as the test server has the algorithm. */
  @ParameterizedTest(name = "{0}")
  @FieldSource("SUPPORTED")
  void everySupportedAlgorithmLogsIn(String name) {
    BuiltinDHFactories factory = BuiltinDHFactories.fromFactoryName(name);
    assumeTrue(factory != null && factory.isSupported(), "the test server lacks " + name);
    SshServerFixture server = start(name);
    login(server, List.of(name));
    assertEquals(List.of(name), server.negotiatedKex());
  }

  @Test
  void nothingInCommonIsAClearErrorNamingBothSides() {
    SshServerFixture server = start("curve25519-sha256", "ecdh-sha2-nistp521");
    TransportException e =
        assertThrows(
            TransportException.class,
            () -> login(server, List.of("sntrup761x25519-sha512@openssh.com")));
    assertEquals(TransportException.Kind.NEGOTIATION, e.kind());
    assertEquals(
        "Node n1 (hoist@127.0.0.1:"
            + server.port()
            + ") and hoist have no key exchange algorithm in common: hoist offered"
            + " sntrup761x25519-sha512@openssh.com (ssh.kex in the cluster file), the node offers"
            + " curve25519-sha256, ecdh-sha2-nistp521. Put one of the node's in ssh.kex in the"
            + " cluster file, or enable one of hoist's on the node (KexAlgorithms in its"
            + " sshd_config).",
        e.getMessage());
  }

  /**
   * The handshake is bounded by connect_timeout, not by the keepalive interval (JSch's session
   * timeout doubles as both): a post-quantum key generation can take seconds on a busy client.
   */
  @Test
  void slowKeyGenerationIsBoundedByTheConnectTimeoutNotTheKeepalive() {
    SshServerFixture server = start();
    SshSettings settings =
        new SshSettings(
            TestHome.USER,
            server.port(),
            List.of(key.toString()),
            "~/.ssh/known_hosts",
            HostKeyPolicy.STRICT,
            null,
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            List.of("mlkem768x25519-sha256"));
    // JSch makes the KEM from its global config, by class name.
    String kem = JSch.getConfig("mlkem768");
    JSch.setConfig("mlkem768", SlowKem.class.getName());
    try (SshTransport transport =
        new SshTransport(TestHome.node("n1", "127.0.0.1", settings, temp), home.context())) {
      assertEquals(
          "ok",
          transport
              .exec(ShellCommand.of("echo ok"), Duration.ofSeconds(30), OutputSink.NONE)
              .stdoutTail());
    } finally {
      JSch.setConfig("mlkem768", kem);
    }
    assertEquals(List.of("mlkem768x25519-sha256"), server.negotiatedKex());
  }

  /** ML-KEM-768 whose key generation takes {@link #DELAY} longer, like a busy client's. */
  public static final class SlowKem implements KEM {
    static final Duration DELAY = Duration.ofMillis(2500);
    private final KEM kem = new com.jcraft.jsch.bc.MLKEM768();

    @Override
    public void init() throws Exception {
      Thread.sleep(DELAY.toMillis());
      kem.init();
    }

    @Override
    public byte[] getPublicKey() throws Exception {
      return kem.getPublicKey();
    }

    @Override
    public byte[] decapsulate(byte[] encapsulation) throws Exception {
      return kem.decapsulate(encapsulation);
    }
  }

  @Test
  void sshConfigKexAlgorithmsIsHonoured() throws IOException {
    SshServerFixture server = start();
    sshConfig("Host 127.0.0.1", "  KexAlgorithms ecdh-sha2-nistp256,curve25519-sha256");
    login(server, List.of());
    assertEquals(List.of("ecdh-sha2-nistp256"), server.negotiatedKex());
  }

  @Test
  void sshConfigMinusFormRemovesFromHoistsDefault() throws IOException {
    SshServerFixture server = start();
    sshConfig("Host *", "  KexAlgorithms -mlkem*,sntrup761x25519-sha512*");
    login(server, List.of());
    assertEquals(List.of("curve25519-sha256"), server.negotiatedKex());
  }

  @Test
  void clusterFileWinsOverSshConfig() throws IOException {
    SshServerFixture server = start();
    sshConfig("Host 127.0.0.1", "  KexAlgorithms ecdh-sha2-nistp256");
    login(server, List.of("ecdh-sha2-nistp384"));
    assertEquals(List.of("ecdh-sha2-nistp384"), server.negotiatedKex());
  }

  @Test
  void nothingInCommonNamesTheSshConfigAsTheSource() throws IOException {
    SshServerFixture server = start("curve25519-sha256");
    sshConfig("Host 127.0.0.1", "  KexAlgorithms ecdh-sha2-nistp256");
    TransportException e = assertThrows(TransportException.class, () -> login(server, List.of()));
    assertTrue(
        e.getMessage()
            .contains(
                "hoist offered ecdh-sha2-nistp256 (KexAlgorithms in " + home.sshConfig() + ")"),
        e.getMessage());
    assertFalse(e.getMessage().contains("kex-strict"), e.getMessage());
  }

  @Test
  void unknownNameInTheSshConfigIsAClearError() throws IOException {
    SshServerFixture server = start();
    sshConfig("Host 127.0.0.1", "  KexAlgorithms curve25519-sha265");
    TransportException e = assertThrows(TransportException.class, () -> login(server, List.of()));
    assertEquals(
        "The SSH config "
            + home.sshConfig()
            + " sets KexAlgorithms curve25519-sha265 for 127.0.0.1: hoist does not know the key"
            + " exchange algorithm 'curve25519-sha265'. Fix it there, or set ssh.kex in the"
            + " cluster file, which takes precedence.",
        e.getMessage());
    assertEquals(0, server.sessionsOpened());
  }
}
