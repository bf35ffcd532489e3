package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import io.hoist.model.HostKeyPolicy;
import io.hoist.model.SshSettings;
import io.hoist.testing.SshServerFixture;
import io.hoist.testing.TestHome;
import io.hoist.testing.TestKeys;
import io.hoist.transport.OutputSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * connect_timeout bounds the TCP connection and the server's SSH banner; a server that answered
 * gets the longer handshake timeout for the rest, so a busy node is waited for, a silent one is
 * not. Both through real sockets on 127.0.0.1: a listener that accepts and never speaks, and a
 * relay in front of an embedded SSH server that holds the server's bytes after its banner.
 */
class SshHandshakeIT {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

  @TempDir Path temp;
  private TestHome home;
  private Path key;
  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

  @BeforeEach
  void createHome() {
    home = TestHome.create(temp);
    key = TestKeys.ed25519(home.sshDir(), "id_ed25519");
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private SshTransport transport(int port) {
    SshSettings settings =
        new SshSettings(
            TestHome.USER,
            port,
            List.of(key.toString()),
            "~/.ssh/known_hosts",
            HostKeyPolicy.ACCEPT_NEW,
            null,
            CONNECT_TIMEOUT,
            Duration.ofSeconds(15),
            List.of());
    return new SshTransport(
        TestHome.node("n1", "127.0.0.1", settings, temp.resolve("node")),
        home.context(Map.of(), HostKeyPolicy.ACCEPT_NEW));
  }

  @Test
  void aServerThatAcceptsButNeverSpeaksFailsWithinTheConnectTimeout() throws Exception {
    ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    closing.add(silent);
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    Thread acceptor =
        new Thread(
            () -> {
              try {
                accepted.add(silent.accept());
              } catch (IOException e) {
                // closed by the test
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
    long start = System.nanoTime();
    try (SshTransport transport = transport(silent.getLocalPort())) {
      TransportException e = assertThrows(TransportException.class, transport::connect);
      assertEquals(TransportException.Kind.UNREACHABLE, e.kind());
      assertTrue(e.getMessage().contains("no answer within 1s"), e.getMessage());
    } finally {
      for (Socket s : accepted) {
        s.close();
      }
    }
    long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
    assertTrue(seconds < SshTransport.HANDSHAKE_TIMEOUT.toSeconds(), seconds + " s");
  }

  @Test
  void aServerSlowAfterItsBannerIsWaitedForBeyondTheConnectTimeout() throws Exception {
    SshServerFixture server =
        SshServerFixture.builder(temp.resolve("node"), temp.resolve("host_key"))
            .authorize(TestKeys.publicKeyOf(key))
            .start();
    closing.add(server::stop);
    Relay relay = new Relay(server.port(), Duration.ofMillis(2500));
    closing.add(relay);
    try (SshTransport transport = transport(relay.port())) {
      assertEquals(
          "ok",
          transport
              .exec(ShellCommand.of("echo ok"), Duration.ofSeconds(30), OutputSink.NONE)
              .stdoutTail());
    }
    assertTrue(relay.held, "the relay held the server's bytes after the banner");
  }

  /**
   * Relays one connection to the server on {@code port}; the server's bytes after its banner line
   * are held back for {@code pause} once (a node slow to compute its key exchange).
   */
  private static final class Relay implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    volatile boolean held;

    Relay(int port, Duration pause) throws IOException {
      listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
      Thread thread =
          new Thread(
              () -> {
                try {
                  Socket client = listener.accept();
                  Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port);
                  sockets.add(client);
                  sockets.add(upstream);
                  pump(client.getInputStream(), upstream.getOutputStream(), null);
                  pump(upstream.getInputStream(), client.getOutputStream(), pause);
                } catch (IOException e) {
                  // closed by the test
                }
              });
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    private void pump(InputStream in, OutputStream out, Duration pauseAfterBanner) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  boolean bannerSent = pauseAfterBanner == null;
                  int b;
                  while ((b = in.read()) >= 0) {
                    out.write(b);
                    if (!bannerSent && b == '\n') {
                      out.flush();
                      bannerSent = true;
                      held = true;
                      Thread.sleep(pauseAfterBanner.toMillis());
                    }
                    if (in.available() == 0) {
                      out.flush();
                    }
                  }
                } catch (IOException e) {
                  // the other side closed
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
