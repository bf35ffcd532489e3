package io.hoist.journal;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoist.error.ValidationException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How long nodes were down in earlier upgrades of a cluster, as their journals tell: what an honest
 * dry run estimates the next run's downtime from.
 *
 * <p>A node's downtime in a hop is the time from its stop phase starting (its install, when it has
 * no stop command) to the end of its last phase that brings it back (post-validate, or else
 * migrate, start, install), counted only for hops that ended {@code upgraded}. Only upgrade runs
 * (resumes included) of the same cluster that ended with exit code 0 count.
 */
public final class Downtimes {

  /** At most this many of the newest runs are read. */
  public static final int MAX_RUNS = 20;

  private static final Set<String> DOWN = Set.of("stop", "install");
  private static final List<String> UP = List.of("post-validate", "migrate", "start", "install");

  /**
   * One node's downtime in one hop of an earlier run.
   *
   * @param run the run's id
   * @param node the node's name
   * @param downtime from its stop starting to its post-validation ending
   */
  public record Sample(String run, String node, Duration downtime) {
    public Sample {
      Objects.requireNonNull(run, "run");
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(downtime, "downtime");
    }
  }

  private Downtimes() {}

  /**
   * The samples of the newest {@link #MAX_RUNS} completed upgrade runs of {@code cluster} under
   * {@code stateDir}, oldest run first. A journal that cannot be read or replayed is left out: an
   * estimate never stops a dry run.
   */
  public static List<Sample> of(Path stateDir, String cluster) {
    List<Path> runs = Runs.list(stateDir);
    List<Sample> samples = new ArrayList<>();
    int used = 0;
    for (int i = runs.size() - 1; i >= 0 && used < MAX_RUNS; i--) {
      List<JsonNode> events;
      try {
        events = JournalReader.read(runs.get(i).resolve(Journal.FILE)).events();
      } catch (UncheckedIOException | ValidationException e) {
        continue;
      }
      List<Sample> found = samples(events, cluster);
      if (found != null) {
        samples.addAll(0, found);
        used++;
      }
    }
    return samples;
  }

  /** A run's samples, or {@code null} when it does not count (not this cluster, not clean). */
  static List<Sample> samples(List<JsonNode> events, String cluster) {
    if (events.isEmpty()) {
      return null;
    }
    JsonNode start = events.get(0);
    JsonNode end = events.get(events.size() - 1);
    if (!"run-started".equals(start.path("event").asText())
        || !cluster.equals(start.path("cluster").asText())
        || !"upgrade".equals(start.path("command").asText())
        || !"run-ended".equals(end.path("event").asText())
        || end.path("exit_code").asInt(-1) != 0) {
      return null;
    }
    String run = start.path("run").asText();
    Map<String, Instant> down = new HashMap<>();
    Map<String, Instant> up = new HashMap<>();
    Map<String, Integer> upRank = new HashMap<>();
    List<Sample> samples = new ArrayList<>();
    for (JsonNode event : events) {
      String node = event.path("node").asText(null);
      if (node == null) {
        continue;
      }
      String phase = event.path("phase").asText("");
      Instant at = instant(event);
      switch (event.path("event").asText()) {
        case "node-started" -> {
          down.remove(node);
          up.remove(node);
          upRank.remove(node);
        }
        case "phase-started" -> {
          if (DOWN.contains(phase) && at != null) {
            down.putIfAbsent(node, at);
          }
        }
        case "phase-ended" -> {
          int rank = UP.indexOf(phase);
          if (rank >= 0 && at != null && rank <= upRank.getOrDefault(node, UP.size())) {
            up.put(node, at);
            upRank.put(node, rank);
          }
        }
        case "node-ended" -> {
          Instant from = down.get(node);
          Instant to = up.get(node);
          if ("upgraded".equals(event.path("status").asText())
              && from != null
              && to != null
              && !to.isBefore(from)) {
            samples.add(new Sample(run, node, Duration.between(from, to)));
          }
        }
        default -> {}
      }
    }
    return samples;
  }

  private static Instant instant(JsonNode event) {
    try {
      return Instant.parse(event.path("ts").asText());
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
