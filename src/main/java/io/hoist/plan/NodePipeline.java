package io.hoist.plan;

import io.hoist.command.ShellCommand;
import io.hoist.command.ShellQuote;
import io.hoist.command.Template;
import io.hoist.command.TemplateException;
import io.hoist.command.Value;
import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import io.hoist.model.Check;
import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.HealthCheck;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.PhaseId;
import io.hoist.model.Role;
import io.hoist.model.TransportKind;
import io.hoist.release.Version;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds one node's steps for one hop: the phases in order, with rendered commands. */
final class NodePipeline {

  private final Cluster cluster;
  private final List<String> order;
  private final Map<String, String> secretValues;

  /**
   * Each command template parsed once per plan, not once per node: 10,000 nodes share a handful.
   * Not thread-safe, as this class: one plan builds it.
   */
  private final Map<String, Template> templates = new HashMap<>();

  NodePipeline(Cluster cluster, List<String> order, Map<String, String> secretValues) {
    this.cluster = cluster;
    this.order = order;
    this.secretValues = secretValues;
  }

  NodeSteps steps(Node node, Version from, Version to, boolean force) {
    Map<String, Value> values = values(node, from, to);
    Commands commands = cluster.commandsFor(node, order);
    Layout layout = node.layout();
    List<Step> steps = new ArrayList<>();

    if (commands.version() != null) {
      String summary =
          force
              ? "read the running version (expect "
                  + from
                  + "; forced: upgrade even if on "
                  + to
                  + ")"
              : "read the running version (expect " + from + "); skip the node if it is on " + to;
      steps.add(step(PhaseId.VERSION_CHECK, summary, node, values, commands.version()));
    }

    if (!cluster.checks().isEmpty()) {
      List<ShellCommand> runs = new ArrayList<>();
      for (Check check : cluster.checks()) {
        runs.add(render(check.run(), node, PhaseId.PRE_VALIDATE, values));
      }
      String names = String.join(", ", cluster.checks().stream().map(Check::name).toList());
      steps.add(new Step(PhaseId.PRE_VALIDATE, "run the checks: " + names, runs));
    }

    List<Role> retiring = rolesInOrder(node).stream().filter(r -> r.retire() != null).toList();
    if (!retiring.isEmpty()) {
      List<ShellCommand> runs = new ArrayList<>();
      for (Role role : retiring) {
        runs.add(render(role.retire(), node, PhaseId.RETIRE, values));
      }
      steps.add(
          new Step(
              PhaseId.RETIRE,
              "drain the node before it goes down (" + roleNames(retiring) + ")",
              runs));
    }

    if (commands.stop() != null) {
      steps.add(
          step(
              PhaseId.STOP,
              "stop the product (within " + human(cluster.timeouts().stop()) + ")",
              node,
              values,
              commands.stop()));
    }

    if (!cluster.backup().paths().isEmpty()) {
      steps.add(
          new Step(
              PhaseId.BACKUP,
              "archive "
                  + String.join(", ", cluster.backup().paths())
                  + " to the core node's backup store, then verify it",
              List.of()));
    }

    String releaseDir = layout.releaseDir(to.text());
    if (commands.install() != null) {
      steps.add(
          step(
              PhaseId.INSTALL,
              "install " + to + " with the install command (within " + human(switchLimit()) + ")",
              node,
              values,
              commands.install()));
    } else {
      String tmp = layout.home() + "/.current.hoist-tmp";
      String script =
          "test -d "
              + ShellQuote.quote(releaseDir)
              + " && ln -sfn "
              + ShellQuote.quote(releaseDir)
              + " "
              + ShellQuote.quote(tmp)
              + " && mv -Tf "
              + ShellQuote.quote(tmp)
              + " "
              + ShellQuote.quote(layout.currentLink());
      steps.add(
          new Step(
              PhaseId.INSTALL,
              "switch " + layout.currentLink() + " to the staged release " + releaseDir,
              List.of(ShellCommand.of(script))));
    }

    if (commands.start() != null) {
      steps.add(
          step(
              PhaseId.START,
              "start " + to + " (within " + human(cluster.timeouts().start()) + ")",
              node,
              values,
              commands.start()));
    }

    if (commands.migrate() != null) {
      steps.add(
          step(
              PhaseId.MIGRATE,
              "migrate the node's state to " + to,
              node,
              values,
              commands.migrate()));
    }

    postValidate(node, to, commands, values).ifPresent(steps::add);
    rejoin(node, retiring, values).ifPresent(steps::add);

    // Going back: the same commands rendered for the previous release.
    Map<String, Value> back = values(node, to, from);
    List<Step> rollback = new ArrayList<>();
    if (commands.start() != null) {
      rollback.add(
          step(
              PhaseId.START,
              "start " + from + " again (within " + human(cluster.timeouts().start()) + ")",
              node,
              back,
              commands.start()));
    }
    postValidate(node, from, commands, back).ifPresent(rollback::add);
    rejoin(node, retiring, back).ifPresent(rollback::add);

    return new NodeSteps(
        node.name(), host(node), from.text(), to.text(), steps, rollback, node.zone());
  }

