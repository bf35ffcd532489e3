package io.hoist.transport.ssh;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import io.hoist.error.TransportException;
import io.hoist.error.TransportException.Kind;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSch instances of one command, shared by its SSH transports: one per list of identity files,
 * so each key file is read and parsed once per command, not once per node. A fan-out to 200 nodes
 * that share one key parses it once. The host key repository and the ssh-agent's keys stay per
 * session (they are set on the session, not here).
 *
 * <p>Thread-safe: transports open their sessions from many threads at once.
 */
public final class SshClients {

  static {
    // A login's signature is made by the key pair, which reads JSch's global configuration, not
    // the session's: Ed25519 by Bouncy Castle there too (see SshTransport#open).
    JSch.setConfig("ssh-ed25519", SshTransport.BC_ED25519);
  }

  private final Map<List<Path>, JSch> byIdentities = new HashMap<>();

  /**
   * The JSch instance holding {@code identities}, read on the first call for that list.
   *
   * @param node the node asking, named in the error
   * @throws TransportException when a key file cannot be read or parsed (not remembered: the next
   *     call reads it again)
   */
  JSch forIdentities(List<Path> identities, String node) {
    List<Path> key = List.copyOf(identities);
    synchronized (byIdentities) {
      JSch existing = byIdentities.get(key);
      if (existing != null) {
        return existing;
      }
      JSch jsch = new JSch();
      jsch.setInstanceLogger(new JschLogger());
      try {
        for (Path identity : key) {
          jsch.addIdentity(identity.toString());
        }
      } catch (JSchException e) {
        throw new TransportException(
            Kind.IO,
            node,
            "Cannot load the identities " + key + " for node " + node + ": " + e.getMessage(),
            e);
      }
      byIdentities.put(key, jsch);
      return jsch;
    }
  }
}
