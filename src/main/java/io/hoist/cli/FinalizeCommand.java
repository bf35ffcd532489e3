package io.hoist.cli;

import io.hoist.error.UsageException;
import io.hoist.run.FinalizeService;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hoist finalize}: the point of no return of the last upgrade. */
@Command(
    name = "finalize",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header =
        "Finalize the last upgrade: run the roles' finalize commands (the point of no return).",
    description = {
      "A role's finalize command is what makes an upgrade final: bumping a protocol or data-format"
          + " version (Kafka's inter.broker.protocol.version, CockroachDB's SET CLUSTER SETTING"
          + " version, Ambari's finalize). When the roles of an upgrade define one, the upgrade"
          + " ends 'upgraded, not finalized': every node runs the new release, and 'hoist rollback"
          + " --cluster' can still take every node back. 'hoist finalize' is the step after which"
          + " it cannot.",
      "",
      "It reads the last run from the journal and refuses (exit 3, nothing changed) when there"
          + " is none, when it is not an upgrade, did not complete or failed, or was already"
          + " finalized. Otherwise it takes the run lock and runs each pending role's finalize"
          + " command (role by role in the role order) on every node of the upgrade that has the"
          + " role, one node at a time in the plan's order, $${version} being the release the"
          + " upgrade took it to. Each command is journaled (started, ended) and its output goes"
          + " to the node's log, as in an upgrade ('hoist status' shows the run).",
      "",
      "A command that fails stops it: the output says which node, the exit code is 5 and the"
          + " upgrade stays not finalized. Fix the cause and run 'hoist finalize' again: it runs"
          + " every command again, so finalize commands must be idempotent (a once-per-cluster"
          + " command such as CockroachDB's can run on each node harmlessly). Once a finalize"
          + " command has run on a node, 'hoist rollback' refuses to undo the upgrade: restore"
          + " from backup by hand.",
      "",
      "'hoist upgrade --finalize', or 'when: auto' on a role's finalize, finalizes in the same"
          + " run as the upgrade."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  hoist finalize --dry-run              which commands would run, on which nodes",
      "  hoist finalize                        asks first (on a terminal)",
      "  hoist -c prod.yaml finalize --yes     scripts and cron",
      "  hoist --output json finalize --yes | jq .finalized",
      "",
      "Cluster file:",
      "  roles:",
      "    broker:",
      "      serial: true",
      "      finalize: \"kafka-ctl set-protocol $${version}\"     # or { run: CMD, when: auto }",
      "",
      "JSON (docs/json/finalize.schema.json): {schema_version, cluster, run, target, ok,"
          + " exit_code, finalized, dry_run, message, roles, steps: [{node, role, command, status,"
          + " duration_ms, message}]}; status is ok, failed, not-started or planned"
    })
final class FinalizeCommand implements Callable<Integer> {

  private final Environment env;

  @ParentCommand HoistCommand parent;

  @Spec CommandSpec spec;

  @Option(
      names = "--dry-run",
      description =
          "Print the finalize commands it would run, node by node, and change nothing. E.g. hoist"
              + " finalize --dry-run")
  boolean dryRun;

  @Option(
      names = "--yes",
      description =
          "Do not ask for confirmation (needed without a terminal: scripts, cron). E.g. hoist"
              + " finalize --yes")
  boolean yes;

  @Mixin NodeAccessOptions access = new NodeAccessOptions();

  @Mixin LockOptions locking = new LockOptions();

  FinalizeCommand(Environment env) {
    this.env = env;
  }

