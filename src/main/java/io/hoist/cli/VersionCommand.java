package io.hoist.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hoist version get|list|pack|prepare}: the release commands. The group itself is not
 * runnable; its subcommands are not in this build yet.
 */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    header = "Release bundles: get, list, pack, prepare.",
    description = {
      "Commands that handle release bundles before an upgrade, so the maintenance window holds"
          + " only the switch.",
      "",
      "Not available in this build: each subcommand exits 2 and changes nothing."
    },
    subcommands = {
      VersionCommand.Get.class,
      VersionCommand.ListReleases.class,
      VersionCommand.Pack.class,
      VersionCommand.Prepare.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  hoist version list",
      "  hoist version get 3.6.1",
      "  hoist version pack build/acme --version 3.6.1",
      "  hoist version prepare 3.6.1            (from cron, before the window)"
    })
final class VersionCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "missing subcommand: one of get, list, pack, prepare");
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      header = "Download and verify a release into the local cache (not available yet).",
      footerHeading = "%nExamples:%n",
      footer = {"  hoist version get 3.6.1"})
  static final class Get implements Callable<Integer> {
    @Parameters(paramLabel = "VERSION", description = "The release to download.")
    String version;

    @Override
    public Integer call() {
      throw NotAvailable.command("version get");
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      header = "Show the releases of the repository, the cache and each node (not available yet).",
      footerHeading = "%nExamples:%n",
      footer = {"  hoist version list"})
  static final class ListReleases implements Callable<Integer> {
    @Override
    public Integer call() {
      throw NotAvailable.command("version list");
    }
  }

  @Command(
      name = "pack",
      header = "Build a release bundle and its .sha256 from a directory (not available yet).",
      footerHeading = "%nExamples:%n",
      footer = {"  hoist version pack build/acme --version 3.6.1"})
  static final class Pack implements Callable<Integer> {
    // No standard help options here: --version names the release being packed.
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    boolean help;

    @Parameters(paramLabel = "DIR", description = "The directory holding the release.")
    Path directory;

    @Option(
        names = "--version",
        paramLabel = "VERSION",
        required = true,
        description = "The release's version.")
    String version;

    @Override
    public Integer call() {
      throw NotAvailable.command("version pack");
    }
  }

  @Command(
      name = "prepare",
      mixinStandardHelpOptions = true,
      header = "Distribute and unpack a release on nodes, switch nothing (not available yet).",
      footerHeading = "%nExamples:%n",
      footer = {"  hoist version prepare 3.6.1", "  hoist version prepare 3.6.1 dea-1 dea-2"})
  static final class Prepare implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "VERSION", description = "The release to stage.")
    String version;

    @Parameters(
        index = "1..*",
        paramLabel = "NODE",
        arity = "0..*",
        description = "Nodes. Default: every node.")
    List<String> nodes = List.of();

    @Override
    public Integer call() {
      throw NotAvailable.command("version prepare");
    }
  }
}
