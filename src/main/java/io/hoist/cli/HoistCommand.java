package io.hoist.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code hoist}: the top command. Not runnable by itself: a missing subcommand is a usage error.
 */
@Command(
    name = "hoist",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    header = "Upgrade a whole cluster to a new release, node by node, in a safe order, over SSH.",
    description = {
      "hoist runs on one machine (the core node) and upgrades the nodes of a cluster described in"
          + " a cluster file: it reads every node's running version, plans the hops to the target"
          + " release (upgrade paths, one minor release at a time where required), orders the"
          + " nodes by role, and upgrades them batch by batch: version check, pre-validation,"
          + " retire, stop, backup, switch (install), start, migrate, post-validation, rejoin.",
      "",
      "Start with 'hoist demo' to watch it on a throwaway local cluster, then 'hoist inspect' and"
          + " 'hoist upgrade --cluster --dry-run' on yours."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  hoist demo                         a throwaway local cluster",
      "  hoist -c prod.yaml inspect         check every node before the window",
      "  hoist upgrade --cluster --dry-run  show the plan, change nothing",
      "  hoist --output json inspect | jq .ok",
      "",
      "--output json writes one JSON document on stdout, schema_version first, also for an error;"
          + " the shape of each command's is in docs/json/ (JSON Schema).",
      "Environment: HOIST_CLUSTER (cluster file), HOIST_SSH_PASSWORD (SSH password, never a"
          + " flag), SSH_AUTH_SOCK (ssh-agent), NO_COLOR.",
      "See 'hoist COMMAND --help' and the README for the cluster file reference."
    })
final class HoistCommand implements Runnable {

  /**
   * The subcommands, in the order help lists them. Added by {@link Cli}, not by the annotation, so
   * that a run builds only the one it was asked for (picocli reads every command's annotations and
   * fields when it is added: about a tenth of a second of start-up for all of them).
   */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          InspectCommand.class,
          UpgradeCommand.class,
          RetireCommand.class,
          RollbackCommand.class,
          FinalizeCommand.class,
          VersionCommand.class,
          StatusCommand.class,
          DemoCommand.class,
          SchemaCommand.class,
          CompleteCommand.class);

  @Mixin GlobalOptions global = new GlobalOptions();

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command: see the list above");
  }
}
