package io.hoist.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scale benchmark (issue 7): planning and a full simulated rolling upgrade of 100, 1,000 and
 * 10,000 nodes, in-process, over a wire that answers every command after a fixed delay ({@link
 * io.hoist.testing.SimulatedNodes}). Run by {@code bench/scale.sh}; see bench/README.md.
 *
 * <p>For each N it starts a fresh JVM ({@code java -Xmx... -cp THIS_CLASSPATH ScaleBench --one N}),
 * so that each N's heap is its own. That JVM warms up with a whole upgrade of {@value #WARM_UP}
 * nodes, then measures N ({@link ScaleRun}) and prints one line {@code RESULT {json}}. This JVM
 * prints the Markdown table, the ratios 10k/1k, and the verdict on the targets: 10,000 nodes
 * planned in under 1 s, run overhead at most 12 × for 10 × the nodes, heap under 512 MB. Exit 1
 * when a target is missed, unless {@code --no-fail}.
 *
 * <p>Options: {@code --nodes 100,1000,10000}, {@code --delay-ms 2}, {@code --max-parallel 50},
 * {@code --plan-runs 5}, {@code --heap 1g}, {@code --java-opts "..."} (for each N's JVM, e.g. a JFR
 * recording), {@code --work DIR} (default: a fresh directory under java.io.tmpdir, removed at the
 * end unless {@code --keep}), {@code --no-fail}.
 */
public final class ScaleBench {

  static final int WARM_UP = 100;
  static final double PLAN_TARGET_MS = 1000;
  static final double GROWTH_TARGET = 12;
  static final double HEAP_TARGET_MB = 512;

