package io.hoist.cli;

import io.hoist.error.UsageException;

/**
 * The error of a command this build of hoist does not carry yet: a usage error, never a pretence.
 */
final class NotAvailable {

  private NotAvailable() {}

  static UsageException command(String name) {
    return new UsageException(
        "'hoist "
            + name
            + "' is not available in this build of hoist yet; see 'hoist --help' for what is."
            + " Nothing was changed.");
  }
}
