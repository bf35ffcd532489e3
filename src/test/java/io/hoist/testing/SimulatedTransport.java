package io.hoist.testing;

import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import io.hoist.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The transport to one {@link SimulatedNodes simulated node}: every command (and every upload)
 * answers after the wire's fixed delay, from the node's state. It understands exactly what hoist
 * sends in an upgrade whose cluster file uses the {@code sim} product commands, and fails anything
 * else with exit 127 (so a benchmark cannot pass by answering what it does not understand):
 *
 * <ul>
 *   <li>{@code cat HOME/current/VERSION} (the version command): the release {@code current} points
 *       at;
 *   <li>the staging probe, upload, unpack, prune and clean-up of {@code io.hoist.stage.Stager}:
 *       {@code staged} when the release is staged, else {@code ready}; the unpack stages it;
 *   <li>the install phase's check ({@code test -d REL && test "$(readlink -f HOME/current)" = ...})
 *       and the atomic switch ({@code ln -sfn REL TMP && mv -Tf TMP HOME/current}, also the undo's
 *       form): exit 1 when {@code REL} is not staged;
 *   <li>the node marker's read (alone, or after the version command), write (alone, or ahead of the
 *       version command) and removal ({@link io.hoist.command.NodeMarker});
 *   <li>the install phase's check and first command in one ({@code if CHECK; then
 *       echo @@hoist-install-done@@ ...; fi} then the command);
 *   <li>{@code sim stop|start|health|migrate|retire|rejoin|check|leader}: the product; {@code
 *       health} and {@code migrate} fail while it is stopped, {@code leader} exits 0 on the leader
 *       only.
 * </ul>
 *
 * <p>Connecting costs nothing: the delay is per command. Single quotes (hoist's shell quoting) are
 * dropped before matching; the simulated paths never need them.
 */
public final class SimulatedTransport implements Transport {

  private static final Pattern VERSION = Pattern.compile("cat (\\S+)/current/VERSION");
  private static final Pattern IS_SWITCHED =
      Pattern.compile(
          "test -d (\\S+) && test \"\\$\\(readlink -f (\\S+)\\)\" = \"\\$\\(readlink -f (\\S+)\\)\"");
  private static final Pattern SWITCH =
      Pattern.compile(
          "(?:if ! test -d (\\S+); then echo .* >&2; exit 1; fi|test -d (\\S+))"
              + " && ln -sfn (\\S+) (\\S+) && mv -Tf (\\S+) (\\S+)");
  private static final String CLAIM_START = "{ ";
  private static final String CLAIM_END =
      "; } || {\n  echo @@hoist-marker-unwritten@@\n  exit 1\n}\n";
  private static final Pattern INSTALL_FOLD =
      Pattern.compile("if (test -d .*); then\n  echo @@hoist-install-done@@\n  exit 0\nfi\n");
  private static final Pattern SIM = Pattern.compile("sim (\\w+)(?: .*)?");
  private static final Pattern FIRST_ASSIGNMENT = Pattern.compile("(?m)^d=(\\S+)$");
  private static final Pattern PRUNE_LIST = Pattern.compile("(?m)^for n in (.*); do$");

  private final String node;
  private final SimulatedNodes.State state;
  private final Duration delay;
  private final LongConsumer waited;
  private volatile boolean closed;

  SimulatedTransport(String node, SimulatedNodes.State state, Duration delay, LongConsumer waited) {
    this.node = node;
    this.state = state;
    this.delay = delay;
    this.waited = waited;
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public void connect() {
    if (closed) {
      throw new TransportException(TransportException.Kind.DROPPED, node, "closed");
    }
  }

  @Override
  public ExecResult exec(ShellCommand command, Duration timeout, OutputSink sink) {
    connect();
    long start = System.nanoTime();
    waitDelay();
    state.counted();
    Answer answer = answer(command.script().replace("'", ""));
    StringBuilder out = new StringBuilder();
    for (String line : answer.stdout()) {
      sink.line(OutputSink.Stream.STDOUT, line);
      out.append(line).append('\n');
    }
    if (!answer.stderr().isEmpty()) {
      sink.line(OutputSink.Stream.STDERR, answer.stderr());
    }
    return new ExecResult(
        answer.exit(),
        out.toString(),
        answer.stderr().isEmpty() ? "" : answer.stderr() + "\n",
        Duration.ofNanos(System.nanoTime() - start),
        false);
  }

  @Override
  public String upload(Path local, String remotePath) {
    return upload(local, remotePath, sha256(local));
  }

  @Override
  public String upload(Path local, String remotePath, String knownSha256) {
    connect();
    waitDelay();
    state.counted();
    state.uploaded(remotePath);
    return knownSha256;
  }

  @Override
  public String download(String remotePath, Path local) {
    throw new TransportException(
        TransportException.Kind.TRANSFER, node, "a simulated node has no files to download");
  }

  @Override
  public void close() {
    closed = true;
  }

  private void waitDelay() {
    long start = System.nanoTime();
    try {
      Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
      waited.accept(System.nanoTime() - start);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(TransportException.Kind.DROPPED, node, "interrupted");
    }
  }

  /** What a command prints and how it exits. */
  private record Answer(int exit, List<String> stdout, String stderr) {
    static Answer ok(String... lines) {
      return new Answer(0, List.of(lines), "");
    }

    static Answer fail(int exit, String message) {
      return new Answer(exit, List.of(), message);
    }
  }

  private Answer answer(String script) {
    String home = state.home();
    String marker = home + "/.hoist/ongoing";
    if (script.startsWith(CLAIM_START) && script.contains(CLAIM_END)) {
      // The marker's write ahead of another command (NodeMarker#writeBefore): both, in order.
      int end = script.indexOf(CLAIM_END);
      Answer write = answer(script.substring(CLAIM_START.length(), end));
      if (write.exit() != 0) {
        return new Answer(1, List.of("@@hoist-marker-unwritten@@"), write.stderr());
      }
      return answer(script.substring(end + CLAIM_END.length()));
    }
    Matcher fold = INSTALL_FOLD.matcher(script);
    if (fold.lookingAt()) {
      // The install phase's check, then (not done) its first command.
      Answer check = answer(fold.group(1));
      return check.exit() == 0
          ? Answer.ok("@@hoist-install-done@@")
          : answer(script.substring(fold.end()));
    }
    if (script.contains("@@hoist-marker@@") && script.contains("echo present")) {
      // The marker read, alone (a run's pre-flight) or after the version command (inspect, plan).
      List<String> lines = new ArrayList<>();
      int exit = 0;
      if (script.startsWith("{\n")) {
        Answer version = answer(script.substring(2, script.indexOf("\n}\n")));
        lines.addAll(version.stdout());
        exit = version.exit();
        lines.add("");
      }
      lines.add("@@hoist-marker@@");
      String text = state.marker();
      if (text == null) {
        lines.add("absent");
      } else {
        lines.add("present");
        lines.addAll(List.of(text.split("\n")));
      }
      return new Answer(exit, lines, "");
    }
    if (script.startsWith(
        "{ [ -d " + home + "/.hoist ] || mkdir -p -- " + home + "/.hoist; } && printf ")) {
      // The marker write (quotes dropped): printf %s\n LINE... > TMP && mv -f -- TMP MARKER.
      String printf = script.substring(script.indexOf("printf %s\\n ") + 12, script.indexOf(" > "));
      state.marker(String.join("\n", printf.strip().split(" ")) + "\n");
      return Answer.ok();
    }
    if (script.startsWith(
        "if [ -e "
            + marker
            + " ] && { IFS= read -r __hoist_l < "
            + marker
            + "; [ \"$__hoist_l\" = ")) {
      String run = script.substring(script.indexOf("\" = ") + 4, script.indexOf(" ]; }; then rm"));
      String text = state.marker();
      if (text != null && text.startsWith(run + "\n")) {
        state.marker(null);
      }
      return Answer.ok();
    }
    Matcher m = VERSION.matcher(script);
    if (m.matches() && m.group(1).equals(home)) {
      return Answer.ok(state.current());
    }
    m = IS_SWITCHED.matcher(script);
    if (m.matches() && m.group(2).equals(home + "/current") && m.group(1).equals(m.group(3))) {
      String version = release(m.group(1));
      return version != null && state.isStaged(version) && version.equals(state.current())
          ? Answer.ok()
          : Answer.fail(1, "");
    }
    m = SWITCH.matcher(script);
    if (m.matches() && m.group(6).equals(home + "/current")) {
      String version = release(m.group(3));
      if (version == null || !state.isStaged(version)) {
        return Answer.fail(1, "no release directory " + m.group(3));
      }
      state.current(version);
      return Answer.ok();
    }
    m = SIM.matcher(script);
    if (m.matches()) {
      return product(m.group(1));
    }
    if (script.contains("echo staged") && script.contains(".hoist-staged")) {
      String version = assignedRelease(script);
      return version == null
          ? unknown(script)
          : Answer.ok(state.isStaged(version) ? "staged" : "ready");
    }
    if (script.contains("tar --no-same-owner -xzf")) {
      String version = assignedRelease(script);
      if (version == null || state.uploaded() == null) {
        return Answer.fail(4, "tar: nothing uploaded");
      }
      state.stage(version);
      state.uploaded(null);
      List<String> lines = new ArrayList<>();
      lines.add("current " + home + "/releases/" + state.current());
      new TreeSet<>(state.staged()).forEach(v -> lines.add("staged " + v));
      return new Answer(0, lines, "");
    }
    m = PRUNE_LIST.matcher(script);
    if (script.startsWith("r=") && m.find()) {
      // Pruning is left out: the simulated releases take no space.
      return Answer.ok();
    }
    if (script.startsWith("rm -rf -- ") && script.contains(".partial")) {
      state.uploaded(null);
      return Answer.ok();
    }
    return unknown(script);
  }

  private Answer product(String verb) {
    switch (verb) {
      case "stop" -> state.running(false);
      case "start" -> state.running(true);
      case "health", "migrate" -> {
        if (!state.running()) {
          return Answer.fail(1, "not running");
        }
      }
      case "retire" -> state.retired(true);
      case "rejoin" -> state.retired(false);
      case "check" -> {}
      case "leader" -> {
        if (!state.leader()) {
          return Answer.fail(1, "");
        }
      }
      default -> {
        return unknown("sim " + verb);
      }
    }
    return Answer.ok();
  }

  /** The version of a release directory {@code HOME/releases/VERSION} of this node, or null. */
  private String release(String dir) {
    String prefix = state.home() + "/releases/";
    return dir.startsWith(prefix) && dir.indexOf('/', prefix.length()) < 0
        ? dir.substring(prefix.length())
        : null;
  }

  private String assignedRelease(String script) {
    Matcher m = FIRST_ASSIGNMENT.matcher(script);
    return m.find() ? release(m.group(1)) : null;
  }

  private Answer unknown(String script) {
    return Answer.fail(127, "simulated node " + node + ": unknown command: " + script);
  }

  private static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[65536];
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
