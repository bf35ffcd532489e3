package io.hoist.run;

import io.hoist.command.NodeMarker;
import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import io.hoist.error.ValidationException;
import io.hoist.journal.Runs;
import io.hoist.model.Node;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import io.hoist.transport.Transport;
import io.hoist.transport.TransportFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pre-flight of a run that changes nodes ({@code upgrade}, {@code rollback}, {@code version
 * prepare}): reads the node marker ({@link NodeMarker}) of every node it is about to touch, at
 * once, and refuses the run (exit 3, nothing changed) when a node carries the marker of a run it
 * may not take over.
 *
 * <p>Which markers a run accepts: a fresh upgrade and {@code version prepare} none; {@code upgrade
 * --resume} those of the run it resumes and the runs that one resumed; {@code hoist rollback} those
 * of any run recorded in this state directory (a rollback is the way out of a failed or killed run
 * of this core node; it writes its own marker over the old one and removes it when the node ends
 * clean). A marker hoist cannot read (empty, torn) is refused like a foreign one.
 */
public final class NodeMarkers {

  private NodeMarkers() {}

  /** A new run's marker: its id, this core node's host name, now (seconds), the command. */
  public static NodeMarker of(String runId, String command, Clock clock) {
    return new NodeMarker(
        runId, coreHost(), clock.instant().truncatedTo(ChronoUnit.SECONDS).toString(), command);
  }

  /** Every run id recorded in {@code stateDir}: the markers a rollback may take over. */
  public static Set<String> recordedRuns(Path stateDir) {
    Set<String> ids = new LinkedHashSet<>();
    for (Path run : Runs.list(stateDir)) {
      ids.add(run.getFileName().toString());
    }
    return ids;
  }

  /**
   * Reads the markers of {@code nodes} ({@code maxParallel} at once) and refuses when one is not
   * accepted.
   *
   * @param known markers already read (by the plan's version commands), by node name: a node whose
   *     read there is not {@code UNKNOWN} is not asked again
   * @param accepted the run ids whose markers this run may take over
   * @param what the run, for the message ("upgrade", "rollback", "version prepare")
   * @throws ValidationException naming each refused node, its marker and what to do; nothing was
   *     changed
   */
  public static void refuseForeign(
      TransportFactory transports,
      List<Node> nodes,
      Map<String, NodeMarker.Read> known,
      Set<String> accepted,
      String what,
      Duration timeout,
      int maxParallel) {
    List<Node> unread =
        nodes.stream()
            .filter(
                node ->
                    !known.containsKey(node.name())
                        || known.get(node.name()).kind() == NodeMarker.Read.Kind.UNKNOWN)
            .toList();
    Map<String, NodeMarker.Read> byNode = new HashMap<>(known);
    List<NodeMarker.Read> fresh =
        FanOut.map(unread, Math.max(1, maxParallel), node -> read(transports, node, timeout));
    for (int i = 0; i < unread.size(); i++) {
      byNode.put(unread.get(i).name(), fresh.get(i));
    }
    List<NodeMarker.Read> reads = nodes.stream().map(node -> byNode.get(node.name())).toList();
    List<String> refused = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      NodeMarker.Read read = reads.get(i);
      String path = NodeMarker.path(node.layout().home());
      if (read.kind() == NodeMarker.Read.Kind.PRESENT && !accepted.contains(read.run().get())) {
        refused.add(
            "  node "
                + node.name()
                + " carries the marker of "
                + read.marker().orElseThrow().describe()
                + " ("
                + path
                + ")");
      } else if (read.kind() == NodeMarker.Read.Kind.CORRUPT) {
        refused.add(
            "  node "
                + node.name()
                + " carries a marker hoist cannot read ("
                + path
                + "): "
                + read.problem());
      }
    }
    if (refused.isEmpty()) {
      return;
    }
    throw new ValidationException(
        "refusing the "
            + what
            + ": another hoist run is working on "
            + (refused.size() == 1 ? "a node" : refused.size() + " nodes")
            + " (or was killed there); nothing was changed:\n"
            + String.join("\n", refused)
            + "\nIf that run was killed or failed, finish it from its core node with"
            + " 'hoist upgrade --resume', or take the node back there with"
            + " 'hoist rollback NODE'; if no run is working on the node any more, check it and"
            + " remove the marker file by hand.");
  }

  /** One node's marker; a node that cannot be read counts as unmarked (the plan read it). */
  static NodeMarker.Read read(TransportFactory transports, Node node, Duration timeout) {
    try (Transport transport = transports.open(node)) {
      ExecResult result =
          transport.exec(
              ShellCommand.of(NodeMarker.readScript(node.layout().home())),
              timeout,
              OutputSink.NONE);
      if (!result.isSuccess()) {
        return NodeMarker.Read.unknown("exit " + result.exitCode() + ": " + result.lastLine());
      }
      return NodeMarker.parseOutput(result.stdoutTail()).read();
    } catch (TransportException e) {
      return NodeMarker.Read.unknown(e.getMessage());
    }
  }

  private static String coreHost() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name.matches("[A-Za-z0-9._:-]{1,200}") ? name : "unknown";
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
