package io.hoist.cli;

import io.hoist.config.Durations;
import io.hoist.error.UsageException;
import io.hoist.model.Node;
import io.hoist.phase.Sleeper;
import io.hoist.run.RetireService;
import io.hoist.run.RetireService.Drain;
import io.hoist.run.UpgradeService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hoist retire NODE...}: drains nodes with their roles' retire commands. */
@Command(
    name = "retire",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Drain nodes: run their roles' retire command until each reports it is drained.",
    description = {
      "Runs the retire command of each node's roles (e.g. evacuate the applications of a DEA, move"
          + " a storage node's data away) and waits until it reports the node drained: the"
          + " command is tried every 5s until it exits 0, within the drain limit (--timeout,"
          + " default timeouts.stop of the cluster file). This is the retire phase of an upgrade,"
          + " on its own, e.g. before hardware maintenance.",
      "",
      "Nodes are drained one at a time, in the order given. Before draining anything every node"
          + " must have a role with a retire command and answer its version command. A node that"
          + " does not drain in time is left as it is (partly drained) and the nodes after it are"
          + " not drained; the output shows the rejoin command that puts it back."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  hoist retire dea-1",
      "  hoist retire dea-1 dea-2 --timeout 10m",
      "  hoist --output json retire dea-1 | jq -r '.nodes[].state'",
      "",
      "JSON (docs/json/retire.schema.json): {schema_version, cluster, ok, exit_code, nodes: [{node,"
          + " roles, state, duration_ms, message, rejoin}]}; state is drained, failed or not-started"
    })
final class RetireCommand implements Callable<Integer> {

  private final Environment env;

  @ParentCommand HoistCommand parent;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "NODE", arity = "1..*", description = "Nodes to drain, by name.")
  List<String> nodes;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "How long each node may take to drain (default: timeouts.stop, 90s).")
  String timeout;

  @Mixin NodeAccessOptions access = new NodeAccessOptions();

  @Mixin LockOptions locking = new LockOptions();

  RetireCommand(Environment env) {
    this.env = env;
  }

  @SuppressWarnings("try") // the lock is held for the block, not used in it
  @Override
  public Integer call() {
    Optional<Duration> limit = Optional.empty();
    if (timeout != null) {
      try {
        limit = Optional.of(Durations.parse(timeout));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--timeout: " + e.getMessage());
      }
      if (limit.get().isZero()) {
        throw new UsageException("--timeout must be longer than 0");
      }
    }
    GlobalOptions global = parent.global;
    CommandContext context = CommandContext.load(env, global, access.acceptNewHostKeys);
    List<Node> selected = context.select(nodes);
    Console console = Console.of(spec, global);
    Path logDir = UpgradeService.logDir(UpgradeCommand.stateDir(env), Clock.systemUTC());
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the log directory " + logDir, e);
    }
    RetireService service =
        new RetireService(
            context.cluster(),
            context.transports(),
            context.secretValues(),
            Sleeper.REAL,
            Clock.systemUTC());
    List<Drain> drains;
    try (io.hoist.journal.RunLock lock = context.lock(spec, locking.breakLock, console)) {
      drains =
          service.retire(
              selected,
              limit,
              logDir,
              drain ->
                  console.note(
                      drain.node()
                          + ": "
                          + state(drain)
                          + (drain.status() == RetireService.Status.DRAINED
                              ? " in " + Text.duration(drain.duration())
                              : "")));
    }
    boolean ok = drains.stream().allMatch(d -> d.status() == RetireService.Status.DRAINED);
    int code = ok ? ExitCode.OK.code() : ExitCode.NEEDS_ATTENTION.code();
    if (console.isJson()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("cluster", context.cluster().name());
      json.put("ok", ok);
      json.put("exit_code", code);
      List<Map<String, Object>> list = new ArrayList<>();
      for (Drain drain : drains) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("node", drain.node());
        n.put("roles", drain.roles());
        n.put("state", state(drain));
        n.put("duration_ms", drain.duration().toMillis());
        n.put("message", drain.message());
        n.put("rejoin", drain.rejoin());
        list.add(n);
      }
      json.put("nodes", list);
      console.json(json);
    } else {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NODE", "ROLES", "RESULT", "DURATION", "MESSAGE"});
      for (Drain drain : drains) {
        rows.add(
            new String[] {
              drain.node(),
              String.join(",", drain.roles()),
              state(drain),
              Text.duration(drain.duration()),
              drain.message().lines().findFirst().orElse("")
            });
      }
      List<String> lines = new ArrayList<>(Text.table(rows, 2, picocli.CommandLine.Help.Ansi.OFF));
      for (Drain drain : drains) {
        if (drain.status() == RetireService.Status.FAILED && !drain.rejoin().isEmpty()) {
          lines.add("");
          lines.add(
              drain.node()
                  + " is left partly drained; to put it back run on it: "
                  + String.join(" && ", drain.rejoin()));
        }
      }
      console.result(lines);
    }
    console.note("node logs: " + logDir);
    return code;
  }

  private static String state(Drain drain) {
    return drain.status().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
