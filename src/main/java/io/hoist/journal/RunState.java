package io.hoist.journal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a run stands, as its journal tells: replayed event by event, so that a run that crashed
 * shows the phase each node was in when it stopped.
 */
public final class RunState {

  /** Where one node stands. */
  public enum NodeState {
    /** In the plan, no event yet. */
    NOT_STARTED,
    /** A hop started and did not end: the run stopped inside it (crash, kill, interrupt). */
    IN_PROGRESS,
    /** Its last hop ended as {@link Node#status()} says and more hops were planned. */
    BETWEEN_HOPS,
    /** Its last planned hop ended well: at the target. */
    DONE,
    /** Its last hop ended in a failure ({@link Node#status()}). */
    FAILED,
    /**
     * It failed, was rolled back, and the run went on without it within its failure budget ({@code
     * --on-failure skip}): a resume does not retry it ({@link Node#failedPhase()}, {@link
     * Node#message()} say why).
     */
    SKIPPED
  }

  /**
   * One node as the journal knows it.
   *
   * @param node its name
   * @param from its version when the run started
   * @param target the version the run takes it to
   * @param path the versions of its hops, in order
   * @param reached the version of its last hop that ended well (else {@code from})
   * @param hopFrom the version its current (or last) hop started from, null before any
   * @param hopTo the version of its current (or last) hop, null before any
   * @param state where it stands
   * @param status the status of its last ended hop ({@code upgraded}, {@code failed-rolled-back},
   *     ...), null when none ended
   * @param phase the last phase (or undo) that started on it, null before any
   * @param undo whether that was an undo
   * @param phaseEnded whether that phase (or undo) ended
   * @param message the last failure message, empty when none
   * @param backups the backups written of it, oldest first (core-node paths)
   * @param passed the phases of its current (or last) hop that ended well (ok, or already done)
   * @param hopBackup the backup written in its current (or last) hop, null when none
   * @param newReleaseRan whether a new release may have run on it in this run (a start or a migrate
   *     started in some hop: a killed run's command goes on on the node): its data may have changed
   *     since its first backup
   * @param failedPhase the phase that failed in its last failed hop, null when none did
   * @param retired whether hoist retired it (this run, or an earlier one whose debt this run
   *     carried: the run-started event's {@code retired}) and has not rejoined it since
   */
  public record Node(
      String node,
      String from,
      String target,
      List<String> path,
      String reached,
      String hopFrom,
      String hopTo,
      NodeState state,
      String status,
      String phase,
      boolean undo,
      boolean phaseEnded,
      String message,
      List<String> backups,
      List<String> passed,
      String hopBackup,
      boolean newReleaseRan,
      String failedPhase,
      boolean retired) {

    public Node {
      Objects.requireNonNull(node, "node");
      path = List.copyOf(path);
      backups = List.copyOf(backups);
      passed = List.copyOf(passed);
    }
  }

  private final String runId;
  private final JsonNode started;
  private final Map<String, Node> nodes;
  private final Integer exitCode;
  private final boolean interrupted;
  private final boolean tornTail;
  private final String lastTimestamp;
  private String endReason;
  private final java.util.Set<String> hooksRan = new java.util.LinkedHashSet<>();
  private final List<String> finalizePending = new ArrayList<>();
  private final List<String> finalizedRuns = new ArrayList<>();
  private String finalizedAt;
  private boolean finalizeRan;

  private RunState(
      String runId,
      JsonNode started,
      Map<String, Node> nodes,
      Integer exitCode,
      boolean interrupted,
      boolean tornTail,
      String lastTimestamp) {
    this.runId = runId;
    this.started = started;
    this.nodes = nodes;
    this.exitCode = exitCode;
    this.interrupted = interrupted;
    this.tornTail = tornTail;
    this.lastTimestamp = lastTimestamp;
  }

