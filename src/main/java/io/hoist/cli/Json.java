package io.hoist.cli;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hoist.command.ShellCommand;
import io.hoist.error.Problem;
import io.hoist.inspect.CheckResult;
import io.hoist.inspect.InspectReport;
import io.hoist.inspect.NodeReport;
import io.hoist.plan.Batch;
import io.hoist.plan.Hop;
import io.hoist.plan.NodePath;
import io.hoist.plan.NodeSteps;
import io.hoist.plan.Plan;
import io.hoist.plan.Step;
import io.hoist.release.Manifest;
import io.hoist.release.Version;
import io.hoist.run.DryRunReport;
import io.hoist.run.ReleaseService;
import io.hoist.stage.StageResult;
import io.hoist.stage.StagedReleases;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON shapes of hoist's results (snake_case keys; one JSON Schema per command in {@code
 * docs/json/}, checked by the tests). Built as ordered maps so the shape is explicit here, not
 * derived from class internals; commands appear only in their display form, never with a secret.
 */
final class Json {

  /**
   * The version of the documented shapes, the first field of every document: raised when a field is
   * removed, renamed or changes meaning (adding a field does not raise it).
   */
  static final int SCHEMA_VERSION = 1;

  private static final ObjectMapper MAPPER =
      new ObjectMapper(new JsonFactoryBuilder().characterEscapes(new TerminalSafe()).build())
          .enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Escapes, besides what JSON requires (C0 controls, quote, backslash), DEL, the C1 controls and
   * the bidi controls {@link Text#forTerminal} escapes: JSON is often read on a terminal, and those
   * act there even inside a string. The escaped text decodes to the same string.
   */
  private static final class TerminalSafe extends CharacterEscapes {
    private static final long serialVersionUID = 1L;

    private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

    TerminalSafe() {
      ascii[0x7f] = CharacterEscapes.ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      boolean escape =
          (ch >= 0x80 && ch <= 0x9f)
              || (ch >= 0x202a && ch <= 0x202e)
              || (ch >= 0x2066 && ch <= 0x2069);
      return escape ? new SerializedString(String.format(Locale.ROOT, "\\u%04x", ch)) : null;
    }
  }

  private Json() {}

  /** A result document: {@code schema_version} first, then {@code fields} in their order. */
  static Map<String, Object> document(Map<String, ?> fields) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schema_version", SCHEMA_VERSION);
    fields.forEach(
        (key, value) -> {
          if (!key.equals("schema_version")) {
            root.put(key, value);
          }
        });
    return root;
  }

