package io.hoist.cli;

import io.hoist.command.SecretMask;
import io.hoist.config.ClusterFiles;
import io.hoist.config.ClusterLoader;
import io.hoist.error.Suggestions;
import io.hoist.error.UsageException;
import io.hoist.model.Cluster;
import io.hoist.model.HostKeyPolicy;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.TransportKind;
import io.hoist.release.FileRepository;
import io.hoist.release.ReleaseCache;
import io.hoist.release.ReleaseRepository;
import io.hoist.release.Version;
import io.hoist.run.HookRunner;
import io.hoist.run.ReleaseService;
import io.hoist.run.SharedTransports;
import io.hoist.transport.MaskingTransport;
import io.hoist.transport.SecretVariables;
import io.hoist.transport.TransportFactory;
import io.hoist.transport.local.LocalTransport;
import io.hoist.transport.ssh.SshClients;
import io.hoist.transport.ssh.SshContext;
import io.hoist.transport.ssh.SshTransport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/** What a command needs to reach a cluster: the loaded file, transports, secrets. */
final class CommandContext {

  private final Environment env;
  private final Path file;
  private final Cluster cluster;
  private final boolean acceptNewHostKeys;
  private final SharedTransports shared;

  private CommandContext(
      Environment env,
      Path file,
      Cluster cluster,
      boolean acceptNewHostKeys,
      SharedTransports shared) {
    this.env = env;
    this.file = file;
    this.cluster = cluster;
    this.acceptNewHostKeys = acceptNewHostKeys;
    this.shared = shared;
  }

  /** Locates and loads the cluster file ({@code -c}, $HOIST_CLUSTER, ./cluster.yaml, /etc). */
  static CommandContext load(Environment env, GlobalOptions global, boolean acceptNewHostKeys) {
    Path file = ClusterFiles.locate(global.clusterFile, env.variables(), env.cwd());
    Cluster cluster = new ClusterLoader().load(file);
    SecretMask mask = mask(env, cluster);
    global.mask(mask);
    // One connection per node for the whole command: the plan, the staging and the run share it.
    SharedTransports shared =
        new SharedTransports(MaskingTransport.wrap(open(env, acceptNewHostKeys), mask));
    global.atEnd(shared::close);
    return new CommandContext(env, file, cluster, acceptNewHostKeys, shared);
  }

  /**
   * The secrets to hide in whatever hoist writes: the values of the cluster's secrets and the SSH
   * password. A command may echo them; its output is masked before anything shows or stores it.
   */
  private static SecretMask mask(Environment env, Cluster cluster) {
    List<String> values = new ArrayList<>();
    for (String name : cluster.secrets()) {
      values.add(env.get(name));
    }
    for (String name : SecretVariables.ALL) {
      values.add(env.get(name));
    }
    return SecretMask.of(values);
  }

  Cluster cluster() {
    return cluster;
  }

  /** The cluster file. */
  Path file() {
    return file;
  }

  /**
   * Takes the cluster's run lock for a command that changes nodes (upgrade, prepare, retire).
   *
   * @throws io.hoist.error.LockedException when another run holds it, or it is stale and {@code
   *     breakLock} is not set
   */
  io.hoist.journal.RunLock lock(CommandSpec spec, boolean breakLock, Console console) {
    Map<String, Object> me = new LinkedHashMap<>();
    me.put("host", hostName());
    me.put("pid", ProcessHandle.current().pid());
    me.put("user", env.get("USER") == null ? "" : env.get("USER"));
    me.put("started", java.time.Instant.now().toString());
    me.put(
        "command",
        "hoist " + String.join(" ", spec.root().commandLine().getParseResult().originalArgs()));
    io.hoist.journal.RunLock lock =
        io.hoist.journal.RunLock.acquire(
            UpgradeCommand.stateDir(env), cluster.name(), me, breakLock);
    if (lock.brokenOwner() != null) {
      console.note(
          "warning: took over the stale lock of "
              + io.hoist.journal.RunLock.describe(lock.brokenOwner()));
    }
    return lock;
  }

  private String hostName() {
    String host = env.get("HOSTNAME");
    if (host != null && !host.isBlank()) {
      return host;
    }
    try {
      return java.nio.file.Files.readString(Path.of("/etc/hostname")).strip();
    } catch (java.io.IOException | RuntimeException e) {
      return "localhost";
    }
  }

