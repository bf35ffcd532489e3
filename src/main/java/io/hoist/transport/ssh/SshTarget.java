package io.hoist.transport.ssh;

import com.jcraft.jsch.ConfigRepository;
import com.jcraft.jsch.OpenSSHConfig;
import io.hoist.error.TransportException;
import io.hoist.model.Node;
import io.hoist.model.SshSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where and as whom to log in: the node's SSH settings first, then its {@code Host} entry in the
 * OpenSSH client config, then OpenSSH's defaults.
 *
 * @param host the host name or address to connect to
 * @param port the port
 * @param user the login user
 * @param identities private key files to offer, in order (only existing ones)
 */
record SshTarget(String host, int port, String user, List<Path> identities) {

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
    return new SshTarget(host, port, user, List.copyOf(identities));
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