  @Override
  @SuppressWarnings("try") // the lock is held for the block, not used in it
  public Integer call() {
    if (!dryRun && !yes && !env.interactive()) {
      throw new UsageException(
          "refusing to finalize without confirmation: add --yes (scripts, cron) or run it on a"
              + " terminal");
    }
    GlobalOptions global = parent.global;
    CommandContext context = CommandContext.load(env, global, access.acceptNewHostKeys);
    Console console = Console.of(spec, global);
    Path stateDir = UpgradeCommand.stateDir(env);
    FinalizeService service =
        new FinalizeService(
            context.cluster(), context.transports(), context.secretValues(), Clock.systemUTC());
    FinalizeService.Target target = service.target(stateDir);
    String run = target.upgrade().runId();
    if (dryRun) {
      String message =
          "Would finalize upgrade "
              + run
              + " to "
              + target.target()
              + ": "
              + target.steps().size()
              + " commands, one node at a time (dry run: nothing changed).";
      List<Map<String, Object>> steps = new ArrayList<>();
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"#", "NODE", "ROLE", "COMMAND"});
      int n = 1;
      for (FinalizeService.Step step : target.steps()) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("node", step.node());
        s.put("role", step.role());
        s.put("command", step.command().display());
        s.put("status", "planned");
        s.put("duration_ms", 0L);
        s.put("message", "");
        steps.add(s);
        rows.add(
            new String[] {
              Integer.toString(n++), step.node(), step.role(), step.command().display()
            });
      }
      if (console.isJson()) {
        console.json(
            document(context, run, target, ExitCode.OK.code(), false, true, message, steps));
      } else {
        List<String> lines = new ArrayList<>();
        lines.add(message);
        lines.add("");
        lines.addAll(Text.table(rows, 2, Ansi.OFF));
        console.result(lines);
      }
      return ExitCode.OK.code();
    }
    if (!yes) {
      console.err().println("Finalize commands of upgrade " + run + " to " + target.target() + ":");
      for (FinalizeService.Step step : target.steps()) {
        console
            .err()
            .println(
                "  "
                    + step.node()
                    + " ("
                    + step.role()
                    + "): "
                    + Text.forTerminal(step.command().display()));
      }
      if (!UpgradeCommand.ask(
          "Finalize? After this the upgrade can no longer be rolled back.", console)) {
        console.note("Nothing was changed.");
        return ExitCode.OK.code();
      }
    }
    Map<String, Object> invocation = context.invocation(spec, FinalizeService.COMMAND);
    FinalizeService.Result result;
    try (io.hoist.journal.RunLock lock = context.lock(spec, locking.breakLock, console)) {
      // Read again under the lock: another run may have changed the journal since.
      FinalizeService.Target locked = service.target(stateDir);
      result =
          service.finalizeLast(
              stateDir,
              locked,
              invocation,
              step ->
                  console.note(
                      step.node()
                          + " ("
                          + step.role()
                          + "): finalize "
                          + (step.status() == FinalizeService.Status.OK
                              ? "ok in " + Text.duration(step.duration())
                              : "FAILED")));
    }
    int code = result.exitCode();
    String message =
        result.finalized()
            ? "Upgrade "
                + run
                + " to "
                + target.target()
                + " is finalized: it can no longer be rolled back."
            : "Finalize FAILED on node "
                + result.failure().map(FinalizeService.StepResult::node).orElse("?")
                + ": upgrade "
                + run
                + " is NOT finalized; fix the cause and run 'hoist finalize' again.";
    if (console.isJson()) {
      console.json(
          document(
              context,
              run,
              target,
              code,
              result.finalized(),
              false,
              message,
              Json.finalizeSteps(result.steps())));
    } else {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NODE", "ROLE", "RESULT", "DURATION", "MESSAGE"});
      for (FinalizeService.StepResult step : result.steps()) {
        rows.add(
            new String[] {
              step.node(),
              step.role(),
              step.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
              Text.duration(step.duration()),
              step.message().lines().findFirst().orElse("")
            });
      }
      List<String> lines = new ArrayList<>(Text.table(rows, 0, Ansi.OFF));
      lines.add("");
      lines.add(message);
      console.result(lines);
    }
    result.failure().ifPresent(f -> console.problem(f.message()));
    console.note("node logs and the run's journal: " + result.logDir());
    return code;
  }

  private static Map<String, Object> document(
      CommandContext context,
      String run,
      FinalizeService.Target target,
      int code,
      boolean finalized,
      boolean dryRun,
      String message,
      List<Map<String, Object>> steps) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("cluster", context.cluster().name());
    json.put("run", run);
    json.put("target", target.target());
    json.put("ok", code == ExitCode.OK.code());
    json.put("exit_code", code);
    json.put("finalized", finalized);
    json.put("dry_run", dryRun);
    json.put("message", message);
    json.put("roles", target.roles());
    json.put("steps", steps);
    return json;
  }
}
