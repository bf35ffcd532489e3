package io.hoist.plan;

import io.hoist.command.ShellCommand;
import io.hoist.model.PhaseId;
import java.util.List;
import java.util.Objects;

/**
 * One phase of a node's upgrade.
 *
 * @param phase which phase
 * @param summary what it does, in words (e.g. "archive /etc/acme, /var/lib/acme to the core node's
 *     backup store")
 * @param commands the exact commands it runs on the node, in order (values substituted, quoted,
 *     secrets masked in their display form)
 */
public record Step(PhaseId phase, String summary, List<ShellCommand> commands) {

  public Step {
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(summary, "summary");
    commands = List.copyOf(commands);
  }
}
