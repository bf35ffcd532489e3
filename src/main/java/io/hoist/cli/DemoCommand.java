package io.hoist.cli;

import io.hoist.command.ShellQuote;
import io.hoist.demo.Sandbox;
import io.hoist.error.UsageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
    // The cluster file needs absolute homes: a relative --dir is taken from the working directory.
    Path given = dir == null ? null : env.cwd().resolve(dir);
    if (given != null && Files.exists(given)) {
      throw new UsageException("--dir " + given + " already exists; name a new directory");
    }
    Path root = given != null ? given : Files.createTempDirectory("hoist-demo-");
    Sandbox sandbox = Sandbox.create(root);
    if (failAt != null) {
      sandbox.failHealthAt(failAt);
    }
    GlobalOptions global = parent.global;
    boolean quiet = global.verbosity() < 0;
    if (!quiet) {
      err.println(
          Text.forTerminal(
              "hoist demo: "
                  + Sandbox.NODES.size()
                  + " local nodes in "
                  + root
                  + ", releases "
                  + String.join(", ", Sandbox.RELEASES)
                  + " in "
                  + root.resolve("repo")));
    }
    List<List<String>> commands =
        List.of(
            List.of("inspect"),
            List.of("upgrade", "--cluster", "--dry-run"),
            List.of("upgrade", "--cluster", "--prepare-only"),
            List.of("upgrade", "--cluster", "--yes"),
            List.of("status"),
            List.of("version", "list"));
    List<Map<String, Object>> steps = new ArrayList<>();
    int exit = ExitCode.OK.code();
    try {
      for (List<String> command : commands) {
        // In JSON mode each step's document is kept for the demo's one document.
        StringWriter captured = new StringWriter();
        PrintWriter stepOut = global.isJson() ? new PrintWriter(captured, true) : out;
        int code = step(stepOut, err, quiet, sandbox, command);
        if (exit == ExitCode.OK.code()) {
          exit = code;
        }
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("command", command);
        step.put("exit_code", code);
        step.put("result", Json.parse(captured.toString()));
        steps.add(step);
      }
      return exit;
    } finally {
      if (keep && !quiet) {
        String state = ShellQuote.quote(root.resolve("state").toString());
        String file = ShellQuote.quote(sandbox.clusterFile().toString());
        err.println(Text.forTerminal("hoist demo: the sandbox is kept in " + root));
        err.println(
            Text.forTerminal("  its runs, journals and backups are in " + state + "; try:"));
        err.println(Text.forTerminal("  export HOIST_STATE_DIR=" + state));
        err.println(Text.forTerminal("  hoist -c " + file + " status"));
        err.println(Text.forTerminal("  hoist -c " + file + " rollback --cluster --dry-run"));
      } else if (!keep) {
        deleteTree(root);
      }
      err.flush();
      if (global.isJson()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sandbox", root.toString());
        json.put("kept", keep);
        json.put("ok", exit == ExitCode.OK.code() && steps.size() == commands.size());
        json.put("exit_code", exit);
        json.put("steps", steps);
        Console.of(spec, global).json(json);
      }
    }
  }

  private int step(
      PrintWriter out, PrintWriter err, boolean quiet, Sandbox sandbox, List<String> command) {
    GlobalOptions global = parent.global;
    List<String> args = new ArrayList<>();
    args.add("--cluster-file");
    args.add(sandbox.clusterFile().toString());
    args.add("--output");
    args.add(global.output.name());
    if (global.noColor) {
      args.add("--no-color");
    }
    if (quiet) {
      args.add("--quiet");
    }
    for (int i = 0; i < global.verbose.length; i++) {
      args.add("--verbose");
    }
    if (global.logFile != null) {
      args.add("--log-file");
      args.add(global.logFile.toString());
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
