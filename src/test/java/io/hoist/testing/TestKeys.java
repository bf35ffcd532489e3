package io.hoist.testing;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Client key pairs for tests, written in OpenSSH format without ssh-keygen. */
public final class TestKeys {

  private TestKeys() {}

  /** A new ed25519 key pair: {@code dir/name} (private) and {@code dir/name.pub}. */
  public static Path ed25519(Path dir, String name) {
    return generate(dir, name, KeyPair.ED25519, 0);
  }

  /** A new 3072-bit RSA key pair: {@code dir/name} (private) and {@code dir/name.pub}. */
  public static Path rsa(Path dir, String name) {
    return generate(dir, name, KeyPair.RSA, 3072);
  }

  /** The public key file that goes with {@code privateKey}. */
  public static Path publicKeyOf(Path privateKey) {
    return privateKey.resolveSibling(privateKey.getFileName() + ".pub");
  }

  private static Path generate(Path dir, String name, int type, int size) {
    try {
      Files.createDirectories(dir);
      JSch jsch = new JSch();
      KeyPair pair =
          size == 0 ? KeyPair.genKeyPair(jsch, type) : KeyPair.genKeyPair(jsch, type, size);
      Path privateKey = dir.resolve(name);
      pair.writeOpenSSHv1PrivateKey(privateKey.toString());
      Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
      pair.writePublicKey(publicKeyOf(privateKey).toString(), name + "@hoist-test");
      pair.dispose();
      return privateKey;
    } catch (JSchException e) {
      throw new IllegalStateException("cannot generate a test key", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