  /**
   * Replays a journal's events.
   *
   * @throws IllegalArgumentException when the journal does not start with a run-started event
   */
  public static RunState of(JournalReader.Read read) {
    List<JsonNode> events = read.events();
    if (events.isEmpty() || !"run-started".equals(text(events.get(0), "event"))) {
      throw new IllegalArgumentException("the journal does not start with a run-started event");
    }
    JsonNode start = events.get(0);
    Map<String, Builder> nodes = new LinkedHashMap<>();
    JsonNode planned = start.path("nodes");
    planned.fieldNames().forEachRemaining(n -> nodes.put(n, new Builder(n, planned.get(n))));
    for (JsonNode carried : start.path("retired")) {
      nodes.computeIfAbsent(carried.asText(), n -> new Builder(n, null)).retired = true;
    }
    Integer exit = null;
    boolean interrupted = false;
    String reason = null;
    java.util.Set<String> hooksRan = new java.util.LinkedHashSet<>();
    List<String> pending = new ArrayList<>();
    List<String> finalized = new ArrayList<>();
    String finalizedTs = null;
    boolean ran = false;
    String last = text(start, "ts");
    for (JsonNode event : events.subList(1, events.size())) {
      last = text(event, "ts");
      String kind = text(event, "event");
      if ("run-ended".equals(kind)) {
        exit = event.path("exit_code").asInt();
        interrupted = event.path("interrupted").asBoolean();
        reason = text(event, "reason");
        continue;
      }
      if ("hook-ended".equals(kind)) {
        hooksRan.add(text(event, "hook"));
        continue;
      }
      if ("finalize-pending".equals(kind)) {
        pending.clear();
        event.path("roles").forEach(r -> pending.add(r.asText()));
        continue;
      }
      if ("finalize-ended".equals(kind)) {
        ran |= event.path("ok").asBoolean();
        continue;
      }
      if ("run-finalized".equals(kind)) {
        finalized.add(text(event, "finalizes"));
        finalizedTs = last;
        continue;
      }
      if ("finalize-started".equals(kind)) {
        continue;
      }
      String name = text(event, "node");
      if (name == null) {
        continue;
      }
      Builder node = nodes.computeIfAbsent(name, n -> new Builder(n, null));
      switch (kind) {
        case "node-started" -> node.hopStarted(text(event, "from"), text(event, "to"));
        case "phase-started" -> node.phase(text(event, "phase"), false);
        case "undo-started" -> node.phase(text(event, "phase"), true);
        case "phase-ended", "undo-ended" -> node.phaseEnded(event);
        case "backup-written" -> node.backup(text(event, "path"));
        case "node-ended" ->
            node.hopEnded(
                text(event, "status"), text(event, "message"), text(event, "failed_phase"));
        case "node-skipped" -> node.skipped(text(event, "failed_phase"), text(event, "message"));
        case "node-retired" -> node.retired = true;
        case "node-rejoined" -> node.retired = false;
        default -> {}
      }
    }
    Map<String, Node> built = new LinkedHashMap<>();
    nodes.forEach((name, b) -> built.put(name, b.build()));
    RunState state =
        new RunState(text(start, "run"), start, built, exit, interrupted, read.tornTail(), last);
    state.hooksRan.addAll(hooksRan);
    state.endReason = reason;
    state.finalizePending.addAll(pending);
    state.finalizedRuns.addAll(finalized);
    state.finalizedAt = finalizedTs;
    state.finalizeRan = ran;
    return state;
  }

  /** The run's id. */
  public String runId() {
    return runId;
  }

  /** The run-started event: the command, its arguments, the cluster, the plan. */
  public JsonNode started() {
    return started;
  }

  /** The command's arguments, as the run-started event recorded them. */
  public List<String> args() {
    List<String> args = new ArrayList<>();
    for (JsonNode arg : started.path("args")) {
      args.add(arg.asText());
    }
    return args;
  }

  /** The command of the run ({@code upgrade}, {@code rollback}). */
  public String command() {
    return started.path("command").asText();
  }

  /** The run this one resumed, if it was a resume. */
  public Optional<String> resumes() {
    JsonNode resumes = started.get("resumes");
    return resumes == null || resumes.isNull() ? Optional.empty() : Optional.of(resumes.asText());
  }

  /** The nodes, in plan order. */
  public List<Node> nodes() {
    return List.copyOf(nodes.values());
  }

  /** One node. */
  public Optional<Node> node(String name) {
    return Optional.ofNullable(nodes.get(name));
  }

  /** The run's exit code, empty when it did not end (it crashed or was killed). */
  public Optional<Integer> exitCode() {
    return Optional.ofNullable(exitCode);
  }

  /** Whether the run ended by an interrupt. */
  public boolean interrupted() {
    return interrupted;
  }

  /** Why the run was interrupted, when it says (the maintenance window closed). */
  public Optional<String> endReason() {
    return Optional.ofNullable(endReason);
  }

  /** The nodes it skipped past within its failure budget, in plan order. */
  public List<Node> skipped() {
    return nodes.values().stream().filter(n -> n.state() == NodeState.SKIPPED).toList();
  }

  /** Whether it ended: a run-ended event was written. */
  public boolean ended() {
    return exitCode != null;
  }

  /** Whether the journal's last line was torn (a crash while writing it). */
  public boolean tornTail() {
    return tornTail;
  }

  /** The time of the last event (ISO-8601). */
  public String lastTimestamp() {
    return lastTimestamp;
  }

  /** The cluster hooks that ran and ended ({@code before_cluster}, {@code after_cluster}). */
  public java.util.Set<String> hooksRan() {
    return java.util.Set.copyOf(hooksRan);
  }

  /**
   * The roles whose finalize commands were pending when the run ended "upgraded, not finalized"
   * (empty when none was: no role of it has one, it failed, or it finalized in the same run).
   */
  public List<String> finalizePending() {
    return List.copyOf(finalizePending);
  }

  /** The upgrade runs this run finalized (itself with {@code --finalize}, or a finalize run's). */
  public List<String> finalizedRuns() {
    return List.copyOf(finalizedRuns);
  }

