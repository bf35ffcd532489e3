package com.jcraft.jsch;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Starts an exec channel as {@link Channel#connect(int)} does, with one difference: the exec
 * request's reply is awaited in steps of 20 microseconds doubling up to 1 ms, where JSch sleeps 10
 * ms at a time. OpenSSH answers an exec request once it has started the command, about a
 * millisecond after it was sent on a loopback or LAN link, so JSch's first sleep alone made every
 * remote command of hoist take about 6 ms longer (12.5 vs 8.5 ms for a short command, measured on
 * 127.0.0.1); a node's upgrade runs a dozen of them one after the other.
 *
 * <p>The reply is still asked for and awaited: a node that refuses the exec (it cannot start a
 * process) is reported at once as a failure to start, and nothing has run then. Without a reply
 * asked (JSch's {@code connect(0)}), such a channel would wait silently until the command's
 * timeout.
 *
 * <p>This class lives in JSch's package because the pieces it uses (the channel's open, its request
 * reply state, the session's packet writer) are package-private there. It uses only what {@code
 * Channel.connect}, {@code ChannelExec.start} and {@code RequestExec} do in JSch 2.28; a JSch
 * update that changes them fails to compile here or fails {@code ExecStartIT}.
 */
public final class ExecStart {

  private static final long FIRST_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
  private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private ExecStart() {}

  /**
   * Opens {@code channel} on its session and starts its command ({@link ChannelExec#setCommand}).
   *
   * @param timeoutMillis how long the open and the exec request may take each, more than 0
   * @param endInput the command's standard input ends at once (an EOF is sent), as for a command
   *     that reads nothing; else it stays open until the channel closes (no input stream may be set
   *     on the channel either way)
   * @throws JSchException the node refused the channel or the command (nothing ran), or the session
   *     broke; the channel is disconnected then
   */
  public static void connect(ChannelExec channel, int timeoutMillis, boolean endInput)
      throws JSchException {
    if (timeoutMillis <= 0) {
      throw new IllegalArgumentException("timeoutMillis must be positive: " + timeoutMillis);
    }
    if (channel.io.in != null) {
      throw new IllegalArgumentException("the channel has an input stream; ExecStart sends none");
    }
    channel.connectTimeout = timeoutMillis;
    try {
      channel.sendChannelOpen();
      channel.sendRequests();
      request(channel, channel.command, timeoutMillis);
      if (endInput) {
        channel.eof();
      }
    } catch (Exception e) {
      channel.connected = false;
      channel.disconnect();
      if (e instanceof JSchException) {
        throw (JSchException) e;
      }
      throw new JSchException(e.toString(), e);
    }
  }

  /** RequestExec with a reply asked for, and the reply awaited by short parks. */
  private static void request(ChannelExec channel, byte[] command, int timeoutMillis)
      throws Exception {
    Session session = channel.getSession();
    Buffer buf = new Buffer();
    Packet packet = new Packet(buf);
    packet.reset();
    buf.putByte((byte) Session.SSH_MSG_CHANNEL_REQUEST);
    buf.putInt(channel.getRecipient());
    buf.putString(Util.str2byte("exec"));
    buf.putByte((byte) 1);
    buf.checkFreeSize(4 + command.length);
    buf.putString(command);
    channel.reply = -1;
    session.write(packet);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    long pause = FIRST_POLL_NANOS;
    while (channel.isConnected() && channel.reply == -1) {
      if (System.nanoTime() - deadline > 0) {
        channel.reply = 0;
        throw new JSchException("channel request: timeout");
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(2 * pause, MAX_POLL_NANOS);
    }
    if (channel.reply != 1) {
      throw new JSchException("failed to send channel request");
    }
  }
}
