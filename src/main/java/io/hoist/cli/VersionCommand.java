package io.hoist.cli;

import io.hoist.command.Quantities;
import io.hoist.config.ClusterFiles;
import io.hoist.error.ConfigException;
import io.hoist.error.UsageException;
import io.hoist.model.Node;
import io.hoist.release.Bundles;
import io.hoist.release.Manifest;
import io.hoist.release.Version;
import io.hoist.run.FanOut;
import io.hoist.run.ReleaseService;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hoist version get|list|pack|prepare}: releases between the repository, the core node's
 * cache and the nodes. The group itself is not runnable: a missing subcommand is a usage error.
 */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    header = "Release bundles: pack, get, list, prepare.",
    description = {
      "Commands that handle release bundles before an upgrade, so the maintenance window holds"
          + " only the switch: 'pack' builds a bundle, 'get' downloads and verifies it into the"
          + " core node's cache, 'prepare' stages it on the nodes (never switching 'current'),"
          + " 'list' shows what is where.",
      "",
      "A bundle is a tar.gz with a manifest (hoist-release.json) at its root and a .sha256 beside"
          + " it. Before it is used anywhere hoist checks the checksum, that the manifest names the"
          + " same version, and that no entry escapes the release directory (absolute paths, '..',"
          + " links pointing outside); a bundle that fails is refused before any node is touched."
    },
    subcommands = {
      VersionCommand.Pack.class,
      VersionCommand.Get.class,
      VersionCommand.ListReleases.class,
      VersionCommand.Prepare.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  hoist version pack build/acme --version 3.6.1 --from '>=3.5.3'",
      "  hoist version get 3.6.1",
      "  hoist version list",
      "  hoist -q --log-file /var/log/hoist.log version prepare 3.6.1   (cron)"
    })
final class VersionCommand implements Runnable {