  /**
   * What a journaled run records about how it was started: the command line, the cluster file and
   * this hoist's version.
   */
  Map<String, Object> invocation(CommandSpec spec, String command) {
    Map<String, Object> invocation = new LinkedHashMap<>();
    invocation.put("command", command);
    invocation.put("args", spec.root().commandLine().getParseResult().originalArgs());
    invocation.put("cluster_file", file.toAbsolutePath().toString());
    invocation.put("hoist_version", hoistVersion().text());
    invocation.put("user", env.get("USER") == null ? "" : env.get("USER"));
    return invocation;
  }

  /** This context with the cluster's time limits replaced (command-line overrides). */
  CommandContext withTimeouts(io.hoist.model.Timeouts timeouts) {
    return new CommandContext(env, file, cluster.withTimeouts(timeouts), acceptNewHostKeys, shared);
  }

  /** The directory relative {@code file:} repositories are resolved against. */
  Path baseDir() {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? env.cwd() : parent;
  }

  /** The named nodes in the order given (all, in file order, when none are named). */
  List<Node> select(List<String> names) {
    if (names == null || names.isEmpty()) {
      return cluster.nodes();
    }
    List<Node> selected = new ArrayList<>();
    for (String name : new LinkedHashSet<>(names)) {
      selected.add(
          cluster
              .node(name)
              .orElseThrow(
                  () ->
                      new UsageException(
                          "no node '"
                              + name
                              + "' in cluster "
                              + cluster.name()
                              + hint(name, cluster.nodes().stream().map(Node::name).toList()))));
    }
    return selected;
  }

  /**
   * The command's transports: SSH or local per node, {@code --accept-new-host-keys} for all, each
   * node's opened once and kept until the command ends.
   */
  TransportFactory transports() {
    return shared;
  }

  /**
   * The command's transports for a command with one step per node ({@code inspect}): each node's is
   * closed as soon as that step is done with it.
   */
  TransportFactory transportsClosedAfterUse() {
    return shared.closedAfterUse();
  }

  private static TransportFactory open(Environment env, boolean acceptNewHostKeys) {
    if (env.wire() != null) {
      return env.wire();
    }
    SshContext ssh =
        new SshContext(
            env.home(), env.variables(), acceptNewHostKeys ? HostKeyPolicy.ACCEPT_NEW : null);
    // One set of parsed key files for every node of the command.
    SshClients clients = new SshClients();
    return node ->
        node.transport() == TransportKind.LOCAL
            ? new LocalTransport(node, env.home(), env.variables())
            : new SshTransport(node, ssh, clients);
  }

  /** The cluster's release repository. */
  ReleaseRepository repository() {
    return ReleaseRepository.open(cluster.release(), baseDir());
  }

  /** The core node's bundle cache: release.cache, else the XDG/root default. */
  ReleaseCache cache() {
    Path dir =
        cluster.release().cache() != null
            ? cluster.release().cache()
            : ReleaseCache.defaultDir(env.variables(), env.home(), env.root());
    return new ReleaseCache(dir, repository());
  }

  /** The service behind the version commands. */
  ReleaseService releases() {
    return new ReleaseService(
        cluster, transports(), secretValues(), repository(), cache(), hoistVersion());
  }

  /**
   * Runs the cluster hooks on the core node (this machine), in the working directory, within {@code
   * timeouts.command}.
   */
  HookRunner hooks() {
    Node first = cluster.nodes().get(0);
    Node core =
        new Node(
            "core",
            TransportKind.LOCAL,
            null,
            List.of(),
            first.ssh(),
            new Layout(env.cwd().toString(), 0),
            first.commands());
    return HookRunner.on(
        MaskingTransport.wrap(
            new LocalTransport(core, env.cwd(), env.variables()), mask(env, cluster)),
        cluster.timeouts().command());
  }

  /** This hoist's version, as the build recorded it. */
  static Version hoistVersion() {
    return Version.parse(BuildInfo.properties().getProperty("version", "0.0.0"));
  }

  /** The directory of a {@code file:} repository (where {@code version pack} writes). */
  Path fileRepository() {
    ReleaseRepository repository = repository();
    if (repository instanceof FileRepository file) {
      return file.dir();
    }
    throw new UsageException(
        "the cluster's repository "
            + repository.location()
            + " is not a directory; give the directory to pack into with --into");
  }

  /** The values of the cluster's secrets that are set in the environment. */
  Map<String, String> secretValues() {
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : cluster.secrets()) {
      String value = env.get(name);
      if (value != null) {
        values.put(name, value);
      }
    }
    return values;
  }

  /** " (did you mean 'x'?)", else the names there are, so the user can pick one. */
  private static String hint(String typed, List<String> names) {
    String suggestion = Suggestions.didYouMean(typed, names);
    return suggestion.isEmpty() ? "; nodes: " + String.join(", ", names) : suggestion;
  }
}