  /** When this run recorded a finalization (ISO-8601), empty when it did not. */
  public Optional<String> finalizedAt() {
    return Optional.ofNullable(finalizedAt);
  }

  /** Whether some finalize command of this run ended well (the data format may have moved on). */
  public boolean finalizeRan() {
    return finalizeRan;
  }

  /** The run's target release, as the run-started event recorded it ("" when none). */
  public String target() {
    return started.path("target").asText();
  }

  /** The plan's batches, hop by hop, each its node names in order. */
  public List<List<String>> batches() {
    List<List<String>> batches = new ArrayList<>();
    for (JsonNode hop : started.path("hops")) {
      for (JsonNode batch : hop.path("batches")) {
        List<String> names = new ArrayList<>();
        batch.forEach(n -> names.add(n.asText()));
        batches.add(names);
      }
    }
    return batches;
  }

  /** The upgrade run a {@code hoist finalize} run finalizes, empty for other runs. */
  public Optional<String> finalizes() {
    JsonNode finalizes = started.get("finalizes");
    return finalizes == null || finalizes.isNull()
        ? Optional.empty()
        : Optional.of(finalizes.asText());
  }

  /**
   * The nodes hoist retired and has not rejoined, as this run left them (with what it carried over
   * from the run it resumed or rolled back), in plan order.
   */
  public List<String> notRejoined() {
    return nodes.values().stream().filter(Node::retired).map(Node::node).toList();
  }

  /** Whether every node is at its target (nothing left for a resume). */
  public boolean complete() {
    return nodes.values().stream().allMatch(n -> n.state() == NodeState.DONE);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static final class Builder {
    private final String node;
    private final String from;
    private final List<String> path = new ArrayList<>();
    private final List<String> backups = new ArrayList<>();
    private String reached;
    private String hopFrom;
    private String hopTo;
    private boolean inHop;
    private String status;
    private String phase;
    private boolean undo;
    private boolean phaseEnded = true;
    private String message = "";
    private final List<String> passed = new ArrayList<>();
    private String hopBackup;
    private boolean newReleaseRan;
    private boolean skipped;
    private String failedPhase;
    private boolean retired;

    Builder(String node, JsonNode planned) {
      this.node = node;
      this.from = planned == null ? null : text(planned, "from");
      if (planned != null) {
        planned.path("path").forEach(v -> path.add(v.asText()));
      }
      this.reached = from;
    }

    void hopStarted(String hopFromVersion, String hopToVersion) {
      hopFrom = hopFromVersion;
      hopTo = hopToVersion;
      inHop = true;
      status = null;
      phase = null;
      phaseEnded = true;
      passed.clear();
      hopBackup = null;
      skipped = false;
    }

    void skipped(String phaseId, String why) {
      skipped = true;
      inHop = false;
      if (phaseId != null) {
        failedPhase = phaseId;
      }
      if (why != null && !why.isEmpty()) {
        message = why;
      }
    }

    void backup(String path) {
      backups.add(path);
      hopBackup = path;
    }

    void phase(String id, boolean isUndo) {
      phase = id;
      undo = isUndo;
      phaseEnded = false;
      if (!isUndo && ("start".equals(id) || "migrate".equals(id))) {
        newReleaseRan = true;
      }
    }

    void phaseEnded(JsonNode event) {
      phaseEnded = true;
      String outcome = text(event, "outcome");
      if (!undo && ("ok".equals(outcome) || "skipped-done".equals(outcome))) {
        passed.add(text(event, "phase"));
      }

      if ("failed".equals(text(event, "outcome"))) {
        message = text(event, "message");
      }
    }

    void hopEnded(String hopStatus, String hopMessage, String hopFailedPhase) {
      inHop = false;
      status = hopStatus;
      if (hopFailedPhase != null) {
        failedPhase = hopFailedPhase;
      }
      if ("upgraded".equals(hopStatus) || "already-at-target".equals(hopStatus)) {
        reached = hopTo;
      } else if (hopMessage != null && !hopMessage.isEmpty()) {
        message = hopMessage;
      }
    }

    Node build() {
      String target = path.isEmpty() ? from : path.get(path.size() - 1);
      NodeState state;
      if (skipped) {
        state = NodeState.SKIPPED;
      } else if (inHop) {
        state = NodeState.IN_PROGRESS;
      } else if (status == null) {
        state = path.isEmpty() ? NodeState.DONE : NodeState.NOT_STARTED;
      } else if ("upgraded".equals(status) || "already-at-target".equals(status)) {
        state = Objects.equals(reached, target) ? NodeState.DONE : NodeState.BETWEEN_HOPS;
      } else {
        state = NodeState.FAILED;
      }
      return new Node(
          node,
          from,
          target,
          path,
          reached,
          hopFrom,
          hopTo,
          state,
          status,
          phase,
          undo,
          phaseEnded,
          message == null ? "" : message,
          backups,
          passed,
          hopBackup,
          newReleaseRan,
          failedPhase,
          retired);
    }
  }
}