  @ParentCommand HoistCommand parent;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "missing subcommand: one of pack, get, list, prepare");
  }

  /** "acme" from "acme-${version}.tar.gz"; null when the pattern starts with the version. */
  static String productOf(String bundlePattern) {
    int at = bundlePattern.indexOf("${version}");
    if (at <= 0) {
      return null;
    }
    String prefix = bundlePattern.substring(0, at);
    return prefix.replaceAll("[-_.]+$", "");
  }

  static Version version(String text, String what) {
    try {
      return Version.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(what + ": " + e.getMessage());
    }
  }

  @Command(
      name = "pack",
      sortOptions = false,
      header = "Build a release bundle and its .sha256 from a directory.",
      description = {
        "Packs DIR into BUNDLE (release.bundle of the cluster file, e.g. acme-3.6.1.tar.gz) in the"
            + " repository directory, with a manifest (hoist-release.json: product, version,"
            + " upgrade_from, min_hoist) at its root, writes BUNDLE.sha256 beside it and adds the"
            + " bundle to the repository's INDEX (which http repositories are listed from).",
        "The bundle is deterministic: the same directory gives the same bytes (sorted entries,"
            + " fixed times and owners, modes and symlinks kept)."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  hoist version pack build/acme --version 3.6.1",
        "  hoist version pack build/acme --version 3.6.1 --from '>=3.5.3' --into /srv/releases",
        "  hoist version pack out --version 2.0.0 --product acme --into repo  (no cluster file)"
      })
  static final class Pack implements Callable<Integer> {

    private final Environment env;

    @ParentCommand VersionCommand group;

    @Spec CommandSpec spec;

    // No standard help options here: --version names the release being packed.
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    boolean help;

    @Parameters(paramLabel = "DIR", description = "The directory holding the release's files.")
    Path directory;

    @Option(
        names = "--version",
        paramLabel = "VERSION",
        required = true,
        description = "The release's version.")
    String version;

    @Option(
        names = "--from",
        paramLabel = "RANGE",
        description =
            "Versions a node must run to upgrade to this release, e.g. '>=3.5.3' (manifest"
                + " upgrade_from). Default: any.")
    String from;

    @Option(
        names = "--min-hoist",
        paramLabel = "VERSION",
        description = "The oldest hoist that may install this release. Default: none.")
    String minHoist;

    @Option(
        names = "--product",
        paramLabel = "NAME",
        description =
            "The product's name in the manifest. Default: the bundle name's prefix"
                + " (acme-${version}.tar.gz gives acme).")
    String product;

    @Option(
        names = "--into",
        paramLabel = "DIR",
        description = "The repository directory. Default: the cluster file's file: repository.")
    Path into;

    Pack(Environment env) {
      this.env = env;
    }

    @Override
    public Integer call() {
      GlobalOptions global = group.parent.global;
      Console console = Console.of(spec, global);
      Version release = version(version, "--version");
      String bundlePattern = "${product}-${version}.tar.gz";
      Path repository = into;
      if (repository == null || product == null) {
        requireClusterFile(global);
        CommandContext context = CommandContext.load(env, global, false);
        bundlePattern = context.cluster().release().bundle();
        if (repository == null) {
          repository = context.fileRepository();
        }
      }
      String name = product != null ? product : productOf(bundlePattern);
      if (name == null || name.isEmpty()) {
        throw new UsageException(
            "cannot tell the product's name from the bundle name '"
                + bundlePattern
                + "'; give it with --product");
      }
      String bundleName =
          bundlePattern.replace("${product}", name).replace("${version}", release.text());
      Manifest manifest =
          Bundles.pack(directory, release, name, from, minHoist, repository, bundleName);
      Path bundle = repository.resolve(bundleName);
      String sha256 = Bundles.sha256(bundle);
      if (console.isJson()) {
        console.json(Json.packed(manifest, bundle, sha256));
      } else {
        console.result(
            List.of(
                "packed " + bundle + " (" + Quantities.bytes(bundle.toFile().length()) + ")",
                "  sha256 " + sha256 + " in " + bundle.getFileName() + ".sha256",
                "  product "
                    + manifest.product()
                    + ", version "
                    + manifest.version()
                    + ", upgrade from "
                    + (manifest.upgradeFrom() == null ? "any" : manifest.upgradeFrom())
                    + (manifest.minHoist() == null ? "" : ", needs hoist " + manifest.minHoist())));
      }
      return ExitCode.OK.code();
    }

    /** Without a cluster file the repository and product must be given on the command line. */
    private void requireClusterFile(GlobalOptions global) {
      try {
        ClusterFiles.locate(global.clusterFile, env.variables(), env.cwd());
      } catch (ConfigException e) {
        throw new UsageException(
            "no cluster file to take the repository from: give the repository directory to pack"
                + " into with --into DIR"
                + (product == null ? " and the product's name with --product NAME" : "")
                + " (or a cluster file with -c FILE)");
      }
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      header = "Download a release into the core node's cache and verify it.",
      description = {
        "Downloads BUNDLE from the repository into the cache (release.cache, else"
            + " $XDG_CACHE_HOME/hoist, ~/.cache/hoist, or /var/cache/hoist as root) under a"
            + " temporary name, verifies it, then renames it: an interrupted or corrupt download"
            + " never leaves a file that looks valid, and an interrupted one resumes on the next"
            + " run. A release already cached and verified is done at once."
      },
      footerHeading = "%nExamples:%n",
      footer = {"  hoist version get 3.6.1", "  hoist --output json version get 3.6.1"})
  static final class Get implements Callable<Integer> {

    private final Environment env;

    @ParentCommand VersionCommand group;

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "VERSION", description = "The release to download.")
    String version;

    Get(Environment env) {
      this.env = env;
    }

    @Override
    @SuppressWarnings("try") // the lock is held for the block, not used in it
    public Integer call() {
      GlobalOptions global = group.parent.global;
      Console console = Console.of(spec, global);
      Version release = version(version, "VERSION");
      CommandContext context = CommandContext.load(env, global, false);
      ReleaseService service = context.releases();
      ReleaseService.Fetched fetched =
          service.get(release, Progress.download(release.text(), console, env));
      if (console.isJson()) {
        console.json(Json.fetched(fetched));
      } else {
        console.result(Text.fetched(fetched));
      }
      return ExitCode.OK.code();
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      header = "Show the releases of the repository, the cache and each node.",
      description = {
        "Lists the releases the repository offers and those in the core node's cache, then, per"
            + " node, the release 'current' points to and the releases staged there by hoist."
            + " Read-only."
      },
      footerHeading = "%nExamples:%n",
      footer = {"  hoist version list", "  hoist version list dea-1 dea-2"})
  static final class ListReleases implements Callable<Integer> {

    private final Environment env;

    @ParentCommand VersionCommand group;

    @Spec CommandSpec spec;

    @Mixin NodeAccessOptions access = new NodeAccessOptions();

    @Parameters(
        paramLabel = "NODE",
        arity = "0..*",
        description = "Nodes to list. Default: every node.")
    List<String> nodes = List.of();

    ListReleases(Environment env) {
      this.env = env;
    }

    @Override
    public Integer call() {
      GlobalOptions global = group.parent.global;
      Console console = Console.of(spec, global);
      CommandContext context = CommandContext.load(env, global, access.acceptNewHostKeys);
      ReleaseService.Listing listing =
          context.releases().list(context.select(nodes), FanOut.DEFAULT_MAX_PARALLEL);
      if (console.isJson()) {
        console.json(Json.listing(listing));
      } else {
        console.result(Text.listing(listing));
      }
      boolean ok = listing.nodes().stream().allMatch(n -> n.error() == null);
      return ok ? ExitCode.OK.code() : ExitCode.VALIDATION.code();
    }
  }

  @Command(
      name = "prepare",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      header = "Stage a release on nodes; switch nothing.",
      description = {
        "Gets and verifies the release (as 'hoist version get'), reads every node's version and"
            + " refuses the whole run, touching nothing, when a node runs a version the bundle"
            + " cannot be upgraded from. Then, on each node in parallel: checks free space,"
            + " uploads the bundle to a temporary name, verifies its sha256 on the node, unpacks"
            + " it into HOME/releases/VERSION.partial and renames that to HOME/releases/VERSION."
            + " 'current' is never touched.",
        "",
        "Idempotent: a node that already holds the verified release is skipped in one round trip,"
            + " so a nightly cron job costs nothing once the release is staged. Staged releases"
            + " beyond release.keep are pruned, never the current one nor the one before it.",
        "",
        "Exits 0 when every node holds the release, 4 when some nodes failed (their partial files"
            + " were removed; the others keep the staged release), 3 when the bundle was refused."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  hoist version prepare 3.6.1",
        "  hoist version prepare 3.6.1 dea-1 dea-2",
        "  # nightly, silent unless something fails:",
        "  0 2 * * *  hoist -q --log-file /var/log/hoist.log version prepare 3.6.1",
        "",
        "JSON (docs/json/version-prepare.schema.json): {schema_version, cluster, version, bundle,"
            + " sha256, ok, nodes: [{node, status"
            + " (staged|already-staged|failed), message, bytes_sent, duration_ms, pruned}],"
            + " summary: {nodes, staged, already_staged, failed}}"
      })
  static final class Prepare implements Callable<Integer> {

    private final Environment env;

    @ParentCommand VersionCommand group;

    @Spec CommandSpec spec;

    @Mixin NodeAccessOptions access = new NodeAccessOptions();

    @Mixin FanOutOptions fanOut = new FanOutOptions();

    @Mixin LockOptions locking = new LockOptions();

    @Parameters(index = "0", paramLabel = "VERSION", description = "The release to stage.")
    String version;

    @Parameters(
        index = "1..*",
        paramLabel = "NODE",
        arity = "0..*",
        description = "Nodes. Default: every node.")
    List<String> nodes = List.of();

    Prepare(Environment env) {
      this.env = env;
    }

    @Override
    @SuppressWarnings("try") // the lock is held for the block, not used in it
    public Integer call() {
      GlobalOptions global = group.parent.global;
      Console console = Console.of(spec, global);
      Version release = version(version, "VERSION");
      CommandContext context = CommandContext.load(env, global, access.acceptNewHostKeys);
      List<Node> selected = context.select(nodes);
      ReleaseService.Prepared prepared;
      try (io.hoist.journal.RunLock lock = context.lock(spec, locking.breakLock, console)) {
        // A node another run is working on is not staged on (exit 3, nothing changed).
        io.hoist.run.NodeMarkers.refuseForeign(
            context.transports(),
            selected,
            java.util.Map.of(),
            java.util.Set.of(),
            "version prepare",
            context.cluster().timeouts().command(),
            fanOut.maxParallel());
        prepared =
            context
                .releases()
                .prepare(
                    release,
                    selected,
                    fanOut.maxParallel(),
                    Progress.download(release.text(), console, env),
                    result -> console.note(Text.staged(result)),
                    Map.of());
      }
      return PrepareReport.print(context.cluster().name(), prepared, console);
    }
  }
}
