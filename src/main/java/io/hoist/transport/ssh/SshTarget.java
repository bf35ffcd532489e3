package io.hoist.transport.ssh;

import com.jcraft.jsch.ConfigRepository;
import com.jcraft.jsch.OpenSSHConfig;
import io.hoist.error.TransportException;
import io.hoist.model.KeyExchange;
import io.hoist.model.Node;
import io.hoist.model.SshSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where and as whom to log in, and with which key exchange: the node's SSH settings first, then its
 * {@code Host} entry in the OpenSSH client config, then OpenSSH's defaults (hoist's {@link
 * KeyExchange#DEFAULT} for the key exchange).
 *
 * @param host the host name or address to connect to
 * @param port the port
 * @param user the login user
 * @param identities private key files to offer, in order (only existing ones)
 * @param kex key exchange algorithms to offer, in order of preference
 * @param kexSource where {@code kex} comes from, for messages ({@code ssh.kex in the cluster file},
 *     ...)
 */
record SshTarget(
    String host, int port, String user, List<Path> identities, List<String> kex, String kexSource) {

  private static final List<String> DEFAULT_IDENTITIES =
      List.of("~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa");

  /** {@code user@host:port}, for messages. */
  String display() {
    return user + "@" + host + ":" + port;
  }

  static SshTarget resolve(Node node, SshContext context) {
    SshSettings ssh = node.ssh();
    ConfigRepository.Config config = config(node, context);
    String alias = node.host();
    String host = config != null && config.getHostname() != null ? config.getHostname() : alias;
    int port;
    if (ssh.port() != null) {
      port = ssh.port();
    } else if (config != null && config.getPort() > 0) {
      port = config.getPort();
    } else {
      port = 22;
    }
    String user = ssh.user();
    if (user == null && config != null) {
      user = config.getUser();
    }
    if (user == null) {
      user = context.env().getOrDefault("USER", System.getProperty("user.name"));
    }
    List<Path> identities = new ArrayList<>();
    if (!ssh.identities().isEmpty()) {
      for (String identity : ssh.identities()) {
        Path path = context.expand(identity);
        if (!Files.isReadable(path)) {
          throw new TransportException(
              TransportException.Kind.IO,
              node.name(),
              "The identity file "
                  + path
                  + " of node "
                  + node.name()
                  + " does not exist or cannot be read; fix ssh.identity in the cluster file.");
        }
        identities.add(path);
      }
    } else {
      String[] fromConfig = config == null ? null : config.getValues("IdentityFile");
      List<String> candidates =
          fromConfig != null && fromConfig.length > 0 ? List.of(fromConfig) : DEFAULT_IDENTITIES;
      for (String identity : candidates) {
        Path path = context.expand(identity);
        if (Files.isReadable(path)) {
          identities.add(path);
        }
      }
    }
    List<String> kex = KeyExchange.DEFAULT;
    String kexSource = "hoist's default";
    String[] kexFromConfig = config == null ? null : config.getValues("KexAlgorithms");
    if (!ssh.kex().isEmpty()) {
      kex = ssh.kex();
      kexSource = "ssh.kex in the cluster file";
    } else if (kexFromConfig != null && kexFromConfig.length > 0) {
      // The first value found wins, as in ssh: the most specific Host entry comes first.
      Path file = context.expand(ssh.config());
      try {
        kex = KexAlgorithms.fromSshConfig(kexFromConfig[0]);
      } catch (IllegalArgumentException e) {
        throw new TransportException(
            TransportException.Kind.IO,
            node.name(),
            "The SSH config "
                + file
                + " sets KexAlgorithms "
                + kexFromConfig[0]
                + " for "
                + alias
                + ": "
                + e.getMessage()
                + ". Fix it there, or set ssh.kex in the cluster file, which takes precedence.",
            e);
      }
      kexSource = "KexAlgorithms in " + file;
    }
    return new SshTarget(host, port, user, List.copyOf(identities), kex, kexSource);
  }

  private static ConfigRepository.Config config(Node node, SshContext context) {
    String file = node.ssh().config();
    if (file == null || node.host() == null) {
      return null;
    }
    Path path = context.expand(file);
    if (!Files.isRegularFile(path)) {
      return null;
    }
    try {
      return OpenSSHConfig.parse(Files.readString(path, StandardCharsets.UTF_8))
          .getConfig(node.host());
    } catch (IOException e) {
      throw new TransportException(
          TransportException.Kind.IO,
          node.name(),
          "Cannot read the SSH config " + path + " for node " + node.name() + ": " + e,
          e);
    }
  }
}
