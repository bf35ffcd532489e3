package io.hoist.cli;

import io.hoist.model.PhaseId;
import io.hoist.phase.NodeOutcome;
import io.hoist.phase.Outcome;
import io.hoist.phase.RunRecord;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What an upgrade is doing, on stderr, while it runs. On a terminal: a block of one line per node
 * in flight (its phase and how long it has been in it), redrawn in place every 250 ms, with a
 * permanent line above it as each node ends. Otherwise (logs, cron mail, pipes): one plain
 * timestamped line per phase start and end, undo and node end; also with --no-color or NO_COLOR,
 * which rule out escape sequences. Everything also goes to the --log-file as plain lines. Nothing
 * on stderr with -q.
 *
 * <p>Thread-safe: the nodes' threads report here at once; all printing is under this object's lock.
 */
final class LiveView implements RunRecord, AutoCloseable {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

  /** A node's current phase (or undo) and since when. */
  private record InFlight(PhaseId phase, boolean undo, Instant since) {}

  private final PrintWriter err;
  private final GlobalOptions global;
  private final boolean terminal;
  private final boolean quiet;
  private final Clock clock;

  /** A rollback run: its nodes reach the old release, which is not an "upgrade". */
  private boolean rollback;

  private final Map<String, InFlight> inFlight = new LinkedHashMap<>();
  private final ScheduledExecutorService ticker;
  private int drawn;

  private LiveView(
      PrintWriter err, GlobalOptions global, boolean terminal, boolean quiet, Clock clock) {
    this.err = err;
    this.global = global;
    this.terminal = terminal;
    this.quiet = quiet;
    this.clock = clock;
    if (terminal && !quiet) {
      ticker =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread thread = new Thread(r, "hoist-live-view");
                thread.setDaemon(true);
                return thread;
              });
      ticker.scheduleAtFixedRate(this::redraw, 250, 250, TimeUnit.MILLISECONDS);
    } else {
      ticker = null;
    }
  }

  /** The live view of a command: redrawn on a terminal, plain lines otherwise. */
  /** Words a node that reached its target as "rolled-back" ({@code hoist rollback}). */
  LiveView forRollback() {
    rollback = true;
    return this;
  }

  static LiveView of(Console console, Environment env, GlobalOptions global, Clock clock) {
    // Redrawing needs cursor movement: a terminal that is not "dumb", and escapes allowed.
    boolean terminal = Text.styled(env, global) && !console.isJson();
    return new LiveView(console.err(), global, terminal, console.isQuiet(), clock);
  }

  @Override
  public synchronized void nodeStarted(String node, String from, String to) {
    event(node + ": " + from + " -> " + to);
  }

  @Override
  public synchronized void phaseStarted(String node, PhaseId phase) {
    inFlight.put(node, new InFlight(phase, false, clock.instant()));
    if (!terminal) {
      event(node + " " + phase.id() + " started");
    }
    redraw();
  }

  @Override
  public synchronized void phaseEnded(
      String node, PhaseId phase, Outcome outcome, Duration duration, String message) {
    inFlight.remove(node);
    if (outcome == Outcome.FAILED) {
      event(node + " " + phase.id() + " FAILED after " + Text.duration(duration) + ": " + message);
    } else if (!terminal) {
      event(node + " " + phase.id() + " " + word(outcome) + " in " + Text.duration(duration));
    }
    redraw();
  }

  @Override
  public synchronized void undoStarted(String node, PhaseId phase) {
    inFlight.put(node, new InFlight(phase, true, clock.instant()));
    if (!terminal) {
      event(node + " undo " + phase.id() + " started");
    }
    redraw();
  }

  @Override
  public synchronized void undoEnded(
      String node, PhaseId phase, Outcome outcome, Duration duration, String message) {
    inFlight.remove(node);
    if (outcome == Outcome.FAILED) {
      event(
          node
              + " undo "
              + phase.id()
              + " FAILED after "
              + Text.duration(duration)
              + ": "
              + message);
    } else if (!terminal) {
      event(node + " undo " + phase.id() + " ok in " + Text.duration(duration));
    }
    redraw();
  }

  @Override
  public synchronized void warning(String node, PhaseId phase, String message) {
    event(node + " " + phase.id() + " warning: " + message);
  }

  @Override
  public synchronized void nodeEnded(NodeOutcome outcome) {
    inFlight.remove(outcome.node());
    Duration total = outcome.durations().values().stream().reduce(Duration.ZERO, Duration::plus);
    event(
        outcome.node()
            + ": "
            + (rollback && outcome.status() == NodeOutcome.Status.UPGRADED
                ? "rolled-back"
                : outcome.status().name().toLowerCase(Locale.ROOT).replace('_', '-'))
            + " ("
            + Text.duration(total)
            + " in phases)");
    redraw();
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
    synchronized (this) {
      inFlight.clear();
      redraw();
    }
  }

  private static String word(Outcome outcome) {
    return outcome == Outcome.SKIPPED_DONE ? "already done, checked" : "ok";
  }

  /** A permanent line: above the in-flight block on a terminal, timestamped everywhere. */
  private void event(String line) {
    String stamped = TIME.format(clock.instant().atZone(ZoneId.systemDefault())) + " " + line;
    global.log().line(stamped);
    if (quiet) {
      return;
    }
    clear();
    err.println(Text.forTerminal(stamped));
    draw();
  }

  private synchronized void redraw() {
    if (!terminal || quiet) {
      return;
    }
    clear();
    draw();
  }

  /** Erases the in-flight block drawn last (cursor up, clear to the end of the screen). */
  private void clear() {
    if (terminal && drawn > 0) {
      err.print("\u001b[" + drawn + "A\r\u001b[J");
    }
    drawn = 0;
  }

  private void draw() {
    if (terminal) {
      List<String> lines = new ArrayList<>();
      Instant now = clock.instant();
      int width = inFlight.keySet().stream().mapToInt(String::length).max().orElse(0);
      for (Map.Entry<String, InFlight> entry : inFlight.entrySet()) {
        InFlight f = entry.getValue();
        StringBuilder line = new StringBuilder("  ").append(entry.getKey());
        line.append(" ".repeat(width - entry.getKey().length() + 2));
        line.append(f.undo() ? "undo " : "").append(f.phase().id());
        line.append("  ").append(Text.duration(Duration.between(f.since(), now)));
        lines.add(line.toString());
      }
      lines.forEach(err::println);
      drawn = lines.size();
    }
    err.flush();
  }
}
