package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import io.hoist.model.HostKeyPolicy;
import io.hoist.model.SshSettings;
import io.hoist.testing.SshServerFixture;
import io.hoist.testing.TestHome;
import io.hoist.testing.TestKeys;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logging in (keys, password, ssh config), reaching the host, and the life of the one session. */
class SshAuthIT {

  private static final Duration LONG = Duration.ofSeconds(30);

  @TempDir Path temp;
  private TestHome home;
  private final List<SshServerFixture> servers = new CopyOnWriteArrayList<>();

  @BeforeEach
  void createHome() {
    home = TestHome.create(temp);
  }

  @AfterEach
  void stopServers() {
    servers.forEach(SshServerFixture::stop);
  }

  private SshServerFixture start(SshServerFixture.Builder builder) {
    SshServerFixture server = builder.start();
    servers.add(server);
    home.trust(server);
    return server;
  }

  private SshServerFixture.Builder server() {
    return SshServerFixture.builder(temp.resolve("node"), temp.resolve("host_key"));
  }

  private SshTransport transport(SshServerFixture server, List<Path> identities) {
    return transport(home.settings(server.port(), identities), Map.of());
  }

  private SshTransport transport(SshSettings settings, Map<String, String> env) {
    return new SshTransport(
        TestHome.node("dea-1", "127.0.0.1", settings, temp.resolve("node")),
        home.context(env, null));
  }

  private static ExecResult run(SshTransport transport, String script) {
    return transport.exec(ShellCommand.of(script), LONG, OutputSink.NONE);
  }

  @Test
  void ed25519KeyLogsIn() {
    Path key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    SshServerFixture server = start(server().authorize(TestKeys.publicKeyOf(key)));
    try (SshTransport transport = transport(server, List.of(key))) {
      assertEquals("hello", run(transport, "echo hello").stdoutTail());
    }
    assertEquals(List.of(TestHome.USER), server.users());
  }

  @Test
  void rsaKeyLogsInToAServerThatRefusesSha1Signatures() {
    Path key = TestKeys.rsa(home.sshDir(), "id_rsa");
    SshServerFixture server =
        start(
            server()
                .hostKeyType(SshServerFixture.KeyType.RSA)
                .authorize(TestKeys.publicKeyOf(key)));
    try (SshTransport transport = transport(server, List.of(key))) {
      assertTrue(run(transport, "true").isSuccess());
    }
  }

  @Test
  void defaultIdentityFilesAreTriedWhenNoneIsConfigured() {
    Path key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    SshServerFixture server = start(server().authorize(TestKeys.publicKeyOf(key)));
    try (SshTransport transport = transport(server, List.of())) {
      assertTrue(run(transport, "true").isSuccess());
    }
  }

