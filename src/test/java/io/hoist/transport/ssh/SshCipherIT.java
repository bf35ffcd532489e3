package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hoist.command.ShellCommand;
import io.hoist.testing.SshServerFixture;
import io.hoist.testing.TestHome;
import io.hoist.testing.TestKeys;
import io.hoist.transport.OutputSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cipher a node ends up with, as the node (an embedded Apache MINA SSHD) negotiated it: AES-GCM
 * first under the full JIT; chacha20-poly1305 first when the launcher says hoist runs under C1
 * alone ({@code -Dhoist.jit=c1}), where Bouncy Castle's ChaCha20-Poly1305 runs 3.5 times as fast as
 * the JDK's AES-GCM; AES-GCM still with a node that does not offer chacha20-poly1305. A file goes
 * up and comes back intact through each.
 */
class SshCipherIT {

  private static final String GCM = "aes128-gcm@openssh.com";
  private static final String CHACHA = "chacha20-poly1305@openssh.com";

  @TempDir Path temp;
  private TestHome home;
  private Path key;
  private SshServerFixture server;
  private String jitBefore;

  @BeforeEach
  void createHome() {
    home = TestHome.create(temp);
    key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    jitBefore = System.getProperty(SshTransport.JIT_PROPERTY);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
    if (jitBefore == null) {
      System.clearProperty(SshTransport.JIT_PROPERTY);
    } else {
      System.setProperty(SshTransport.JIT_PROPERTY, jitBefore);
    }
  }

  private void start(String... ciphers) {
    SshServerFixture.Builder builder =
        SshServerFixture.builder(temp.resolve("node"), temp.resolve("host_key"))
            .authorize(TestKeys.publicKeyOf(key));
    if (ciphers.length > 0) {
      builder.ciphers(ciphers);
    }
    server = builder.start();
    home.trust(server);
  }

  /** Runs a command, uploads 3 MiB of random bytes and downloads them again: all must match. */
  private void roundTrip() throws Exception {
    byte[] data = new byte[3 << 20];
    new Random(7).nextBytes(data);
    Path local = temp.resolve("up.bin");
    Files.write(local, data);
    try (SshTransport transport =
        new SshTransport(
            TestHome.node("n1", "127.0.0.1", home.settings(server.port(), List.of(key)), temp),
            home.context())) {
      assertEquals(
          "ok",
          transport
              .exec(ShellCommand.of("echo ok"), Duration.ofSeconds(30), OutputSink.NONE)
              .stdoutTail());
      String remote = server.nodeDir().resolve("up.bin").toString();
      String sha256 = transport.upload(local, remote);
      assertEquals(
          HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data)),
          sha256);
      assertArrayEquals(data, Files.readAllBytes(Path.of(remote)));
      Path back = temp.resolve("down.bin");
      transport.download(remote, back);
      assertArrayEquals(data, Files.readAllBytes(back));
    }
  }

  /**
   * What a node negotiates, by the {@code hoist.jit} property (empty: not set) and the node's own
   * cipher list (empty: MINA SSHD's defaults, chacha20-poly1305 and AES-GCM among them).
   */
  @ParameterizedTest(name = "hoist.jit={0}, node offers [{1}]: {2}")
  @CsvSource({
    "'', '', " + GCM,
    "c1, '', " + CHACHA,
    "c1, aes256-ctr " + GCM + ", " + GCM,
    "C2, '', " + GCM
  })
  void theCipherFollowsTheJit(String jit, String nodeCiphers, String expected) throws Exception {
    if (jit.isEmpty()) {
      System.clearProperty(SshTransport.JIT_PROPERTY);
    } else {
      System.setProperty(SshTransport.JIT_PROPERTY, jit);
    }
    start(nodeCiphers.isEmpty() ? new String[0] : nodeCiphers.split(" "));
    roundTrip();
    assertEquals(List.of(expected + " " + expected), server.negotiatedCiphers());
  }
}