  /**
   * How a command failed, for {@code --output json} (its message also goes to stderr).
   *
   * @param code the exit code
   * @param kind the kind of error: usage, config, validation, transport, locked, interrupted,
   *     internal
   * @param message the message, as stderr shows it
   * @param node the node it happened on, or null
   * @param problems every problem of a cluster file (config errors), else empty
   */
  static Map<String, Object> error(
      int code, String kind, String message, String node, List<Problem> problems) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("kind", kind);
    error.put("message", message);
    error.put("node", node);
    List<Object> list = new ArrayList<>();
    for (Problem problem : problems) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("file", problem.file());
      p.put("line", problem.line());
      p.put("column", problem.column());
      p.put("message", problem.message());
      list.add(p);
    }
    error.put("problems", list);
    return Map.of("error", error);
  }

  /**
   * The JSON object {@code text} holds (a nested command's document, in the demo's), or null when
   * it holds none.
   */
  static com.fasterxml.jackson.databind.JsonNode parse(String text) {
    try {
      com.fasterxml.jackson.databind.JsonNode json = MAPPER.readTree(text);
      return json != null && json.isObject() ? json : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /**
   * A run record that, once the first phase of a run has ended, builds the mapper and its
   * serializers on a thread of their own ({@link #warm}): the run's JSON report then starts without
   * the 100 to 150 ms a fresh JVM spends on them, which come out of a window otherwise spent
   * waiting on the nodes.
   */
  static io.hoist.phase.RunRecord warmsTheReport() {
    java.util.concurrent.atomic.AtomicBoolean started =
        new java.util.concurrent.atomic.AtomicBoolean();
    return new io.hoist.phase.RunRecord() {
      @Override
      public void phaseStarted(String node, io.hoist.model.PhaseId phase) {}

      @Override
      public void phaseEnded(
          String node,
          io.hoist.model.PhaseId phase,
          io.hoist.phase.Outcome outcome,
          java.time.Duration duration,
          String message) {
        if (started.compareAndSet(false, true)) {
          Thread thread = new Thread(Json::warm, "hoist-json-warmup");
          thread.setDaemon(true);
          thread.setPriority(Thread.MIN_PRIORITY);
          thread.start();
        }
      }

      @Override
      public void undoStarted(String node, io.hoist.model.PhaseId phase) {}

      @Override
      public void undoEnded(
          String node,
          io.hoist.model.PhaseId phase,
          io.hoist.phase.Outcome outcome,
          java.time.Duration duration,
          String message) {}
    };
  }

  /** Writes a small document of a report's kinds of values, and throws the text away. */
  static void warm() {
    Map<String, Object> sample = new LinkedHashMap<>();
    sample.put("text", "\u0085 é");
    sample.put("number", 1L);
    sample.put("small", 1);
    sample.put("flag", true);
    sample.put("none", null);
    sample.put("list", List.of(Map.of("k", "v")));
    try {
      MAPPER.writeValueAsString(document(sample));
    } catch (JsonProcessingException e) {
      // Only a head start: the report writes its own document and reports its own failures.
    }
  }

  static void print(PrintWriter out, Object value) {
    try {
      out.println(MAPPER.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    out.flush();
  }

  /** A node marker as read: {@code state} and, when readable, what it names. */
  static Map<String, Object> marker(io.hoist.command.NodeMarker.Read read) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", read.kind().name().toLowerCase(java.util.Locale.ROOT));
    io.hoist.command.NodeMarker marker = read.marker().orElse(null);
    m.put("run", marker == null ? null : marker.run());
    m.put("core", marker == null ? null : marker.core());
    m.put("started", marker == null ? null : marker.started());
    m.put("command", marker == null ? null : marker.command());
    m.put("problem", read.problem());
    return m;
  }

  static Map<String, Object> inspect(InspectReport report) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("cluster", report.cluster());
    root.put("ok", report.isOk());
    List<Object> nodes = new ArrayList<>();
    for (NodeReport node : report.nodes()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", node.node());
      n.put("address", node.address());
      n.put("version", node.version());
      n.put("ok", node.isOk());
      List<Object> checks = new ArrayList<>();
      for (CheckResult check : node.checks()) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", check.name());
        c.put("status", check.status().id());
        c.put("message", check.message());
        c.put("duration_ms", check.duration().toMillis());
        checks.add(c);
      }
      n.put("checks", checks);
      n.put("marker", marker(node.marker()));
      nodes.add(n);
    }
    root.put("nodes", nodes);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("nodes", report.nodes().size());
    summary.put("passed", report.passedNodes());
    summary.put("failed", report.nodes().size() - report.passedNodes());
    root.put("summary", summary);
    return root;
  }

  static Map<String, Object> plan(Plan plan) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("cluster", plan.cluster());
    root.put("dry_run", true);
    root.put("rollback", plan.rollback());
    root.put("target", plan.target());
    root.put("role_order", plan.roleOrder());
    List<Object> nodes = new ArrayList<>();
    for (NodePath path : plan.nodes()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", path.node());
      n.put("current", path.current());
      n.put("path", path.versions());
      n.put("skip_reason", path.skipReason());
      nodes.add(n);
    }
    root.put("nodes", nodes);
    List<Object> hops = new ArrayList<>();
    for (Hop hop : plan.hops()) {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("hop", hop.number());
      h.put("version", hop.version());
      List<Object> batches = new ArrayList<>();
      for (Batch batch : hop.batches()) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("batch", batch.number());
        b.put("role", batch.role());
        b.put("serial", batch.serial());
        b.put("serial_role", batch.serialRole());
        b.put("leader_probe", batch.leaderProbe());
        b.put("zone", batch.zone());
        List<Object> steps = new ArrayList<>();
        for (NodeSteps node : batch.nodes()) {
          steps.add(nodeSteps(node));
        }
        b.put("nodes", steps);
        batches.add(b);
      }
      h.put("batches", batches);
      hops.add(h);
    }
    root.put("hops", hops);
    return root;
  }

  /** The plan with what an honest dry run adds: {@code impact} and {@code unverified}. */
  static Map<String, Object> plan(Plan plan, DryRunReport report) {
    Map<String, Object> root = plan(plan);
    Map<String, Object> impact = new LinkedHashMap<>();
    List<Object> nodes = new ArrayList<>();
    for (DryRunReport.NodeImpact node : report.nodes()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", node.node());
      n.put("hop", node.hop());
      n.put("role", node.role().equals(DryRunReport.NO_ROLE) ? null : node.role());
      n.put("zone", node.zone());
      n.put("stops", node.stops());
      n.put("retire", node.retire());
      n.put("rejoin", node.rejoin());
      nodes.add(n);
    }
    impact.put("nodes", nodes);
    List<Object> roles = new ArrayList<>();
    for (DryRunReport.RoleDowntime role : report.roles()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("role", role.role().equals(DryRunReport.NO_ROLE) ? null : role.role());
      r.put("nodes", role.nodes());
      r.put("batches", role.batches());
      r.put("per_node_ms", role.perNode().toMillis());
      r.put("total_ms", role.total().toMillis());
      r.put("source", role.source() == DryRunReport.Source.MEASURED ? "measured" : "timeouts");
      r.put("runs", role.runs());
      r.put("samples", role.samples());
      r.put("basis", role.basis());
      roles.add(r);
    }
    impact.put("roles", roles);
    root.put("impact", impact);
    List<Object> unverified = new ArrayList<>();
    for (DryRunReport.Unverified item : report.unverified()) {
      Map<String, Object> u = new LinkedHashMap<>();
      u.put("kind", item.kind());
      u.put("message", item.message());
      unverified.add(u);
    }
    root.put("unverified", unverified);
    return root;
  }

  static Map<String, Object> packed(Manifest manifest, java.nio.file.Path bundle, String sha256) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("bundle", bundle.toString());
    root.put("sha256", sha256);
    root.put("bytes", bundle.toFile().length());
    root.put("product", manifest.product());
    root.put("version", manifest.version().text());
    root.put("upgrade_from", manifest.upgradeFrom() == null ? null : manifest.upgradeFrom().text());
    root.put("min_hoist", manifest.minHoist() == null ? null : manifest.minHoist().text());
    return root;
  }

  static Map<String, Object> fetched(ReleaseService.Fetched fetched) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("version", fetched.version().text());
    root.put("product", fetched.manifest().product());
    root.put("bundle", fetched.bundle().toString());
    root.put("sha256", fetched.sha256());
    Manifest manifest = fetched.manifest();
    root.put("upgrade_from", manifest.upgradeFrom() == null ? null : manifest.upgradeFrom().text());
    root.put("min_hoist", manifest.minHoist() == null ? null : manifest.minHoist().text());
    return root;
  }

  /** {@code version prepare}'s document: the cluster, then the release's staging. */
  static Map<String, Object> prepared(String cluster, ReleaseService.Prepared prepared) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("cluster", cluster);
    root.putAll(staged(prepared));
    return root;
  }

  /** One release staged on nodes (in prepare's, --prepare-only's and upgrade's documents). */
  /** The finalize commands of an upgrade, in order (docs/json/finalize.schema.json). */
  static List<Map<String, Object>> finalizeSteps(
      List<io.hoist.run.FinalizeService.StepResult> steps) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (io.hoist.run.FinalizeService.StepResult step : steps) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("node", step.node());
      s.put("role", step.role());
      s.put("command", step.command());
      s.put("status", step.status().name().toLowerCase(Locale.ROOT).replace('_', '-'));
      s.put("duration_ms", step.duration().toMillis());
      s.put("message", step.message());
      list.add(s);
    }
    return list;
  }

  static Map<String, Object> staged(ReleaseService.Prepared prepared) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("version", prepared.release().version().text());
    root.put("bundle", prepared.release().bundle().getFileName().toString());
    root.put("sha256", prepared.release().sha256());
    root.put("ok", prepared.isOk());
    List<Object> nodes = new ArrayList<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    for (StageResult.Status status : StageResult.Status.values()) {
      counts.put(status.name().toLowerCase(java.util.Locale.ROOT), 0L);
    }
    for (StageResult node : prepared.nodes()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", node.node());
      n.put("status", Text.status(node));
      n.put("message", node.message());
      n.put("bytes_sent", node.bytesSent());
      n.put("duration_ms", node.duration().toMillis());
      n.put("pruned", node.pruned());
      nodes.add(n);
      counts.merge(node.status().name().toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
    }
    root.put("nodes", nodes);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("nodes", prepared.nodes().size());
    counts.forEach(summary::put);
    root.put("summary", summary);
    return root;
  }

  static Map<String, Object> listing(ReleaseService.Listing listing) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("repository", listing.repository());
    root.put("offered", listing.offered().stream().map(Version::text).toList());
    root.put("cached", listing.cached().stream().map(Version::text).toList());
    List<Object> nodes = new ArrayList<>();
    for (StagedReleases node : listing.nodes()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", node.node());
      n.put("current", node.current());
      n.put("staged", node.staged());
      n.put("error", node.error());
      nodes.add(n);
    }
    root.put("nodes", nodes);
    return root;
  }

  private static Map<String, Object> nodeSteps(NodeSteps node) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("node", node.node());
    n.put("host", node.host());
    n.put("from", node.from());
    n.put("to", node.to());
    n.put("zone", node.zone());
    List<Object> steps = new ArrayList<>();
    for (Step step : node.steps()) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("phase", step.phase().id());
      s.put("summary", step.summary());
      s.put("commands", step.commands().stream().map(ShellCommand::display).toList());
      steps.add(s);
    }
    n.put("steps", steps);
    return n;
  }
}
