package io.hoist.plan;

import static io.hoist.testing.Clusters.cluster;
import static io.hoist.testing.Clusters.node;
import static io.hoist.testing.Clusters.retiring;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.ShellCommand;
import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.PhaseId;
import io.hoist.model.SshSettings;
import io.hoist.model.TransportKind;
import io.hoist.release.Version;
import io.hoist.testing.Clusters;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlannerTest {

  private static final Cluster WEKA =
      cluster("weka")
          .path("3.6", ">=3.5.3")
          .path("3.5", ">=3.4.6")
          .path("3.4", ">=3.3.1")
          .nodes(node("a"), node("b"), node("c"))
          .build();

  private static List<Version> versions(String spaced) {
    return Arrays.stream(spaced.split("\\s+")).map(Version::parse).toList();
  }

  private static Map<String, Version> current(String... pairs) {
    Map<String, Version> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], Version.parse(pairs[i + 1]));
    }
    return map;
  }

  private static PlanRequest request(
      Map<String, Version> current, String available, String target, boolean force) {
    return new PlanRequest(
        List.of(),
        current,
        versions(available),
        Optional.ofNullable(target).map(Version::parse),
        List.of(),
        force,
        0,
        Map.of());
  }

  private static Step step(NodeSteps steps, PhaseId phase) {
    return steps.steps().stream().filter(s -> s.phase() == phase).findFirst().orElseThrow();
  }

  private static List<String> scripts(Step step) {
    return step.commands().stream().map(ShellCommand::script).toList();
  }

  private static NodeSteps only(Plan plan) {
    return plan.hops().get(0).batches().get(0).nodes().get(0);
  }

  @Test
  void nodesOnDifferentVersionsShareTheHopsTheyPassThrough() {
    Plan plan =
        new Planner(WEKA)
            .plan(
                request(
                    current("a", "3.4.2", "b", "3.5.3", "c", "3.6.1"),
                    "3.4.6 3.4.7 3.5.3 3.5.4 3.6.0 3.6.1",
                    null,
                    false));

    assertEquals("3.6.1", plan.target());
    assertEquals(
        List.of("3.4.7", "3.5.4", "3.6.1"), plan.hops().stream().map(Hop::version).toList());
    // b is on 3.5.3 already: one hop straight to 3.6.1 (fewest hops), joining a in the last hop.
    assertEquals(List.of(List.of("a"), List.of("a"), List.of("a", "b")), hopNodes(plan));
    NodeSteps aInHop3 = plan.hops().get(2).batches().get(0).nodes().get(0);
    assertEquals("3.5.4", aInHop3.from());
    NodeSteps bInHop3 = plan.hops().get(2).batches().get(1).nodes().get(0);
    assertEquals("3.5.3", bInHop3.from());
    assertEquals("3.6.1", bInHop3.to());
    assertEquals(
        List.of(
            new NodePath("a", "3.4.2", List.of("3.4.7", "3.5.4", "3.6.1"), null),
            new NodePath("b", "3.5.3", List.of("3.6.1"), null),
            new NodePath("c", "3.6.1", List.of(), "already at 3.6.1")),
        plan.nodes());
  }

  private static List<List<String>> hopNodes(Plan plan) {
    return plan.hops().stream()
        .map(
            h ->
                h.batches().stream().flatMap(b -> b.nodes().stream()).map(NodeSteps::node).toList())
        .toList();
  }

  @Test
  void everyNodeAtTargetMeansAnEmptyPlan() {
    Plan plan =
        new Planner(WEKA)
            .plan(request(current("a", "3.6.1", "b", "3.6.1", "c", "3.6.1"), "3.6.1", null, false));

    assertTrue(plan.isEmpty());
    assertTrue(plan.nodes().stream().allMatch(p -> "already at 3.6.1".equals(p.skipReason())));
  }

  @Test
  void forceReinstallsTheTargetInOneHop() {
    Plan plan =
        new Planner(WEKA)
            .plan(request(current("a", "3.6.1", "b", "3.6.1", "c", "3.6.1"), "3.6.1", null, true));

    assertEquals(1, plan.hops().size());
    assertEquals(List.of(List.of("a", "b", "c")), hopNodes(plan));
    assertEquals(new NodePath("a", "3.6.1", List.of("3.6.1"), null), plan.nodes().get(0));
    assertEquals("3.6.1", only(plan).from());
    assertTrue(step(only(plan), PhaseId.VERSION_CHECK).summary().contains("forced"));
  }

  @Test
  void explicitTargetBelowTheNewest() {
    Plan plan =
        new Planner(WEKA)
            .plan(
                request(
                    current("a", "3.5.3", "b", "3.5.3", "c", "3.5.4"),
                    "3.5.3 3.5.4 3.6.1",
                    "3.5.4",
                    false));

    assertEquals("3.5.4", plan.target());
    assertEquals(List.of(List.of("a", "b")), hopNodes(plan));
  }

  @Test
  void aNodeNewerThanTheTargetIsRefused() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () ->
                new Planner(WEKA)
                    .plan(
                        request(
                            current("a", "3.5.3", "b", "3.6.1", "c", "3.5.3"),
                            "3.5.4 3.6.1",
                            "3.5.4",
                            false)));

    assertTrue(e.getMessage().startsWith("node b runs 3.6.1, newer than the target 3.5.4"));
  }

  @Test
  void everyNodeWithoutAPathIsNamed() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () ->
                new Planner(WEKA)
                    .plan(
                        request(
                            current("a", "3.2.0", "b", "3.5.3", "c", "3.3.0"),
                            "3.4.7 3.5.4 3.6.1",
                            "3.6.1",
                            false)));

    assertTrue(e.getMessage().contains("node a: no upgrade path from 3.2.0"), e.getMessage());
    assertTrue(e.getMessage().contains("\nnode c: no upgrade path from 3.3.0"), e.getMessage());
  }

  @Test
  void nodesOnOneVersionWithoutAPathAreEachNamed() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () ->
                new Planner(WEKA)
                    .plan(
                        request(
                            current("a", "3.2.0", "b", "3.5.3", "c", "3.2.0"),
                            "3.4.7 3.5.4 3.6.1",
                            "3.6.1",
                            false)));

    assertTrue(e.getMessage().startsWith("node a: no upgrade path from 3.2.0"), e.getMessage());
    assertTrue(e.getMessage().contains("\nnode c: no upgrade path from 3.2.0"), e.getMessage());
  }

  /**
   * A large cluster, every node named as the command line names them: each node gets the path of
   * its own version and its own rendered commands, exactly as the three nodes above (the planner
   * looks each version's path and each template up once per plan).
   */
  @Test
  void manyNodesOnSeveralVersionsEachGetTheirOwnPathAndCommands() {
    int n = 900;
    List<Node> nodes = new java.util.ArrayList<>();
    Map<String, Version> running = new LinkedHashMap<>();
    List<String> cycle = List.of("3.4.2", "3.5.3", "3.6.1");
    for (int i = 0; i < n; i++) {
      nodes.add(node("n" + i));
      running.put("n" + i, Version.parse(cycle.get(i % 3)));
    }
    Cluster cluster =
        cluster("weka")
            .path("3.6", ">=3.5.3")
            .path("3.5", ">=3.4.6")
            .path("3.4", ">=3.3.1")
            .commands(new Commands(null, "stop ${node} ${from_version}", null, null, null, null))
            .nodes(nodes.toArray(Node[]::new))
            .build();
    List<Version> available = versions("3.4.6 3.4.7 3.5.3 3.5.4 3.6.0 3.6.1");
    PlanRequest byName =
        new PlanRequest(
            nodes.stream().map(Node::name).toList(),
            running,
            available,
            Optional.empty(),
            List.of(),
            false,
            0,
            Map.of());

    Plan plan = new Planner(cluster).plan(byName);

    Map<String, List<String>> pathOf =
        Map.of(
            "3.4.2", List.of("3.4.7", "3.5.4", "3.6.1"),
            "3.5.3", List.of("3.6.1"),
            "3.6.1", List.of());
    assertEquals(n, plan.nodes().size());
    for (NodePath path : plan.nodes()) {
      assertEquals(pathOf.get(path.current()), path.versions(), path.node());
      assertEquals(running.get(path.node()).text(), path.current());
    }
    assertEquals(
        List.of(n / 3, n / 3, 2 * n / 3), hopNodes(plan).stream().map(List::size).toList());
    for (Hop hop : plan.hops()) {
      for (Batch batch : hop.batches()) {
        for (NodeSteps steps : batch.nodes()) {
          assertEquals(
              List.of("stop " + steps.node() + " " + steps.from()),
              scripts(step(steps, PhaseId.STOP)));
        }
      }
    }
    assertEquals(
        plan,
        new Planner(cluster)
            .plan(
                new PlanRequest(
                    List.of(),
                    running,
                    available,
                    Optional.empty(),
                    List.of(),
                    false,
                    0,
                    Map.of())),
        "naming every node plans what naming none does");
  }

  @Test
  void noReachableReleaseIsAValidationFailure() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () ->
                new Planner(WEKA)
                    .plan(
                        request(
                            current("a", "3.3.0", "b", "3.3.0", "c", "3.2.0"),
                            "3.5.4 3.6.1",
                            null,
                            false)));

    assertEquals(
        "no release in the repository is reachable from 3.2.0, 3.3.0 (releases: 3.5.4, 3.6.1)",
        e.getMessage());
  }

  @Test
  void aSelectedNodeWithoutARunningVersionIsAProgrammingError() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Planner(WEKA).plan(request(current("a", "3.6.1"), "3.6.1", null, false)));
  }

  @Test
  void onlyTheNamedNodesArePlanned() {
    PlanRequest request =
        new PlanRequest(
            List.of("c", "a"),
            current("a", "3.5.3", "c", "3.5.3"),
            versions("3.6.1"),
            Optional.empty(),
            List.of(),
            false,
            0,
            Map.of());

    Plan plan = new Planner(WEKA).plan(request);

    assertEquals(
        List.of(List.of("a"), List.of("c")),
        plan.hops().get(0).batches().stream()
            .map(b -> b.nodes().stream().map(NodeSteps::node).toList())
            .toList());
  }

  // --- steps and commands ---

  private static final Cluster ACME =
      cluster("prod east")
          .roleOrder(List.of("dea", "primary"))
          .roles(retiring("dea", 2, "acme-ctl dea drain ${node}", "acme-ctl dea join ${node}"))
          .acmeCommands()
          .check("disk", "df ${home}")
          .check("auth", "acme-ctl login --token ${secret.TOKEN}")
          .secret("TOKEN")
          .backup("/etc/acme", "/var/lib/acme")
          .nodes(
              node("dea-1", "dea"),
              new Node(
                  "self",
                  TransportKind.LOCAL,
                  null,
                  List.of("primary"),
                  SshSettings.defaults(),
                  new Layout("/opt/my acme", 0),
                  Commands.none()))
          .build();

  private static Plan acmePlan(Map<String, String> secrets) {
    return new Planner(ACME)
        .plan(
            new PlanRequest(
                List.of(),
                current("dea-1", "3.5.3", "self", "3.5.3"),
                versions("3.5.3 3.6.1+build.7"),
                Optional.empty(),
                List.of(),
                false,
                0,
                secrets));
  }

  @Test
  void everyPhaseInOrderWithExactCommands() {
    NodeSteps dea = only(acmePlan(Map.of("TOKEN", "s3cr3t")));

    assertEquals("dea-1.test", dea.host());
    assertEquals(
        List.of(
            PhaseId.VERSION_CHECK,
            PhaseId.PRE_VALIDATE,
            PhaseId.RETIRE,
            PhaseId.STOP,
            PhaseId.BACKUP,
            PhaseId.INSTALL,
            PhaseId.START,
            PhaseId.MIGRATE,
            PhaseId.POST_VALIDATE,
            PhaseId.REJOIN),
        dea.steps().stream().map(Step::phase).toList());
    assertEquals(
        List.of("cat /opt/acme/current/VERSION"), scripts(step(dea, PhaseId.VERSION_CHECK)));
    assertEquals(List.of("acme-ctl dea drain dea-1"), scripts(step(dea, PhaseId.RETIRE)));
    assertEquals(List.of(), scripts(step(dea, PhaseId.BACKUP)));
    assertEquals(
        "archive /etc/acme, /var/lib/acme to the core node's backup store, then verify it",
        step(dea, PhaseId.BACKUP).summary());
    assertEquals(
        List.of(
            "test -d /opt/acme/releases/3.6.1+build.7 && ln -sfn /opt/acme/releases/3.6.1+build.7"
                + " /opt/acme/.current.hoist-tmp && mv -Tf /opt/acme/.current.hoist-tmp"
                + " /opt/acme/current"),
        scripts(step(dea, PhaseId.INSTALL)));
    assertEquals(List.of("systemctl stop acme"), scripts(step(dea, PhaseId.STOP)));
    assertEquals("stop the product (within 1m30s)", step(dea, PhaseId.STOP).summary());
    assertEquals(List.of("systemctl start acme"), scripts(step(dea, PhaseId.START)));
    assertEquals("start 3.6.1+build.7 (within 5m)", step(dea, PhaseId.START).summary());
    assertEquals(
        List.of("acme-ctl migrate --to 3.6.1+build.7"), scripts(step(dea, PhaseId.MIGRATE)));
    assertEquals(List.of("acme-ctl health"), scripts(step(dea, PhaseId.POST_VALIDATE)));
    assertEquals(
        "wait until healthy: up to 30 retries, every 2s",
        step(dea, PhaseId.POST_VALIDATE).summary());
    assertEquals(List.of("acme-ctl dea join dea-1"), scripts(step(dea, PhaseId.REJOIN)));
    // Going back: the previous release started, checked and rejoined.
    assertEquals(
        List.of(PhaseId.START, PhaseId.POST_VALIDATE, PhaseId.REJOIN),
        dea.rollback().stream().map(Step::phase).toList());
    assertEquals(
        List.of("acme-ctl dea join dea-1"),
        scripts(dea.rollbackStep(PhaseId.REJOIN).orElseThrow()));
  }

  @Test
  void valuesAreShellQuoted() {
    Plan plan = acmePlan(Map.of("TOKEN", "s3cr3t"));
    NodeSteps self = plan.hops().get(0).batches().get(1).nodes().get(0);

    assertEquals("local", self.host());
    assertEquals(
        List.of("cat '/opt/my acme'/current/VERSION"), scripts(step(self, PhaseId.VERSION_CHECK)));
    assertEquals(
        List.of(
            "test -d '/opt/my acme/releases/3.6.1+build.7' && ln -sfn '/opt/my"
                + " acme/releases/3.6.1+build.7' '/opt/my acme/.current.hoist-tmp' && mv -Tf '/opt/my"
                + " acme/.current.hoist-tmp' '/opt/my acme/current'"),
        scripts(step(self, PhaseId.INSTALL)));
    assertEquals("df '/opt/my acme'", step(self, PhaseId.PRE_VALIDATE).commands().get(0).script());
  }

  @Test
  void secretsRunButNeverShow() {
    Step checks = step(only(acmePlan(Map.of("TOKEN", "it's secret"))), PhaseId.PRE_VALIDATE);

    ShellCommand auth = checks.commands().get(1);
    assertEquals("acme-ctl login --token 'it'\\''s secret'", auth.script());
    assertEquals("acme-ctl login --token '***'", auth.display());
    assertEquals("run the checks: disk, auth", checks.summary());
  }

  @Test
  void aSecretWithoutValueIsAUsageError() {
    UsageException e = assertThrows(UsageException.class, () -> acmePlan(Map.of()));

    assertTrue(
        e.getMessage().startsWith("secret TOKEN is not set in the environment"), e.getMessage());
  }

  @Test
  void stepsThatAreNotDefinedAreOmitted() {
    Cluster bare = cluster("bare").nodes(node("n1")).build();

    NodeSteps steps =
        only(new Planner(bare).plan(request(current("n1", "1.0.0"), "1.0.0 1.1.0", null, false)));

    assertEquals(
        List.of(PhaseId.VERSION_CHECK, PhaseId.INSTALL, PhaseId.POST_VALIDATE),
        steps.steps().stream().map(Step::phase).toList());
    Step post = step(steps, PhaseId.POST_VALIDATE);
    assertEquals(List.of("cat /opt/acme/current/VERSION"), scripts(post));
    assertEquals(
        "check that the version command prints 1.1.0 (no health check is defined)", post.summary());
  }

  @Test
  void rollbackCommandsAreRenderedForThePreviousRelease() {
    Cluster custom =
        cluster("custom")
            .commands(
                new Commands(
                    null,
                    "svc stop",
                    "svc start acme@${version}",
                    new io.hoist.model.HealthCheck(
                        "acme-health --expect ${version} --from ${from_version}",
                        3,
                        java.time.Duration.ofSeconds(2)),
                    null,
                    null))
            .nodes(node("n1"))
            .build();

    NodeSteps steps =
        only(new Planner(custom).plan(request(current("n1", "1.0.0"), "1.1.0", null, false)));

    assertEquals(List.of("svc start acme@1.1.0"), scripts(step(steps, PhaseId.START)));
    assertEquals(
        List.of("svc start acme@1.0.0"), scripts(steps.rollbackStep(PhaseId.START).orElseThrow()));
    assertEquals(
        List.of("acme-health --expect 1.0.0 --from 1.1.0"),
        scripts(steps.rollbackStep(PhaseId.POST_VALIDATE).orElseThrow()));
    assertTrue(steps.rollbackStep(PhaseId.REJOIN).isEmpty());
  }

  @Test
  void anInstallCommandReplacesTheSwitch() {
    Cluster custom =
        cluster("custom")
            .commands(
                new Commands(
                    null,
                    "svc stop",
                    null,
                    null,
                    null,
                    "acme-install ${release_dir} ${from_version}"))
            .nodes(node("n1"))
            .build();

    NodeSteps steps =
        only(new Planner(custom).plan(request(current("n1", "1.0.0"), "1.1.0", null, false)));

    assertEquals(
        List.of("acme-install /opt/acme/releases/1.1.0 1.0.0"),
        scripts(step(steps, PhaseId.INSTALL)));
    assertEquals(List.of("svc stop"), scripts(step(steps, PhaseId.STOP)));
    assertEquals("stop the product (within 1m30s)", step(steps, PhaseId.STOP).summary());
    assertTrue(steps.step(PhaseId.START).isEmpty(), "no start command: no start phase");
  }

  @Test
  void everyRoleThatRetiresRetiresAndRejoins() {
    Cluster multi =
        cluster("multi")
            .roleOrder(List.of("dea", "router"))
            .roles(
                retiring("router", 1, "router-drain", null),
                retiring("dea", 1, "dea-drain dea", "dea-join dea"))
            .nodes(node("n1", "router", "dea"))
            .build();

    NodeSteps steps =
        only(new Planner(multi).plan(request(current("n1", "1.0.0"), "1.1.0", null, false)));

    assertEquals(List.of("dea-drain dea", "router-drain"), scripts(step(steps, PhaseId.RETIRE)));
    assertEquals(
        "drain the node before it goes down (roles dea, router)",
        step(steps, PhaseId.RETIRE).summary());
    assertEquals(List.of("dea-join dea"), scripts(step(steps, PhaseId.REJOIN)));
  }

  @Test
  void clustersBuilderAddsRolesNamedOnlyOnNodes() {
    Cluster c = Clusters.cluster("x").nodes(node("n", "ghost")).build();

    assertTrue(c.role("ghost").isPresent());
  }
}
