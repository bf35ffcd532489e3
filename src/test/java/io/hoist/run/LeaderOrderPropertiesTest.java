package io.hoist.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hoist.command.ShellCommand;
import io.hoist.model.Cluster;
import io.hoist.model.PhaseId;
import io.hoist.phase.Phase;
import io.hoist.phase.PhaseContext;
import io.hoist.phase.PhaseRunner;
import io.hoist.phase.RecordedRun;
import io.hoist.plan.Batch;
import io.hoist.plan.Hop;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Plan;
import io.hoist.plan.Planner;
import io.hoist.testing.ClusterScenarios;
import io.hoist.testing.ClusterScenarios.Scenario;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import io.hoist.transport.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * A serial role's leader goes last: decided at run time, when {@link ClusterRun} reaches the role's
 * first batch of a hop and asks every member. Checked on random clusters and plans ({@link
 * ClusterScenarios}: up to 10 nodes, most roles serial, so that quorums often meet in one hop) run
 * with fake nodes: each serial role with a leader command gets a random leader (or none), which
 * alone answers its probe; the phases only record the order. Expected: the plan's order with each
 * role's leader batch moved after the role's last batch of the hop, and one warning per role of a
 * hop whose members probe and none answers.
 */
class LeaderOrderPropertiesTest {

  @Provide
  Arbitrary<Scenario> scenarios() {
    return ClusterScenarios.scenarios(10, 60);
  }

  @Property(tries = 1000)
  void theLeaderOfEachSerialRoleGoesAfterItsOtherMembersInEveryHop(
      @ForAll("scenarios") Scenario s, @ForAll Random random) throws IOException {
    Cluster cluster = s.cluster();
    Plan plan = new Planner(cluster).plan(s.request());
    Set<String> leaders = leaders(plan, random);

    List<String> started = Collections.synchronizedList(new ArrayList<>());
    Path logs = Files.createTempDirectory("hoist-leader-");
    RunResult result;
    try {
      result =
          new ClusterRun(
                  cluster,
                  plan,
                  node -> new FakeNode(node.name(), leaders),
                  steps -> List.of(new Recording(started)),
                  new PhaseRunner(new RecordedRun(), Clock.systemUTC(), true),
                  duration -> {},
                  HookRunner.on(new FakeNode("core", Set.of()), Duration.ofSeconds(10)),
                  logs,
                  Clock.systemUTC())
              .run();
    } finally {
      delete(logs);
    }
    assertEquals(0, result.exitCode(), result.toString());

    int warnings = 0;
    int at = 0;
    boolean moved = false;
    boolean interleaved = false;
    for (Hop hop : plan.hops()) {
      List<Batch> expected = leaderLast(hop.batches(), leaders);
      moved |= !expected.equals(hop.batches());
      interleaved |= interleaved(hop.batches());
      warnings += leaderless(hop.batches(), leaders);
      int inHop = hop.batches().stream().mapToInt(b -> b.nodes().size()).sum();
      List<String> seen = started.subList(at, at + inHop);
      at += inHop;
      // The nodes of one batch start together, in any order; batches one after the other.
      List<Integer> batchOfSeen = new ArrayList<>();
      for (String entry : seen) {
        assertEquals(hop.version(), entry.substring(entry.indexOf('@') + 1), entry);
        int b = indexOf(expected, entry.substring(0, entry.indexOf('@')));
        if (batchOfSeen.isEmpty() || batchOfSeen.get(batchOfSeen.size() - 1) != b) {
          batchOfSeen.add(b);
        }
      }
      assertEquals(
          java.util.stream.IntStream.range(0, expected.size()).boxed().toList(),
          batchOfSeen,
          "hop " + hop.version() + ": leaders " + leaders + ", started " + seen);
    }
    assertEquals(at, started.size());
    assertEquals(warnings, result.warnings().size(), result.warnings().toString());
    Statistics.label("a leader moved last").collect(moved);
    Statistics.label("two serial roles interleaved in a hop").collect(interleaved);
  }

  /** Whether batches of two serial roles alternate (a, b, a) somewhere in the hop. */
  private static boolean interleaved(List<Batch> batches) {
    List<String> roles = batches.stream().map(Batch::serialRole).filter(r -> r != null).toList();
    for (int i = 0; i < roles.size(); i++) {
      for (int j = i + 1; j < roles.size(); j++) {
        if (!roles.get(j).equals(roles.get(i))
            && roles.subList(j + 1, roles.size()).contains(roles.get(i))) {
          return true;
        }
      }
    }
    return false;
  }

