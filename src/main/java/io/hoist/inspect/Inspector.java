package io.hoist.inspect;

import io.hoist.command.NodeMarker;
import io.hoist.command.Quantities;
import io.hoist.command.ShellCommand;
import io.hoist.command.ShellQuote;
import io.hoist.command.Template;
import io.hoist.command.TemplateException;
import io.hoist.command.Value;
import io.hoist.error.TransportException;
import io.hoist.model.Check;
import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.model.TransportKind;
import io.hoist.release.Version;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink.Stream;
import io.hoist.transport.TimedCommand;
import io.hoist.transport.Transport;
import io.hoist.transport.TransportFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs read-only checks on one node: {@code reachable} (connected and authenticated, host key
 * verified), {@code version} (the version command prints a version), {@code disk} (the release home
 * has {@code layout.min_free} free; skipped, with no command on the node, when that is 0), then
 * every check of the cluster file. When a node cannot be reached its other checks are skipped.
 */
public final class Inspector {

  private static final Logger LOG = LoggerFactory.getLogger(Inspector.class);

  /** The built-in checks, in the order they run. */
  public static final List<String> BUILT_IN = List.of("reachable", "version", "disk");

  private final Cluster cluster;
  private final TransportFactory transports;
  private final Map<String, String> secretValues;

  /**
   * @param cluster the cluster
   * @param transports opens a transport per node
   * @param secretValues values of the cluster's secrets, by name (from the core node's env)
   */
  public Inspector(Cluster cluster, TransportFactory transports, Map<String, String> secretValues) {
    this.cluster = cluster;
    this.transports = transports;
    this.secretValues = Map.copyOf(secretValues);
  }

  /** Every check on one node. Never throws for a node problem: failures are results. */
  public NodeReport inspect(Node node) {
    return check(node, true);
  }

  /**
   * Only {@code reachable} and {@code version}: what a plan needs. {@link NodeReport#version()} is
   * set when both passed.
   */
  public NodeReport probe(Node node) {
    return check(node, false);
  }

  private NodeReport check(Node node, boolean full) {
    List<CheckResult> results = new ArrayList<>();
    String address = address(node);
    try (Transport transport = transports.open(node)) {
      CheckResult reachable =
          timed(
              "reachable",
              () -> {
                transport.connect();
                return new Outcome(CheckStatus.PASS, "connected to " + address);
              });
      results.add(reachable);
      if (reachable.status() != CheckStatus.PASS) {
        skipRest(results, full);
        return new NodeReport(node.name(), address, null, results);
      }
      String[] version = new String[1];
      NodeMarker.Read[] marker = {NodeMarker.Read.unknown("the version command did not run")};
      List<Pending> pending = new ArrayList<>();
      pending.add(
          pending(
              "version",
              () -> versionCommand(node),
              result -> readVersion(result, version, marker)));
      if (full) {
        if (node.layout().minFreeBytes() == 0) {
          // Nothing to check: no command on the node (df is a program started on every node).
          pending.add(
              new Pending(
                  "disk",
                  null,
                  new Outcome(CheckStatus.SKIP, "not checked: layout.min_free is 0"),
                  null));
        } else {
          pending.add(pending("disk", () -> diskCommand(node), result -> checkDisk(result, node)));
        }
        for (Check check : cluster.checks()) {
          pending.add(
              pending(
                  check.name(),
                  () -> new TimedCommand(render(check.run(), node), check.timeout()),
                  Inspector::checkOutcome));
        }
      }
      results.addAll(runAll(transport, node, pending));
      return new NodeReport(node.name(), address, version[0], results, marker[0]);
    }
  }

