package io.hoist.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hoist status [RUN]}: not in this build yet. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    header = "Show the last run from the journal (not available in this build yet).",
    description = {
      "Shows the last (or given) run: which node is on which version, the phase each was in,"
          + " what failed and why, and what a resume would do next.",
      "",
      "Not available in this build: it exits 2."
    },
    footerHeading = "%nExamples:%n",
    footer = {"  hoist status", "  hoist --output json status"})
final class StatusCommand implements Callable<Integer> {

  @Parameters(paramLabel = "RUN", arity = "0..1", description = "A run id. Default: the last run.")
  String run;

  @Override
  public Integer call() {
    throw NotAvailable.command("status");
  }
}