  private Optional<Step> postValidate(
      Node node, Version to, Commands commands, Map<String, Value> values) {
    HealthCheck health = commands.health();
    if (health != null) {
      return Optional.of(
          step(
              PhaseId.POST_VALIDATE,
              "wait until healthy: up to "
                  + health.retries()
                  + " retries, every "
                  + human(health.interval()),
              node,
              values,
              health.run()));
    }
    if (commands.version() != null) {
      return Optional.of(
          step(
              PhaseId.POST_VALIDATE,
              "check that the version command prints " + to + " (no health check is defined)",
              node,
              values,
              commands.version()));
    }
    return Optional.empty();
  }

  private Optional<Step> rejoin(Node node, List<Role> retiring, Map<String, Value> values) {
    List<Role> rejoining = retiring.stream().filter(r -> r.rejoin() != null).toList();
    if (rejoining.isEmpty()) {
      return Optional.empty();
    }
    List<ShellCommand> runs = new ArrayList<>();
    for (Role role : rejoining) {
      runs.add(render(role.rejoin(), node, PhaseId.REJOIN, values));
    }
    return Optional.of(
        new Step(PhaseId.REJOIN, "rejoin the cluster (" + roleNames(rejoining) + ")", runs));
  }

  /** A command of a node outside its pipeline (a role's finalize), rendered for its release. */
  ShellCommand command(String template, Node node, String what, Version from, Version to) {
    return render(template, node, null, values(node, from, to), what);
  }

  /** The leader command of a serial role, rendered for one of its nodes. */
  String leaderProbe(Node node, String role, String leader, Version to, Version from) {
    ShellCommand probe = render(leader, node, null, values(node, from, to));
    if (!probe.script().equals(probe.display())) {
      // Batch.leaderProbe is plain text shown in the plan: a secret would leak there.
      throw new UsageException(
          "the leader command of role " + role + " uses a secret; leader commands may not");
    }
    return probe.script();
  }

  private Step step(PhaseId phase, String summary, Node node, Map<String, Value> values, String t) {
    return new Step(phase, summary, List.of(render(t, node, phase, values)));
  }

  private Map<String, Value> values(Node node, Version from, Version to) {
    Map<String, Value> values = new HashMap<>();
    values.put("cluster", Value.plain(cluster.name()));
    values.put("node", Value.plain(node.name()));
    values.put("host", Value.plain(host(node)));
    values.put("home", Value.plain(node.layout().home()));
    values.put("version", Value.plain(to.text()));
    values.put("from_version", Value.plain(from.text()));
    values.put("release_dir", Value.plain(node.layout().releaseDir(to.text())));
    secretValues.forEach(
        (name, value) -> values.put(Template.SECRET_PREFIX + name, Value.secret(value)));
    return values;
  }

  private ShellCommand render(String source, Node node, PhaseId phase, Map<String, Value> values) {
    return render(source, node, phase, values, phase == null ? null : phase.id());
  }

  private ShellCommand render(
      String source, Node node, PhaseId phase, Map<String, Value> values, String what) {
    String where = "node " + node.name() + (what == null ? "" : ", " + what);
    try {
      Template template = templates.get(source);
      if (template == null) {
        template = Template.parse(source);
        templates.put(source, template);
      }
      for (String name : template.variables()) {
        if (name.startsWith(Template.SECRET_PREFIX) && !values.containsKey(name)) {
          throw new UsageException(
              "secret "
                  + name.substring(Template.SECRET_PREFIX.length())
                  + " is not set in the environment (needed by "
                  + where
                  + ")");
        }
      }
      return template.render(values);
    } catch (TemplateException e) {
      throw new ValidationException(where + ": " + e.getMessage(), e);
    }
  }

  /** The node's roles that the cluster defines, in the role order, others after in file order. */
  private List<Role> rolesInOrder(Node node) {
    List<String> names = new ArrayList<>(node.roles());
    names.sort(Comparator.comparingInt(r -> order.contains(r) ? order.indexOf(r) : order.size()));
    return names.stream().map(n -> cluster.role(n).orElseGet(() -> Role.named(n))).toList();
  }

  private static String roleNames(List<Role> roles) {
    return (roles.size() == 1 ? "role " : "roles ")
        + String.join(", ", roles.stream().map(Role::name).toList());
  }

  private Duration switchLimit() {
    return cluster.timeouts().switchRelease();
  }

  static String host(Node node) {
    return node.transport() == TransportKind.LOCAL || node.host() == null ? "local" : node.host();
  }

  /** 90s, 5m, 1m30s, 2h, 500ms. */
  static String human(Duration d) {
    if (d.toMillisPart() != 0 || d.isZero()) {
      return d.toMillis() + "ms";
    }
    long h = d.toHours();
    int m = d.toMinutesPart();
    int s = d.toSecondsPart();
    StringBuilder out = new StringBuilder();
    if (h > 0) {
      out.append(h).append('h');
    }
    if (m > 0) {
      out.append(m).append('m');
    }
    if (s > 0 || out.length() == 0) {
      out.append(s).append('s');
    }
    return out.toString();
  }
}
