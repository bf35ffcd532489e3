package io.hoist.stage;

import io.hoist.command.ShellCommand;
import io.hoist.command.ShellQuote;
import io.hoist.error.TransportException;
import io.hoist.model.Node;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import io.hoist.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a node holds: the release {@code HOME/current} points to and the releases staged by hoist
 * (directories under {@code HOME/releases} with a {@code .hoist-staged} marker). Read in one
 * command; changes nothing.
 *
 * @param node the node's name
 * @param current the release directory {@code current} points to (its name), or {@code null}
 * @param staged the staged releases' directory names, sorted by name
 * @param error why the node could not be read, or {@code null}
 */
public record StagedReleases(String node, String current, List<String> staged, String error) {

  /** The marker a staged release carries (its bundle's sha256). */
  public static final String MARKER = ".hoist-staged";

  public StagedReleases {
    staged = List.copyOf(staged);
  }

  /** Reads a node; never throws for a node problem (the error is in the result). */
  public static StagedReleases read(Node node, Transport transport, Duration timeout) {
    String home = ShellQuote.quote(node.layout().home());
    String script =
        "cd "
            + home
            + " 2>/dev/null || { echo 'no-home'; exit 0; }; "
            + "printf 'current=%s\\n' \"$(readlink current 2>/dev/null)\"; "
            + "for d in releases/*/; do [ -f \"$d"
            + MARKER
            + "\" ] && printf 'staged=%s\\n' \"$(basename \"$d\")\"; done; true";
    try {
      // Collected from the stream, not the result's tail: a node may hold many releases.
      List<String> lines = new ArrayList<>();
      ExecResult result =
          transport.exec(
              ShellCommand.of(script),
              timeout,
              (stream, line) -> {
                if (stream == OutputSink.Stream.STDOUT) {
                  lines.add(line);
                }
              });
      if (!result.isSuccess()) {
        return failed(node, "listing releases failed: " + result.lastLine());
      }
      String current = null;
      List<String> staged = new ArrayList<>();
      for (String line : lines) {
        if (line.equals("no-home")) {
          return failed(node, node.layout().home() + " does not exist");
        } else if (line.startsWith("current=")) {
          String target = line.substring("current=".length());
          current = target.isEmpty() ? null : target.substring(target.lastIndexOf('/') + 1);
        } else if (line.startsWith("staged=")) {
          staged.add(line.substring("staged=".length()));
        }
      }
      staged.sort(null);
      return new StagedReleases(node.name(), current, staged, null);
    } catch (TransportException e) {
      return failed(node, e.getMessage());
    }
  }

  private static StagedReleases failed(Node node, String error) {
    return new StagedReleases(node.name(), null, List.of(), error);
  }
}
