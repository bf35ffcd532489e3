package io.hoist.transport.ssh;

import com.jcraft.jsch.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Opens the TCP connection of one SSH session and waits for the server's first byte, both within
 * {@code ssh.connect_timeout}: a host that does not answer, or answers the TCP connection but sends
 * no SSH banner (a hung sshd, a firewall that accepts and drops), fails in that time, as OpenSSH's
 * {@code ConnectTimeout} does. The rest of the handshake (key exchange, host key, authentication)
 * is given the longer handshake timeout the session sets after this: a server that answered but is
 * slow to compute, because it or the core node is busy (hundreds of connections at once,
 * post-quantum key exchanges), is waited for, not dropped.
 *
 * <p>One instance per session; JSch calls it from the thread that connects.
 */
final class BannerSocketFactory implements SocketFactory {

  private final int connectTimeoutMillis;
  private volatile boolean answered;
  private PushbackInputStream in;

  BannerSocketFactory(int connectTimeoutMillis) {
    this.connectTimeoutMillis = connectTimeoutMillis;
  }

  /** Whether the server sent its first byte: a later timeout is a stalled handshake. */
  boolean answered() {
    return answered;
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(connectTimeoutMillis);
      in = new PushbackInputStream(socket.getInputStream(), 1);
      int first = in.read();
      if (first < 0) {
        throw new IOException("the server closed the connection before its SSH banner");
      }
      in.unread(first);
      answered = true;
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  @Override
  public InputStream getInputStream(Socket socket) {
    return in;
  }

  @Override
  public OutputStream getOutputStream(Socket socket) throws IOException {
    return socket.getOutputStream();
  }
}
