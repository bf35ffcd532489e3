package io.hoist.cli;

import io.hoist.demo.Sandbox;
import io.hoist.error.UsageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hoist demo}: a throwaway local cluster, run through hoist for real. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Run hoist on a throwaway local cluster.",
    description = {
      "Creates a cluster of six local nodes (directories on this machine, each with its own"
          + " install home and a small product script) running release 1.0.0, with roles router"
          + " (two at a time), controller and primary (serial, three nodes, db-2 the leader), and a"
          + " file repository with releases 1.0.0, 1.1.0 and 2.0.0 (2.0 only from >=1.1.0, so the"
          + " upgrade takes two hops). Then it runs, for real, against that cluster file:",
      "  hoist inspect",
      "  hoist upgrade --cluster --dry-run",
      "  hoist upgrade --cluster --prepare-only   (stages every hop's release; switches nothing)",
      "  hoist upgrade --cluster --yes            (the rolling upgrade, hop by hop, db-2 the leader)",
      "  hoist status                             (the run, as its journal recorded it)",
      "  hoist version list",
      "and removes the sandbox (unless --keep). Nothing outside the sandbox is touched.",
      "",
      "With --fail-at NODE the new releases are unhealthy on NODE: its post-validation fails, it"
          + " is rolled back to the release it ran, the run stops there and the summary shows"
          + " where every node ended (the demo then exits with the upgrade's code, 4 or 5)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  hoist demo",
      "  hoist demo --fail-at db-1                 watch a failed node being rolled back",
      "  hoist demo --keep --dir /tmp/hoist-demo   keep the sandbox, then try:",
      "  hoist -c /tmp/hoist-demo/cluster.yaml inspect"
    })
final class DemoCommand implements Callable<Integer> {

  private final Environment env;

  @ParentCommand HoistCommand parent;

  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Create the sandbox in DIR (must not exist). Default: a new temporary directory.")
  Path dir;

  @Option(names = "--keep", description = "Keep the sandbox afterwards and print its path.")
  boolean keep;

  @Option(
      names = "--fail-at",
      paramLabel = "NODE",
      completionCandidates = Words.DemoNodes.class,
      description =
          "Make NODE's health check fail on the new releases, to watch its rollback (one of"
              + " ctl-1, db-1, db-2, db-3, router-1, router-2).")
  String failAt;

  DemoCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    if (failAt != null && !Sandbox.NODES.containsKey(failAt)) {
      throw new UsageException(
          "--fail-at: the demo has no node '"
              + failAt
              + "'; its nodes are "
              + String.join(", ", Sandbox.NODES.keySet()));
    }
    if (dir != null && Files.exists(dir)) {
      throw new UsageException("--dir " + dir + " already exists; name a new directory");
    }
    Path root = dir != null ? dir : Files.createTempDirectory("hoist-demo-");
    Sandbox sandbox = Sandbox.create(root);
    if (failAt != null) {
      sandbox.failHealthAt(failAt);
    }
    boolean quiet = parent.global.verbosity() < 0;
    if (!quiet) {
      err.println(
          "hoist demo: "
              + Sandbox.NODES.size()
              + " local nodes in "
              + root
              + ", releases "
              + String.join(", ", Sandbox.RELEASES)
              + " in "
              + root.resolve("repo"));
    }
    try {
      int[] codes = {
        step(out, err, quiet, sandbox, List.of("inspect")),
        step(out, err, quiet, sandbox, List.of("upgrade", "--cluster", "--dry-run")),
        step(out, err, quiet, sandbox, List.of("upgrade", "--cluster", "--prepare-only")),
        step(out, err, quiet, sandbox, List.of("upgrade", "--cluster", "--yes")),
        step(out, err, quiet, sandbox, List.of("status")),
        step(out, err, quiet, sandbox, List.of("version", "list"))
      };
      for (int code : codes) {
        if (code != 0) {
          return code;
        }
      }
      return 0;
    } finally {
      if (keep) {
        err.println("hoist demo: the sandbox is kept in " + root);
        err.println("  its runs, journals and backups are in " + root.resolve("state") + "; try:");
        err.println("  export HOIST_STATE_DIR=" + root.resolve("state"));
        err.println("  hoist -c " + sandbox.clusterFile() + " status");
        err.println("  hoist -c " + sandbox.clusterFile() + " rollback --cluster --dry-run");
      } else {
        deleteTree(root);
      }
      err.flush();
    }
  }

  private int step(
      PrintWriter out, PrintWriter err, boolean quiet, Sandbox sandbox, List<String> command) {
    List<String> args = new ArrayList<>();
    args.add("--cluster-file");
    args.add(sandbox.clusterFile().toString());
    args.add("--output");
    args.add(parent.global.output.name());
    if (parent.global.noColor) {
      args.add("--no-color");
    }
    args.addAll(command);
    if (!quiet) {
      err.println();
      err.println("== hoist " + String.join(" ", command));
      err.flush();
    }
    // The sandbox's runs keep their state (backups, node logs) inside the sandbox too.
    Map<String, String> variables = new HashMap<>(env.variables());
    variables.put("HOIST_STATE_DIR", sandbox.root().resolve("state").toString());
    Environment inSandbox =
        new Environment(
            variables, env.cwd(), env.home(), env.interactive(), env.root(), env.wire());
    return Cli.run(args.toArray(String[]::new), inSandbox, out, err);
  }

  private static void deleteTree(Path root) {
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the demo sandbox " + root, e);
    }
  }
}
