package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.jcraft.jsch.JSch;
import org.junit.jupiter.api.Test;

/** The login's Ed25519 signature is Bouncy Castle's, as the host key's check is. */
class SshClientsCryptoTest {

  @Test
  void ed25519SignaturesAreBouncyCastles() {
    new SshClients();
    assertEquals(SshTransport.BC_ED25519, JSch.getConfig("ssh-ed25519"));
  }
}