  @Test
  void unknownKeyIsRefusedAsAuthentication() {
    Path authorized = TestKeys.ed25519(temp.resolve("other"), "id_ed25519");
    Path key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    SshServerFixture server = start(server().authorize(TestKeys.publicKeyOf(authorized)));
    try (SshTransport transport = transport(server, List.of(key))) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.AUTHENTICATION, e.kind());
      assertTrue(e.getMessage().contains("dea-1"), e.getMessage());
      assertTrue(
          e.getMessage().contains(TestHome.USER + "@127.0.0.1:" + server.port()), e.getMessage());
    }
  }

  @Test
  void passwordComesFromTheEnvironmentAndIsNeverShown() {
    SshServerFixture server = start(server().password("s3cret-pw"));
    SshSettings settings = home.settings(server.port(), List.of());
    try (SshTransport transport =
        transport(settings, Map.of(SshContext.PASSWORD_VARIABLE, "s3cret-pw"))) {
      assertTrue(run(transport, "true").isSuccess());
    }
    try (SshTransport transport =
        transport(settings, Map.of(SshContext.PASSWORD_VARIABLE, "wrong-pw"))) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.AUTHENTICATION, e.kind());
      assertFalse(e.getMessage().contains("wrong-pw"), e.getMessage());
    }
  }

  @Test
  void passwordIsNotTriedWithoutTheVariable() {
    SshServerFixture server = start(server().password("s3cret-pw"));
    try (SshTransport transport = transport(server, List.of())) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.AUTHENTICATION, e.kind());
    }
  }

  @Test
  void unusableAgentFallsBackToKeyFiles() {
    Path key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    SshServerFixture server = start(server().authorize(TestKeys.publicKeyOf(key)));
    SshSettings settings = home.settings(server.port(), List.of(key));
    try (SshTransport transport =
        transport(settings, Map.of("SSH_AUTH_SOCK", temp.resolve("no-agent.sock").toString()))) {
      assertTrue(run(transport, "true").isSuccess());
    }
  }

  @Test
  void transportsOfOneCommandReadTheKeyFileOnce() throws Exception {
    Path key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    SshServerFixture server = start(server().authorize(TestKeys.publicKeyOf(key)));
    SshSettings settings = home.settings(server.port(), List.of(key));
    SshClients shared = new SshClients();
    try (SshTransport first = shared(settings, "dea-1", shared)) {
      assertTrue(run(first, "true").isSuccess());
    }
    // The file now holds a key the server does not know. The second transport logs in with the
    // key the first one parsed; a transport with its own clients reads the new key and is refused.
    Path other = TestKeys.ed25519(temp.resolve("other"), "id_other");
    Files.copy(other, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (SshTransport second = shared(settings, "dea-2", shared)) {
      assertEquals("dea-2", run(second, "echo dea-2").stdoutTail());
    }
    try (SshTransport unshared = shared(settings, "dea-3", new SshClients())) {
      TransportException e = assertThrows(TransportException.class, unshared::connect);
      assertEquals(TransportException.Kind.AUTHENTICATION, e.kind(), e.getMessage());
    }
  }

  @Test
  void agentKeysLogInOnEverySessionOfASharedClient() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh-agent")), "no ssh-agent here");
    Path key = TestKeys.ed25519(temp.resolve("agent-keys"), "agent_key");
    Path file = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    SshServerFixture server = start(server().authorize(TestKeys.publicKeyOf(key)));
    Path socket = temp.resolve("agent.sock");
    Process agent =
        new ProcessBuilder("/usr/bin/ssh-agent", "-D", "-a", socket.toString())
            .redirectErrorStream(true)
            .redirectOutput(temp.resolve("agent.log").toFile())
            .start();
    try {
      for (int i = 0; i < 100 && !Files.exists(socket); i++) {
        Thread.sleep(50);
      }
      ProcessBuilder add =
          new ProcessBuilder("/usr/bin/ssh-add", key.toString())
              .redirectErrorStream(true)
              .redirectOutput(temp.resolve("add.log").toFile());
      add.environment().put("SSH_AUTH_SOCK", socket.toString());
      Process added = add.start();
      assertTrue(added.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(0, added.exitValue(), Files.readString(temp.resolve("add.log")));
      // The key files alone are refused; the agent's key is what logs in, on each session.
      SshSettings settings = home.settings(server.port(), List.of(file));
      SshClients shared = new SshClients();
      Map<String, String> env = Map.of("SSH_AUTH_SOCK", socket.toString());
      for (String name : List.of("dea-1", "dea-2")) {
        try (SshTransport transport =
            new SshTransport(
                TestHome.node(name, "127.0.0.1", settings, temp.resolve("node")),
                home.context(env, null),
                shared)) {
          assertEquals(name, run(transport, "echo " + name).stdoutTail());
        }
      }
      try (SshTransport withoutAgent = shared(settings, "dea-3", shared)) {
        TransportException e = assertThrows(TransportException.class, withoutAgent::connect);
        assertEquals(TransportException.Kind.AUTHENTICATION, e.kind());
      }
    } finally {
      agent.destroy();
      agent.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private SshTransport shared(SshSettings settings, String name, SshClients clients) {
    return new SshTransport(
        TestHome.node(name, "127.0.0.1", settings, temp.resolve("node")),
        home.context(Map.of(), null),
        clients);
  }

  @Test
  void sshConfigHostEntryGivesHostNamePortUserAndIdentity() throws Exception {
    Path key = TestKeys.ed25519(home.sshDir(), "alias_key");
    SshServerFixture server = start(server().authorize(TestKeys.publicKeyOf(key)));
    Files.writeString(
        home.sshConfig(),
        String.join(
            "\n",
            "Host other",
            "  User nobody",
            "Host node-alias",
            "  HostName 127.0.0.1",
            "  Port " + server.port(),
            "  User deploy",
            "  IdentityFile ~/.ssh/alias_key",
            ""),
        StandardCharsets.UTF_8);
    SshSettings settings =
        new SshSettings(
            null,
            null,
            List.of(),
            "~/.ssh/known_hosts",
            HostKeyPolicy.STRICT,
            "~/.ssh/config",
            Duration.ofSeconds(5),
            Duration.ofSeconds(15),
            List.of());
    try (SshTransport transport =
        new SshTransport(
            TestHome.node("dea-1", "node-alias", settings, temp.resolve("node")), home.context())) {
      assertTrue(run(transport, "true").isSuccess());
    }
    assertEquals(List.of("deploy"), server.users());
  }

  @Test
  void closedPortIsUnreachable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    try (SshTransport transport = transport(home.settings(port, List.of(key)), Map.of())) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.UNREACHABLE, e.kind());
      assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
      assertTrue(e.getMessage().contains("dea-1"), e.getMessage());
    }
  }

  @Test
  void oneSessionServesEveryCommandAndTransfer() throws Exception {
    Path key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    SshServerFixture server = start(server().authorize(TestKeys.publicKeyOf(key)));
    Path local = Files.writeString(temp.resolve("file"), "content");
    try (SshTransport transport = transport(server, List.of(key))) {
      for (int i = 0; i < 20; i++) {
        assertEquals(Integer.toString(i), run(transport, "echo " + i).stdoutTail());
      }
      transport.upload(local, server.nodeDir().resolve("file").toString());
      transport.download(server.nodeDir().resolve("file").toString(), temp.resolve("back"));
    }
    assertEquals(1, server.sessionsOpened());
  }

  @Test
  void sessionDroppedDuringACommandIsReportedAsDroppedAndTheNextCallReconnects() {
    Path key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
    SshServerFixture server = start(server().authorize(TestKeys.publicKeyOf(key)));
    List<CompletableFuture<Void>> drops = new CopyOnWriteArrayList<>();
    OutputSink dropOnStart =
        (stream, line) -> {
          if (line.equals("started")) {
            drops.add(CompletableFuture.runAsync(server::dropAllSessions));
          }
        };
    try (SshTransport transport = transport(server, List.of(key))) {
      TransportException e =
          assertThrows(
              TransportException.class,
              () -> transport.exec(ShellCommand.of("echo started; sleep 60"), LONG, dropOnStart));
      assertEquals(TransportException.Kind.DROPPED, e.kind());
      assertTrue(e.getMessage().contains("echo started; sleep 60"), e.getMessage());
      drops.forEach(CompletableFuture::join);

      assertTrue(run(transport, "true").isSuccess());
    }
    assertEquals(2, server.sessionsOpened());
  }
}
