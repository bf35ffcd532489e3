package io.hoist.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hoist retire NODE...}: not in this build yet. */
@Command(
    name = "retire",
    mixinStandardHelpOptions = true,
    header = "Drain nodes (not available in this build yet).",
    description = {
      "Runs the retire command of each node's roles (e.g. evacuate applications from a DEA) and"
          + " waits until the node reports it is drained.",
      "",
      "Not available in this build: it exits 2 and changes nothing."
    },
    footerHeading = "%nExamples:%n",
    footer = {"  hoist retire dea-1 dea-2"})
final class RetireCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NODE", arity = "1..*", description = "Nodes to drain, by name.")
  List<String> nodes;

  @Override
  public Integer call() {
    throw NotAvailable.command("retire");
  }
}
