package io.hoist.model;

import java.util.List;

/**
 * The SSH key exchange algorithms hoist knows by name ({@code ssh.kex} in the cluster file, {@code
 * KexAlgorithms} in the ssh config), and the preference it offers when nothing restricts it.
 */
public final class KeyExchange {

  /**
   * Offered when neither the cluster file nor the ssh config says otherwise: OpenSSH's default
   * since 9.9. The hybrid post-quantum algorithms come first, so a node that has one of them uses
   * it (OpenSSH 9.0 to 9.8: sntrup761x25519; 9.9 and later: mlkem768x25519); a node without them
   * gets curve25519.
   */
  public static final List<String> DEFAULT =
      List.of(
          "mlkem768x25519-sha256",
          "sntrup761x25519-sha512",
          "sntrup761x25519-sha512@openssh.com",
          "curve25519-sha256",
          "curve25519-sha256@libssh.org",
          "ecdh-sha2-nistp256",
          "ecdh-sha2-nistp384",
          "ecdh-sha2-nistp521",
          "diffie-hellman-group-exchange-sha256",
          "diffie-hellman-group16-sha512",
          "diffie-hellman-group18-sha512",
          "diffie-hellman-group14-sha256");

  /**
   * Every name hoist's SSH client can use, the {@link #DEFAULT} ones first. The others are opt-in
   * for nodes that have nothing better: the SHA-1 ones are weak, the {@code @ssh.com} ones are
   * Tectia's.
   */
  public static final List<String> SUPPORTED =
      List.of(
          "mlkem768x25519-sha256",
          "sntrup761x25519-sha512",
          "sntrup761x25519-sha512@openssh.com",
          "curve25519-sha256",
          "curve25519-sha256@libssh.org",
          "ecdh-sha2-nistp256",
          "ecdh-sha2-nistp384",
          "ecdh-sha2-nistp521",
          "diffie-hellman-group-exchange-sha256",
          "diffie-hellman-group16-sha512",
          "diffie-hellman-group18-sha512",
          "diffie-hellman-group14-sha256",
          "mlkem768nistp256-sha256",
          "mlkem1024nistp384-sha384",
          "curve448-sha512",
          "diffie-hellman-group15-sha512",
          "diffie-hellman-group17-sha512",
          "diffie-hellman-group14-sha1",
          "diffie-hellman-group-exchange-sha1",
          "diffie-hellman-group1-sha1",
          "diffie-hellman-group-exchange-sha224@ssh.com",
          "diffie-hellman-group-exchange-sha384@ssh.com",
          "diffie-hellman-group-exchange-sha512@ssh.com",
          "diffie-hellman-group14-sha224@ssh.com",
          "diffie-hellman-group14-sha256@ssh.com",
          "diffie-hellman-group15-sha256@ssh.com",
          "diffie-hellman-group15-sha384@ssh.com",
          "diffie-hellman-group16-sha384@ssh.com",
          "diffie-hellman-group16-sha512@ssh.com",
          "diffie-hellman-group18-sha512@ssh.com");

  private KeyExchange() {}

  /** Whether hoist knows the algorithm {@code name} (exact spelling, case included). */
  public static boolean isSupported(String name) {
    return SUPPORTED.contains(name);
  }
}
