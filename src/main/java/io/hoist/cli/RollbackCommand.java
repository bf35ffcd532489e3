package io.hoist.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hoist rollback NODE... | --cluster}: not in this build yet. */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    header =
        "Take nodes back to the release before the last run (not available in this build yet).",
    description = {
      "Takes nodes back to the version they ran before the last run (or --to), in the reverse of"
          + " the upgrade order, restoring backups where the upgrade migrated state.",
      "",
      "Not available in this build: it exits 2 and changes nothing."
    },
    footerHeading = "%nExamples:%n",
    footer = {"  hoist rollback dea-1", "  hoist rollback --cluster --to 3.5.4"})
final class RollbackCommand implements Callable<Integer> {

  @ArgGroup(multiplicity = "1")
  Selection selection;

  static final class Selection {
    @Parameters(paramLabel = "NODE", arity = "1..*", description = "Nodes to roll back.")
    List<String> nodes;

    @Option(names = "--cluster", required = true, description = "Every node of the last run.")
    boolean cluster;
  }

  @Option(names = "--to", paramLabel = "VERSION", description = "The version to go back to.")
  String to;

  @Override
  public Integer call() {
    throw NotAvailable.command("rollback");
  }
}
