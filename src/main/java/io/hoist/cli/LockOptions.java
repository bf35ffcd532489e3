package io.hoist.cli;

import picocli.CommandLine.Option;

/** Options of commands that take the cluster's run lock. */
final class LockOptions {

  @Option(
      names = "--break-lock",
      description =
          "Take over a stale run lock: one whose owner is gone (crashed, killed, rebooted). Look"
              + " at 'hoist status' first: that run may have left nodes mid-upgrade. A lock held"
              + " by a live run is never broken.")
  boolean breakLock;
}
