package io.hoist.model;

/** What to do with a host key that is not yet in known_hosts. A changed key is always refused. */
public enum HostKeyPolicy {
  /** Refuse unknown hosts (OpenSSH {@code StrictHostKeyChecking=yes}). */
  STRICT,
  /** Add unknown hosts to known_hosts (OpenSSH {@code StrictHostKeyChecking=accept-new}). */
  ACCEPT_NEW
}
