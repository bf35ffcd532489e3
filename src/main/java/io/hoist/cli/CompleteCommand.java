package io.hoist.cli;

import io.hoist.config.ClusterFiles;
import io.hoist.config.ClusterLoader;
import io.hoist.error.HoistException;
import io.hoist.journal.Runs;
import io.hoist.model.Cluster;
import io.hoist.model.Node;
import io.hoist.model.Role;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hoist __complete nodes|roles|runs}: the words the shell completion offers where an
 * argument is a node, a role or a run id, read from the cluster file (or the state directory). Not
 * for people: hidden from help, prints one word per line, and prints nothing when the cluster file
 * cannot be read (a completion must never print an error into the admin's command line).
 */
@Command(name = "__complete", hidden = true, description = "Words for shell completion.")
final class CompleteCommand implements Callable<Integer> {

  /** What to list. */
  enum Kind {
    nodes,
    roles,
    runs
  }

  private final Environment env;

  @ParentCommand HoistCommand parent;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "KIND", description = "nodes, roles or runs.")
  Kind kind;

  CompleteCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    for (String word : words()) {
      out.println(word);
    }
    out.flush();
    return 0;
  }

  private Set<String> words() {
    Set<String> words = new LinkedHashSet<>();
    try {
      if (kind == Kind.runs) {
        for (Path run : Runs.list(UpgradeCommand.stateDir(env))) {
          words.add(run.getFileName().toString());
        }
        return words;
      }
      Path file = ClusterFiles.locate(parent.global.clusterFile, env.variables(), env.cwd());
      Cluster cluster = new ClusterLoader().load(file);
      if (kind == Kind.nodes) {
        cluster.nodes().stream().map(Node::name).forEach(words::add);
      } else {
        words.addAll(cluster.roleOrder());
        cluster.roles().stream().map(Role::name).forEach(words::add);
      }
    } catch (HoistException | java.io.UncheckedIOException e) {
      words.clear();
    }
    return words;
  }
}
