package io.hoist.testing;

import io.hoist.model.Backup;
import io.hoist.model.BatchSize;
import io.hoist.model.Check;
import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.HealthCheck;
import io.hoist.model.Hooks;
import io.hoist.model.Layout;
import io.hoist.model.MaxStep;
import io.hoist.model.Node;
import io.hoist.model.Release;
import io.hoist.model.Role;
import io.hoist.model.SshSettings;
import io.hoist.model.Timeouts;
import io.hoist.model.TransportKind;
import io.hoist.model.UpgradePath;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.PlanRequest;
import io.hoist.plan.Planner;
import io.hoist.release.Version;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Test clusters built from model records, without the YAML loader. */
public final class Clusters {

  private Clusters() {}

  /** A cluster with no roles, checks, backup or commands but a version command. */
  public static Builder cluster(String name) {
    return new Builder(name);
  }

  /** The Helion kato role order. */
  public static final List<String> KATO_ORDER =
      List.of("dea", "controller", "router", "base", "primary");

  /** An SSH node on {@code NAME.test} with home {@code /opt/acme}. */
  public static Node node(String name, String... roles) {
    return new Node(
        name,
        TransportKind.SSH,
        name + ".test",
        List.of(roles),
        SshSettings.defaults(),
        new Layout("/opt/acme", 0),
        Commands.none());
  }

  /** A node run on this machine ({@code transport: local}) whose layout home is {@code home}. */
  public static Node localNode(String name, Path home) {
    return new Node(
        name,
        TransportKind.LOCAL,
        null,
        List.of(),
        SshSettings.defaults(),
        new Layout(home.toString(), 0),
        Commands.none());
  }

  /** A role with no settings of its own. */
  public static Role role(String name) {
    return Role.named(name);
  }

  /** A role upgraded up to {@code maxParallel} nodes at a time. */
  public static Role parallel(String name, int maxParallel) {
    return new Role(name, false, maxParallel, Duration.ZERO, null, null, null, Commands.none());
  }

  /** A serial role with a leader command. */
  public static Role serial(String name, String leader) {
    return new Role(name, true, 1, Duration.ofSeconds(60), leader, null, null, Commands.none());
  }

  /** A role with a ramp ({@code batches: [...]}), upgraded by zone when {@code byZone}. */
  public static Role ramped(String name, boolean byZone, BatchSize... sizes) {
    return new Role(
        name, false, 1, Duration.ZERO, null, null, null, Commands.none(), List.of(sizes), byZone);
  }

  /** {@code node} in {@code zone}. */
  public static Node inZone(Node node, String zone) {
    return new Node(
        node.name(),
        node.transport(),
        node.host(),
        node.roles(),
        node.ssh(),
        node.layout(),
        node.commands(),
        zone);
  }

  /** A role that retires and rejoins. */
  public static Role retiring(String name, int maxParallel, String retire, String rejoin) {
    return new Role(name, false, maxParallel, Duration.ZERO, null, retire, rejoin, Commands.none());
  }

  /** Fluent builder; every list keeps insertion order. */
  public static final class Builder {
    private final String name;
    private final List<String> roleOrder = new ArrayList<>();
    private final List<Role> roles = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<String> secrets = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<UpgradePath> paths = new ArrayList<>();
    private MaxStep maxStep = MaxStep.ANY;
    private Backup backup = Backup.none();
    private Commands commands =
        new Commands("cat ${home}/current/VERSION", null, null, null, null, null);

    private Builder(String name) {
      this.name = name;
    }

    public Builder roleOrder(List<String> order) {
      roleOrder.clear();
      roleOrder.addAll(order);
      return this;
    }

    public Builder roles(Role... more) {
      roles.addAll(List.of(more));
      return this;
    }

    public Builder nodes(Node... more) {
      nodes.addAll(List.of(more));
      return this;
    }

    public Builder check(String checkName, String run) {
      checks.add(new Check(checkName, run, Duration.ofSeconds(30)));
      return this;
    }

    public Builder secret(String secretName) {
      secrets.add(secretName);
      return this;
    }

    public Builder path(String to, String from) {
      paths.add(new UpgradePath(to, from));
      return this;
    }

    public Builder maxStep(MaxStep step) {
      this.maxStep = step;
      return this;
    }

    public Builder backup(String... backupPaths) {
      this.backup = new Backup(List.of(backupPaths), 3);
      return this;
    }

    public Builder commands(Commands overlay) {
      this.commands = commands.overlay(overlay);
      return this;
    }

    /** The default commands of DESIGN.md's sketch: version, stop, start, health, migrate. */
    public Builder acmeCommands() {
      return commands(
          new Commands(
              "cat ${home}/current/VERSION",
              "systemctl stop acme",
              "systemctl start acme",
              new HealthCheck("acme-ctl health", 30, Duration.ofSeconds(2)),
              "acme-ctl migrate --to ${version}",
              null));
    }

    public Cluster build() {
      List<Role> all = new ArrayList<>(roles);
      for (String r : roleOrder) {
        if (all.stream().noneMatch(x -> x.name().equals(r))) {
          all.add(Role.named(r));
        }
      }
      for (Node n : nodes) {
        for (String r : n.roles()) {
          if (all.stream().noneMatch(x -> x.name().equals(r))) {
            all.add(Role.named(r));
          }
        }
      }
      return new Cluster(
          name,
          new Release(
              "file:/srv/releases",
              "acme-${version}.tar.gz",
              paths,
              maxStep,
              null,
              Release.DEFAULT_KEEP),
          commands,
          roleOrder,
          all,
          checks,
          backup,
          Hooks.none(),
          Timeouts.defaults(),
          secrets,
          nodes);
    }
  }

  /**
   * The plan's steps for the single node {@code node} of {@code cluster} going from {@code from} to
   * {@code to} in one hop: what phase tests run.
   */
  public static NodeSteps onlySteps(Cluster cluster, String node, String from, String to) {
    return new Planner(cluster)
        .plan(
            new PlanRequest(
                List.of(),
                Map.of(node, Version.parse(from)),
                List.of(Version.parse(from), Version.parse(to)),
                Optional.of(Version.parse(to)),
                List.of(),
                false,
                0,
                Map.of()))
        .hops()
        .get(0)
        .batches()
        .get(0)
        .nodes()
        .get(0);
  }
}
