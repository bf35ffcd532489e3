package io.hoist.cli;

import picocli.CommandLine.Option;

/** Options of commands that contact nodes. */
final class NodeAccessOptions {

  @Option(
      names = "--accept-new-host-keys",
      description =
          "Add the host key of a node not yet in known_hosts and go on (OpenSSH's"
              + " StrictHostKeyChecking=accept-new). A changed host key is always refused.")
  boolean acceptNewHostKeys;
}