  /**
   * Runs the pending checks' commands in one batch ({@link Transport#execEach}: over SSH one round
   * trip and one remote shell for all of them, not one per check) and judges each result. A check
   * whose command cannot be rendered fails without running; a dropped connection fails every check
   * of the batch with its message.
   */
  private static List<CheckResult> runAll(Transport transport, Node node, List<Pending> pending) {
    List<TimedCommand> commands = new ArrayList<>();
    for (Pending p : pending) {
      if (p.command() != null) {
        commands.add(p.command());
        LOG.info("{}: $ {}", node.name(), p.command().command().display());
      }
    }
    List<ExecResult> outputs = List.of();
    String dropped = null;
    long start = System.nanoTime();
    if (!commands.isEmpty()) {
      try {
        outputs =
            transport.execEach(
                commands,
                (stream, line) ->
                    LOG.debug("{}: {} {}", node.name(), stream == Stream.STDOUT ? ">" : "!", line));
      } catch (TransportException e) {
        dropped = e.getMessage();
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    List<CheckResult> results = new ArrayList<>();
    int next = 0;
    for (Pending p : pending) {
      if (p.command() == null) {
        Outcome outcome = p.without();
        results.add(new CheckResult(p.name(), outcome.status(), outcome.message(), Duration.ZERO));
        continue;
      }
      if (dropped != null) {
        results.add(new CheckResult(p.name(), CheckStatus.FAIL, dropped, took));
        continue;
      }
      ExecResult result = outputs.get(next++);
      LOG.info(
          "{}: {} in {} ms",
          node.name(),
          result.timedOut() ? "timed out" : "exit " + result.exitCode(),
          result.duration().toMillis());
      Outcome outcome = p.judge().apply(result);
      results.add(
          new CheckResult(p.name(), outcome.status(), outcome.message(), result.duration()));
    }
    return results;
  }

  /**
   * A check to run: its command and how its result is judged; or, without a command, its outcome
   * (failed: the command cannot be rendered; skipped: there is nothing to check).
   */
  private record Pending(
      String name,
      TimedCommand command,
      Outcome without,
      java.util.function.Function<ExecResult, Outcome> judge) {}

  private static Pending pending(
      String name,
      Supplier<TimedCommand> command,
      java.util.function.Function<ExecResult, Outcome> judge) {
    try {
      return new Pending(name, command.get(), null, judge);
    } catch (TemplateException e) {
      return new Pending(
          name,
          null,
          new Outcome(
              CheckStatus.FAIL,
              e.getMessage().replace("has no value here", "is not known during inspect")),
          judge);
    }
  }

  private void skipRest(List<CheckResult> results, boolean full) {
    List<String> rest = new ArrayList<>(BUILT_IN.subList(1, full ? BUILT_IN.size() : 2));
    if (full) {
      cluster.checks().forEach(c -> rest.add(c.name()));
    }
    for (String name : rest) {
      results.add(new CheckResult(name, CheckStatus.SKIP, "node not reachable", Duration.ZERO));
    }
  }

  /**
   * The version command and, in the same command (no extra round trip), the read of the node marker
   * ({@link NodeMarker#readScript}): the version is read from the output before the marker's part.
   */
  private TimedCommand versionCommand(Node node) {
    String template = cluster.commandsFor(node, cluster.roleOrder()).version();
    ShellCommand command = render(template, node);
    String markerScript = NodeMarker.readScript(node.layout().home());
    // The version command in braces on its own lines (a trailing comment ends at the newline),
    // its exit status kept; the marker part after it exits 0.
    // Shown (-v, messages) as the version command alone: the marker's read is hoist's own.
    return new TimedCommand(
        ShellCommand.masked(withMarker(command.script(), markerScript), command.display()),
        cluster.timeouts().command());
  }

  private static Outcome readVersion(ExecResult full, String[] version, NodeMarker.Read[] marker) {
    NodeMarker.Split split = NodeMarker.parseOutput(full.stdoutTail());
    marker[0] = split.read();
    ExecResult result =
        new ExecResult(
            full.exitCode(), split.before(), full.stderrTail(), full.duration(), full.timedOut());
    if (!result.isSuccess()) {
      return failed(result, "version command");
    }
    String printed = result.lastLine();
    try {
      version[0] = Version.parse(printed).text();
    } catch (IllegalArgumentException e) {
      return new Outcome(
          CheckStatus.FAIL, "version command printed '" + printed + "', which is not a version");
    }
    return new Outcome(CheckStatus.PASS, version[0]);
  }

  private static String withMarker(String script, String markerScript) {
    return "{\n" + script + "\n}\nrc=$?\necho\n" + markerScript + "\nexit $rc";
  }

  private TimedCommand diskCommand(Node node) {
    String home = node.layout().home();
    // The last line is read (checkDisk): no `| tail -n 1`, one program less on every node. `exec`:
    // the shell (a batch's subshell, or bash -c) becomes df instead of forking once more for it.
    String df = "df -Pk -- " + ShellQuote.quote(home);
    return new TimedCommand(ShellCommand.masked("exec " + df, df), cluster.timeouts().command());
  }

  private static Outcome checkDisk(ExecResult result, Node node) {
    String home = node.layout().home();
    if (!result.isSuccess()) {
      return failed(result, "df " + home);
    }
    String[] fields = result.lastLine().split("\\s+");
    long freeBytes;
    try {
      freeBytes = Long.parseLong(fields[3]) * 1024;
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      return new Outcome(CheckStatus.FAIL, "cannot read free space from: " + result.lastLine());
    }
    long needed = node.layout().minFreeBytes();
    String message =
        Quantities.bytes(freeBytes)
            + " free in "
            + home
            + " (need "
            + Quantities.bytes(needed)
            + ")";
    return new Outcome(freeBytes >= needed ? CheckStatus.PASS : CheckStatus.FAIL, message);
  }

  private static Outcome checkOutcome(ExecResult result) {
    if (!result.isSuccess()) {
      return failed(result, "check");
    }
    String line = result.lastLine();
    return new Outcome(CheckStatus.PASS, line.isEmpty() ? "ok" : line);
  }

  private static Outcome failed(ExecResult result, String what) {
    if (result.timedOut()) {
      return new Outcome(CheckStatus.FAIL, what + " timed out after " + seconds(result.duration()));
    }
    String line = result.lastLine();
    return new Outcome(
        CheckStatus.FAIL,
        what + " exited " + result.exitCode() + (line.isEmpty() ? "" : ": " + line));
  }

  private ShellCommand render(String template, Node node) {
    Map<String, Value> values = new HashMap<>();
    values.put("cluster", Value.plain(cluster.name()));
    values.put("node", Value.plain(node.name()));
    values.put("host", Value.plain(node.host() == null ? "local" : node.host()));
    values.put("home", Value.plain(node.layout().home()));
    secretValues.forEach((k, v) -> values.put(Template.SECRET_PREFIX + k, Value.secret(v)));
    return Template.parse(template).render(values);
  }

  private static CheckResult timed(String name, Supplier<Outcome> check) {
    long start = System.nanoTime();
    Outcome outcome;
    try {
      outcome = check.get();
    } catch (TransportException e) {
      outcome = new Outcome(CheckStatus.FAIL, e.getMessage());
    } catch (TemplateException e) {
      outcome =
          new Outcome(
              CheckStatus.FAIL,
              e.getMessage().replace("has no value here", "is not known during inspect"));
    }
    return new CheckResult(
        name, outcome.status(), outcome.message(), Duration.ofNanos(System.nanoTime() - start));
  }

  private static String address(Node node) {
    if (node.transport() == TransportKind.LOCAL) {
      return "local";
    }
    String user = node.ssh().user() == null ? "" : node.ssh().user() + "@";
    String port = node.ssh().port() == null ? "" : ":" + node.ssh().port();
    return user + node.host() + port;
  }

  private static String seconds(Duration duration) {
    return Quantities.tenths(duration.toMillis() / 1000.0) + "s";
  }

  private record Outcome(CheckStatus status, String message) {}
}