  private ScaleBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    Duration delay =
        Duration.ofNanos(
            Math.round(Double.parseDouble(options.getOrDefault("--delay-ms", "2")) * 1e6));
    int maxParallel = Integer.parseInt(options.getOrDefault("--max-parallel", "50"));
    int planRuns = Integer.parseInt(options.getOrDefault("--plan-runs", "5"));
    if (options.containsKey("--one")) {
      one(
          Integer.parseInt(options.get("--one")),
          Path.of(options.get("--work")),
          delay,
          maxParallel,
          planRuns,
          options.containsKey("--plan-only"));
      return;
    }
    boolean keep = options.containsKey("--keep");
    Path work =
        options.containsKey("--work")
            ? Files.createDirectories(Path.of(options.get("--work")))
            : Files.createTempDirectory("hoist-scale");
    List<ScaleRun.Result> results = new ArrayList<>();
    try {
      for (String n : options.getOrDefault("--nodes", "100,1000,10000").split(",")) {
        results.add(child(Integer.parseInt(n.strip()), work, options));
      }
    } finally {
      if (!keep) {
        ScaleRun.deleteQuietly(work);
      } else {
        System.err.println("work directory kept: " + work);
      }
    }
    List<String> missed = report(results, options);
    if (!missed.isEmpty() && !options.containsKey("--no-fail")) {
      System.exit(1);
    }
  }

  /** Runs one N in a fresh JVM and reads its result. */
  private static ScaleRun.Result child(int n, Path work, Map<String, String> options)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + options.getOrDefault("--heap", "1g"));
    String javaOpts = options.getOrDefault("--java-opts", "");
    for (String opt : javaOpts.strip().split("\\s+")) {
      if (!opt.isEmpty()) {
        command.add(opt.replace("{n}", Integer.toString(n)));
      }
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            ScaleBench.class.getName(),
            "--one",
            Integer.toString(n),
            "--work",
            work.resolve("n" + n).toString()));
    for (String passed : List.of("--delay-ms", "--max-parallel", "--plan-runs")) {
      if (options.containsKey(passed)) {
        command.add(passed);
        command.add(options.get(passed));
      }
    }
    if (options.containsKey("--plan-only")) {
      command.add("--plan-only");
    }
    System.err.println("== N = " + n + ": " + String.join(" ", command.subList(0, 2)) + " ...");
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String result = null;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("RESULT ")) {
          result = line.substring("RESULT ".length());
        } else {
          System.err.println(line);
        }
      }
    }
    int code = process.waitFor();
    if (code != 0 || result == null) {
      throw new IllegalStateException("the benchmark of N = " + n + " failed (exit " + code + ")");
    }
    return new ObjectMapper().readValue(result, ScaleRun.Result.class);
  }

  /** One N, in this JVM: a warm-up upgrade, then the measurement. */
  private static void one(
      int n, Path work, Duration delay, int maxParallel, int planRuns, boolean planOnly)
      throws IOException {
    Files.createDirectories(work);
    ScaleRun warm = new ScaleRun(work.resolve("warm-up"), delay, maxParallel, 2, false);
    Files.createDirectories(work.resolve("warm-up"));
    warm.measure(WARM_UP, warm.repository());
    ScaleRun run = new ScaleRun(work.resolve("measured"), delay, maxParallel, planRuns, planOnly);
    Files.createDirectories(work.resolve("measured"));
    ScaleRun.Result result = run.measure(n, run.repository());
    if (!planOnly && result.commands() != result.expectedCommands()) {
      throw new IllegalStateException(
          "the nodes received "
              + result.commands()
              + " commands, the critical path assumes "
              + result.expectedCommands()
              + ": the pipeline did not run as the benchmark assumes");
    }
    System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
  }

  /** Prints the table and the verdicts; returns the targets missed. */
  private static List<String> report(List<ScaleRun.Result> results, Map<String, String> options) {
    boolean planOnly = options.containsKey("--plan-only");
    if (planOnly) {
      System.out.println("| N | load ms | plan ms | plan CPU ms | critical path s |");
      System.out.println("|---|---|---|---|---|");
      for (ScaleRun.Result r : results) {
        System.out.println(
            String.format(
                Locale.ROOT,
                "| %,d | %.0f | %.1f | %.1f | %.2f |",
                r.nodes(),
                r.loadMs(),
                r.planMs(),
                r.planCpuMs(),
                r.criticalS()));
      }
    } else {
      table(results);
    }
    return verdict(results, options, planOnly);
  }

  private static void table(List<ScaleRun.Result> results) {
    System.out.println(
        "| N | load ms | plan ms | plan CPU ms | run s | critical path s | overhead s | overhead"
            + " per node ms | critical path at the delays measured s | heap after GC MB | heap"
            + " committed MB | journal events |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (ScaleRun.Result r : results) {
      System.out.println(
          String.format(
              Locale.ROOT,
              "| %,d | %.0f | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %,d |",
              r.nodes(),
              r.loadMs(),
              r.planMs(),
              r.planCpuMs(),
              r.runS(),
              r.criticalS(),
              overhead(r),
              overhead(r) * 1000 / r.nodes(),
              r.measuredCriticalS(),
              mb(r.heapAfterGcBytes()),
              mb(r.heapCommittedBytes()),
              r.journalEvents()));
    }
  }

  private static List<String> verdict(
      List<ScaleRun.Result> results, Map<String, String> options, boolean planOnly) {
    ScaleRun.Result first = results.get(0);
    System.out.println();
    System.out.println(
        String.format(
            Locale.ROOT,
            "Delay %.1f ms per command, max_parallel %s, journal and node logs on %s; each N in"
                + " its own JVM (-Xmx%s) after a warm-up upgrade of %d nodes. Plan ms, each run:"
                + " %s.",
            first.delayMs(),
            options.getOrDefault("--max-parallel", "50"),
            first.fileSystem(),
            options.getOrDefault("--heap", "1g"),
            WARM_UP,
            samples(results)));
    System.out.println(
        "Critical path: "
            + String.join(
                "; ",
                results.stream()
                    .map(
                        r ->
                            String.format(
                                Locale.ROOT,
                                "N=%d: %d batches, %d waves of commands",
                                r.nodes(),
                                r.batches(),
                                r.waves()))
                    .toList())
            + ".");
    System.out.println(
        "Load average (1 min) during each N: "
            + String.join(
                "; ",
                results.stream()
                    .map(r -> String.format(Locale.ROOT, "N=%d: %s", r.nodes(), r.load()))
                    .toList())
            + String.format(
                Locale.ROOT,
                " (%d cores). Plan CPU ms: the planning thread's CPU time (GC aside), for a loaded"
                    + " machine. Critical path at the delays measured: the same waves of commands"
                    + " times the mean time a delay really lasted (a sleep overshoots on a loaded"
                    + " machine); the run minus it is what hoist adds.",
                Runtime.getRuntime().availableProcessors()));
    List<String> missed = new ArrayList<>();
    ScaleRun.Result k1 = find(results, 1000);
    ScaleRun.Result k10 = find(results, 10000);
    if (k1 != null && k10 != null) {
      double plan = k10.planMs() / k1.planMs();
      double planCpu = k10.planCpuMs() / k1.planCpuMs();
      double over = overhead(k10) / overhead(k1);
      if (planOnly) {
        System.out.println(
            String.format(Locale.ROOT, "Ratios 10k/1k: plan %.1f× (CPU %.1f×).", plan, planCpu));
      } else {
        System.out.println(
            String.format(
                Locale.ROOT,
                "Ratios 10k/1k: plan %.1f× (CPU %.1f×), run overhead %.1f×, run %.1f×, heap after GC"
                    + " %.1f×.",
                plan,
                planCpu,
                over,
                k10.runS() / k1.runS(),
                (double) k10.heapAfterGcBytes() / k1.heapAfterGcBytes()));
      }
      if (over > GROWTH_TARGET && !planOnly) {
        missed.add(String.format(Locale.ROOT, "run overhead grew %.1f× (target ≤ 12×)", over));
      }
    }
    results(k1, k10, planOnly, results);
    if (k10 != null && k10.planMs() >= PLAN_TARGET_MS) {
      missed.add(
          String.format(
              Locale.ROOT, "10,000 nodes planned in %.0f ms (target < 1 s)", k10.planMs()));
    }
    for (ScaleRun.Result r : results) {
      if (mb(r.heapAfterGcBytes()) >= HEAP_TARGET_MB) {
        missed.add(
            String.format(
                Locale.ROOT,
                "N = %,d: heap after GC %.0f MB (target < 512 MB)",
                r.nodes(),
                mb(r.heapAfterGcBytes())));
      }
    }
    System.out.println(
        missed.isEmpty() ? "Targets: all met." : "Targets missed: " + String.join("; ", missed));
    return missed;
  }

  private static String samples(List<ScaleRun.Result> results) {
    List<String> parts = new ArrayList<>();
    for (ScaleRun.Result r : results) {
      parts.add(
          String.format(Locale.ROOT, "N=%d: ", r.nodes())
              + String.join(
                  " ",
                  r.planSamples().stream()
                      .map(s -> String.format(Locale.ROOT, "%.1f", s))
                      .toList()));
    }
    return String.join("; ", parts);
  }

  private static ScaleRun.Result find(List<ScaleRun.Result> results, int n) {
    return results.stream().filter(r -> r.nodes() == n).findFirst().orElse(null);
  }

  static double overhead(ScaleRun.Result r) {
    return r.runS() - r.criticalS();
  }

  private static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--no-fail", "--keep", "--plan-only" -> options.put(arg, "");
        case "--nodes",
            "--delay-ms",
            "--max-parallel",
            "--plan-runs",
            "--heap",
            "--java-opts",
            "--work",
            "--one" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(arg + " needs a value");
          }
          options.put(arg, args[++i]);
        }
        default -> throw new IllegalArgumentException("unknown argument: " + arg);
      }
    }
    return options;
  }

  /**
   * Appends the targets' figures to the file {@code $BENCH_RESULTS} names, as the other benchmarks
   * do (bench/lib.sh {@code bench_result}), for bench/run.sh's TARGETS table: the planning time of
   * 10,000 nodes (s), the run overhead's growth 10k/1k, the largest heap after GC (MB).
   */
  private static void results(
      ScaleRun.Result k1, ScaleRun.Result k10, boolean planOnly, List<ScaleRun.Result> all) {
    String file = System.getenv("BENCH_RESULTS");
    if (file == null || file.isEmpty()) {
      return;
    }
    List<String> lines = new ArrayList<>();
    if (k10 != null) {
      lines.add(String.format(Locale.ROOT, "scale.plan_10000_s %.4f", k10.planMs() / 1000));
    }
    if (k1 != null && k10 != null && !planOnly) {
      lines.add(
          String.format(Locale.ROOT, "scale.run_ratio_10x %.2f", overhead(k10) / overhead(k1)));
    }
    all.stream()
        .filter(r -> !planOnly && r.heapAfterGcBytes() > 0)
        .mapToDouble(r -> mb(r.heapAfterGcBytes()))
        .max()
        .ifPresent(mb -> lines.add(String.format(Locale.ROOT, "scale.heap_mb %.0f", mb)));
    try {
      java.nio.file.Files.write(
          java.nio.file.Path.of(file),
          lines,
          java.nio.charset.StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (java.io.IOException e) {
      System.err.println("cannot append to " + file + ": " + e.getMessage());
    }
  }
}
