package io.hoist.error;

/**
 * Talking to a node failed: it cannot be reached, refused us, presented an unknown or changed host
 * key, or dropped the connection. The message names the node and the host.
 */
public final class TransportException extends HoistException {

  private static final long serialVersionUID = 1L;

  /** What went wrong, so callers can tell a refusal from a drop without parsing messages. */
  public enum Kind {
    /** Could not connect (DNS, refused, timed out). */
    UNREACHABLE,
    /** Connected, but no offered credential was accepted. */
    AUTHENTICATION,
    /** Connected, but the node and hoist have no algorithm in common (key exchange, cipher...). */
    NEGOTIATION,
    /** The host key is not in known_hosts, and accepting new keys was not asked for. */
    HOST_KEY_UNKNOWN,
    /** The host key differs from the one in known_hosts: possible man-in-the-middle. */
    HOST_KEY_CHANGED,
    /** The connection broke during a command or a transfer. */
    DROPPED,
    /** A file transfer failed or its checksum did not match. */
    TRANSFER,
    /** A local I/O problem (reading a key, starting a process). */
    IO
  }

  private final Kind kind;
  private final String node;

  public TransportException(Kind kind, String node, String message) {
    super(message);
    this.kind = kind;
    this.node = node;
  }

  public TransportException(Kind kind, String node, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.node = node;
  }

  public Kind kind() {
    return kind;
  }

  /** The node's name in the cluster file. */
  public String node() {
    return node;
  }
}
