package io.hoist.testing;

import java.util.regex.Pattern;

/**
 * A fault an {@link SshServerFixture} injects at a chosen moment: on the {@code occurrence}-th
 * request (1-based) whose text matches {@code pattern} ({@link java.util.regex.Matcher#find()}),
 * the server performs {@code action} instead of (or after) serving it. The text of an exec request
 * is the command line as the client sent it (hoist wraps its scripts in {@code timeout ... bash -c
 * '...'}); the text of an SFTP write is {@code sftp write PATH}. The fault is real SSH behaviour as
 * the client sees it, not a stand-in inside hoist.
 *
 * <pre>{@code
 * server.inject(Fault.on("ctl start", 1, Fault.Action.DROP));
 * }</pre>
 */
public record Fault(Pattern pattern, int occurrence, Action action) {

  /** What the server does. */
  public enum Action {
    /**
     * The command is not run: once the server has accepted the exec request, the TCP connection is
     * closed abruptly (no exit status, no SSH disconnect), as a dropped network link would.
     */
    DROP,
    /**
     * The command runs to its end on the node, then the connection is closed abruptly before its
     * exit status is sent: the effect happened, the client cannot know.
     */
    DROP_AFTER,
    /** The command never returns: no output, no exit status, until the client gives up. */
    STALL,
    /**
     * The command runs to its end, then the node goes away: every connection is closed abruptly
     * (the exit status is not sent) and new connections are refused (the port stops listening).
     */
    REFUSE_AFTER,
    /**
     * The write fails as on a full disk: a command is not run and exits 1 with {@code No space left
     * on device} on stderr; an SFTP write gets a failure status with that message.
     */
    DISK_FULL
  }

  public Fault {
    if (occurrence < 1) {
      throw new IllegalArgumentException("occurrence is 1-based: " + occurrence);
    }
  }

  /** The {@code occurrence}-th request matching {@code regex} gets {@code action}. */
  public static Fault on(String regex, int occurrence, Action action) {
    return new Fault(Pattern.compile(regex), occurrence, action);
  }

  /** Whether a request's text matches. */
  boolean matches(String request) {
    return pattern.matcher(request).find();
  }

  @Override
  public String toString() {
    return action + " on #" + occurrence + " of /" + pattern + "/";
  }
}