  /** For each serial role with a leader command, one of its members at random, or none. */
  private static Set<String> leaders(Plan plan, Random random) {
    Map<String, Set<String>> members = new LinkedHashMap<>();
    for (Hop hop : plan.hops()) {
      for (Batch b : hop.batches()) {
        if (b.leaderProbe() != null) {
          members.computeIfAbsent(b.serialRole(), r -> new java.util.TreeSet<>());
          members.get(b.serialRole()).add(b.nodes().get(0).node());
        }
      }
    }
    Set<String> leaders = new HashSet<>();
    members.forEach(
        (role, nodes) -> {
          List<String> list = new ArrayList<>(nodes);
          int pick = random.nextInt(list.size() + 1);
          if (pick < list.size()) {
            leaders.add(list.get(pick));
          }
        });
    return leaders;
  }

  /**
   * The order the run must follow: the plan's, with each serial role's leader batch (when exactly
   * one member of the hop answers) moved after the role's last batch.
   */
  private static List<Batch> leaderLast(List<Batch> batches, Set<String> leaders) {
    List<Batch> order = new ArrayList<>(batches);
    for (String role : serialRoles(batches)) {
      List<Batch> group = order.stream().filter(b -> role.equals(b.serialRole())).toList();
      List<Batch> answering = group.stream().filter(b -> isLeader(b, leaders)).toList();
      if (answering.size() == 1) {
        Batch leader = answering.get(0);
        int last = order.indexOf(group.get(group.size() - 1));
        order.remove(leader);
        order.add(last, leader);
      }
    }
    return order;
  }

  /** How many serial roles of the hop probe for a leader and find none. */
  private static int leaderless(List<Batch> batches, Set<String> leaders) {
    int count = 0;
    for (String role : serialRoles(batches)) {
      List<Batch> group = batches.stream().filter(b -> role.equals(b.serialRole())).toList();
      if (group.stream().anyMatch(b -> b.leaderProbe() != null)
          && group.stream().noneMatch(b -> isLeader(b, leaders))) {
        count++;
      }
    }
    return count;
  }

  private static List<String> serialRoles(List<Batch> batches) {
    return batches.stream()
        .map(Batch::serialRole)
        .filter(java.util.Objects::nonNull)
        .distinct()
        .toList();
  }

  private static boolean isLeader(Batch batch, Set<String> leaders) {
    return batch.leaderProbe() != null && leaders.contains(batch.nodes().get(0).node());
  }

  private static int indexOf(List<Batch> batches, String node) {
    for (int i = 0; i < batches.size(); i++) {
      if (batches.get(i).nodes().stream().map(NodeSteps::node).anyMatch(node::equals)) {
        return i;
      }
    }
    throw new AssertionError(node + " is in no batch");
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Records "node@version" when a node's (only) phase starts. */
  private record Recording(List<String> started) implements Phase {
    @Override
    public PhaseId id() {
      return PhaseId.INSTALL;
    }

    @Override
    public boolean isDone(PhaseContext context) {
      return false;
    }

    @Override
    public void run(PhaseContext context) {
      started.add(context.node().name() + "@" + context.steps().to());
    }
  }

  /** A node that runs nothing; a leader probe succeeds on a leader only. */
  private record FakeNode(String node, Set<String> leaders) implements Transport {
    @Override
    public void connect() {}

    @Override
    public ExecResult exec(ShellCommand command, Duration timeout, OutputSink sink) {
      boolean answers = command.script().equals("is-leader " + node) && leaders.contains(node);
      return new ExecResult(answers ? 0 : 1, "", "", Duration.ZERO, false);
    }

    @Override
    public String upload(Path local, String remotePath) {
      throw new UnsupportedOperationException("upload");
    }

    @Override
    public String upload(Path local, String remotePath, String knownSha256) {
      throw new UnsupportedOperationException("upload");
    }

    @Override
    public String download(String remotePath, Path local) {
      throw new UnsupportedOperationException("download");
    }

    @Override
    public void close() {}
  }
}
