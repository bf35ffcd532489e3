package io.hoist.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.cli.Cli;
import io.hoist.cli.Environment;
import io.hoist.config.ClusterLoader;
import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.plan.Batch;
import io.hoist.plan.Hop;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Plan;
import io.hoist.plan.PlanRequest;
import io.hoist.plan.Planner;
import io.hoist.plan.Step;
import io.hoist.release.Version;
import io.hoist.run.FanOut;
import io.hoist.testing.SimulatedNodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One measurement of the scale benchmark, in this JVM: a cluster of {@code n} simulated nodes in a
 * work directory, planned {@code planRuns} times with {@link Planner#plan} (after two warm-up
 * plans; wall time and the planning thread's CPU time), then upgraded once by the real command line
 * ({@code hoist --output json upgrade --cluster --yes --to 1.1.0}, in-process through {@link
 * Cli#run} with the simulated wire): the cluster file is loaded, every node's version read, the
 * release checked as staged on every node, the run lock and journal taken, the plan run batch by
 * batch through the phases, the report printed as JSON.
 */
final class ScaleRun {

  /** What one run measured. */
  record Result(
      int nodes,
      double loadMs,
      double planMs,
      double planCpuMs,
      List<Double> planSamples,
      double runS,
      double criticalS,
      double measuredCriticalS,
      int batches,
      int waves,
      long commands,
      long expectedCommands,
      long journalEvents,
      long heapAfterGcBytes,
      long heapCommittedBytes,
      int collections,
      String fileSystem,
      double delayMs,
      String load) {}

  private final Path work;
  private final Duration delay;
  private final int maxParallel;
  private final int planRuns;
  private final boolean planOnly;

  /**
   * @param planOnly measure the planning only (no upgrade: run time, commands, heap are 0)
   */
  ScaleRun(Path work, Duration delay, int maxParallel, int planRuns, boolean planOnly) {
    this.work = work;
    this.delay = delay;
    this.maxParallel = maxParallel;
    this.planRuns = planRuns;
    this.planOnly = planOnly;
  }

  /** Packs release {@code TO} into a fresh repository under the work directory; returns it. */
  Path repository() throws IOException {
    Path release = Files.createDirectories(work.resolve("release"));
    Files.writeString(release.resolve("VERSION"), ScaleCluster.TO + "\n");
    Path repository = Files.createDirectories(work.resolve("repo"));
    StringBuilderWriter out = new StringBuilderWriter();
    int code =
        Cli.run(
            new String[] {
              "-q",
              "version",
              "pack",
              release.toString(),
              "--version",
              ScaleCluster.TO,
              "--product",
              "acme",
              "--into",
              repository.toString()
            },
            environment(null),
            new PrintWriter(out, true),
            new PrintWriter(out, true));
    if (code != 0) {
      throw new IllegalStateException("version pack exited " + code + ":\n" + out);
    }
    return repository;
  }

  /** Plans and upgrades {@code n} nodes; the heap is watched from here on. */
  Result measure(int n, Path repository) throws IOException {
    Path dir = Files.createDirectories(work.resolve("n" + n));
    String loadBefore = loadAverage();
    Path file =
        ScaleCluster.write(
            dir.resolve("cluster.yaml"), n, repository, work.resolve("cache"), maxParallel);

    long t0 = System.nanoTime();
    Cluster cluster = new ClusterLoader().load(file);
    double loadMs = (System.nanoTime() - t0) / 1e6;

    PlanRequest request = request(cluster);
    Plan plan = null;
    for (int i = 0; i < 2; i++) {
      plan = new Planner(cluster).plan(request);
    }
    List<Double> samples = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < planRuns; i++) {
      long start = System.nanoTime();
      long startCpu = threads.getCurrentThreadCpuTime();
      plan = new Planner(cluster).plan(request);
      cpu.add((threads.getCurrentThreadCpuTime() - startCpu) / 1e6);
      samples.add((System.nanoTime() - start) / 1e6);
    }
    if (planOnly) {
      CriticalPath path = CriticalPath.of(plan, n);
      return new Result(
          n,
          loadMs,
          median(samples),
          median(cpu),
          samples,
          0,
          path.waves() * delay.toNanos() / 1e9,
          0,
          path.batches(),
          path.waves(),
          0,
          path.commands(),
          0,
          0,
          0,
          0,
          Files.getFileStore(dir).type(),
          delay.toNanos() / 1e6,
          loadBefore + " to " + loadAverage());
    }

    SimulatedNodes nodes = ScaleCluster.nodes(n, new SimulatedNodes(delay));
    Path state = Files.createDirectories(dir.resolve("state"));
    System.gc();
    HeapWatch heap = new HeapWatch();
    double runS;
    try (heap) {
      long start = System.nanoTime();
      upgrade(file, nodes, dir, state);
      runS = (System.nanoTime() - start) / 1e9;
    }
    check(cluster, nodes, dir);

    CriticalPath path = CriticalPath.of(plan, n);
    long commands = 0;
    for (Node node : cluster.nodes()) {
      commands += nodes.commands(node.name());
    }
    return new Result(
        n,
        loadMs,
        median(samples),
        median(cpu),
        samples,
        runS,
        path.waves() * delay.toNanos() / 1e9,
        path.waves() * nodes.meanWait().toNanos() / 1e9,
        path.batches(),
        path.waves(),
        commands,
        path.commands(),
        journalEvents(state),
        heap.usedAfterGc(),
        heap.committed(),
        heap.collections(),
        Files.getFileStore(state).type(),
        delay.toNanos() / 1e6,
        loadBefore + " to " + loadAverage());
  }

  /**
   * The request {@code hoist upgrade --cluster --to TO} hands the planner (as PlanService does).
   */
  static PlanRequest request(Cluster cluster) {
    Map<String, Version> current = new LinkedHashMap<>();
    cluster.nodes().forEach(node -> current.put(node.name(), Version.parse(ScaleCluster.FROM)));
    return new PlanRequest(
        cluster.nodes().stream().map(Node::name).toList(),
        current,
        List.of(Version.parse(ScaleCluster.TO)),
        Optional.of(Version.parse(ScaleCluster.TO)),
        List.of(),
        false,
        0,
        Map.of());
  }

  private void upgrade(Path file, SimulatedNodes nodes, Path dir, Path state) throws IOException {
    Path stdout = dir.resolve("report.json");
    Path stderr = dir.resolve("stderr.log");
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("HOIST_STATE_DIR", state.toString());
    try (PrintWriter out =
            new PrintWriter(Files.newBufferedWriter(stdout, StandardCharsets.UTF_8), false);
        PrintWriter err =
            new PrintWriter(Files.newBufferedWriter(stderr, StandardCharsets.UTF_8), false)) {
      int code =
          Cli.run(
              new String[] {
                "-c",
                file.toString(),
                "--output",
                "json",
                "upgrade",
                "--cluster",
                "--yes",
                "--to",
                ScaleCluster.TO
              },
              environment(nodes, variables),
              out,
              err);
      if (code != 0) {
        err.flush();
        throw new IllegalStateException(
            "hoist upgrade exited " + code + "; see " + stderr + " and " + stdout);
      }
    }
  }

  /** Every node on the target, and the report says so. */
  private static void check(Cluster cluster, SimulatedNodes nodes, Path dir) throws IOException {
    for (Node node : cluster.nodes()) {
      if (!nodes.current(node.name()).equals(ScaleCluster.TO)) {
        throw new IllegalStateException(
            "node " + node.name() + " is on " + nodes.current(node.name()));
      }
    }
    JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    if (!report.path("ok").asBoolean() || report.path("nodes").size() != cluster.nodes().size()) {
      throw new IllegalStateException("the report does not say every node was upgraded");
    }
    for (JsonNode node : report.path("nodes")) {
      if (!"upgraded".equals(node.path("state").asText())) {
        throw new IllegalStateException("report: " + node);
      }
    }
  }

  private static long journalEvents(Path state) throws IOException {
    try (Stream<Path> files = Files.walk(state)) {
      long lines = 0;
      for (Path journal :
          files.filter(f -> f.getFileName().toString().equals("journal.jsonl")).toList()) {
        try (Stream<String> all = Files.lines(journal)) {
          lines += all.count();
        }
      }
      return lines;
    }
  }

  private Environment environment(SimulatedNodes wire) {
    return environment(wire, Map.of());
  }

  private Environment environment(SimulatedNodes wire, Map<String, String> extra) {
    Map<String, String> variables = new LinkedHashMap<>(extra);
    Path home = work.resolve("home");
    variables.put("HOME", home.toString());
    variables.put("USER", "bench");
    variables.put("XDG_CACHE_HOME", work.resolve("xdg-cache").toString());
    variables.putIfAbsent("HOIST_STATE_DIR", work.resolve("state").toString());
    return new Environment(variables, work, home, false, false, wire);
  }

  /** The 1-minute load average (Linux), or "?": the machine is shared, the reader should know. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /**
   * The time a run cannot go below on a wire whose every command takes the same delay, counted in
   * waves of commands (one delay each), in the order the command runs them:
   *
   * <ol>
   *   <li>the plan reads every node's version and marker ({@code HOME/.hoist/ongoing}, the same
   *       command), {@link FanOut#DEFAULT_MAX_PARALLEL} nodes at a time: ceil(N / 32) waves; the
   *       pre-flight marker refusal and the staging take those reads instead of asking again;
   *   <li>staging probes whether the release is staged, 32 at a time: ceil(N / 32) waves;
   *   <li>the run, batch after batch: a batch lasts as long as its slowest node, whose commands are
   *       one per command of each of its steps (the version check's read answers its "already
   *       done?" question too and writes the node marker first; the install's "already done?" check
   *       is in its first command), plus the node marker's removal (a health check passes on its
   *       first try); the first batch of a serial role adds one wave (every member asked for the
   *       leader at once); settle is 0.
   * </ol>
   *
   * The commands the wire counted must equal {@link #commands()}, or the pipeline did not run as
   * assumed and the critical path is wrong.
   *
   * @param batches the plan's batches
   * @param waves the critical path in delays
   * @param commands how many commands the nodes receive in all
   */
  record CriticalPath(int batches, int waves, long commands) {

    static CriticalPath of(Plan plan, int n) {
      int fan = FanOut.DEFAULT_MAX_PARALLEL;
      int reads = (n + fan - 1) / fan;
      int waves = 2 * reads;
      long commands = 2L * n;
      int batches = 0;
      for (Hop hop : plan.hops()) {
        Set<String> probed = new HashSet<>();
        for (Batch batch : hop.batches()) {
          batches++;
          if (batch.serial() && probed.add(batch.serialRole())) {
            waves++;
            commands +=
                hop.batches().stream()
                    .filter(b -> batch.serialRole().equals(b.serialRole()))
                    .filter(b -> b.leaderProbe() != null)
                    .count();
          }
          int slowest = 0;
          for (NodeSteps steps : batch.nodes()) {
            int own = commands(steps);
            slowest = Math.max(slowest, own);
            commands += own;
          }
          waves += slowest;
        }
      }
      return new CriticalPath(batches, waves, commands);
    }

    /** The commands one node receives in the run. */
    static int commands(NodeSteps steps) {
      // The node marker: written in the version check's command, removed at the node's end. The
      // install's "already done?" check is in its first command.
      int count = 1;
      for (Step step : steps.steps()) {
        count += step.commands().size();
      }
      return count;
    }
  }

  /** A writer into a string, for a command's output kept for its error message. */
  private static final class StringBuilderWriter extends Writer {
    private final StringBuilder text = new StringBuilder();

    @Override
    public void write(char[] buffer, int offset, int length) {
      text.append(buffer, offset, length);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    @Override
    public String toString() {
      return text.toString();
    }
  }

  static void deleteQuietly(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
