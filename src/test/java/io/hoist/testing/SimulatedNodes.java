package io.hoist.testing;

import io.hoist.model.Node;
import io.hoist.transport.Transport;
import io.hoist.transport.TransportFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Simulated nodes behind a wire that answers every command after a fixed delay, in this process: no
 * SSH, no shell. Each node keeps the state the upgrade pipeline reads and changes (the release
 * {@code current} points at, the staged releases, whether the product runs, whether it is retired,
 * whether it is its role's leader), and a {@link SimulatedTransport} interprets the commands hoist
 * sends (see there). What the nodes are is simulated; everything on hoist's side of the wire
 * (planning, staging, the run, the phases, the journal, the reports) is hoist's own code.
 *
 * <p>Thread-safe: each node's state is guarded by its own lock.
 */
public final class SimulatedNodes implements TransportFactory {

  private final Duration delay;
  private final Map<String, State> nodes = new ConcurrentHashMap<>();
  private final LongAdder waits = new LongAdder();
  private final LongAdder waited = new LongAdder();

  /**
   * @param delay how long every command takes on a node before it answers
   */
  public SimulatedNodes(Duration delay) {
    this.delay = Objects.requireNonNull(delay, "delay");
  }

  /** How long every command takes. */
  public Duration delay() {
    return delay;
  }

  /**
   * Adds a node (or resets it): its product running {@code current}, with {@code staged} releases
   * staged by hoist (marker and all) besides.
   *
   * @param home the node's {@code layout.home}, as in the cluster file
   * @param leader whether the node answers its role's leader command with exit 0
   */
  public SimulatedNodes node(
      String name, String home, String current, Collection<String> staged, boolean leader) {
    nodes.put(name, new State(home, current, Set.copyOf(staged), leader));
    return this;
  }

  @Override
  public Transport open(Node node) {
    State state = nodes.get(node.name());
    if (state == null) {
      throw new IllegalArgumentException("no simulated node " + node.name());
    }
    return new SimulatedTransport(node.name(), state, delay, this::waited);
  }

  /** The release a node's {@code current} points at. */
  public String current(String node) {
    return state(node).current();
  }

  /** Commands a node has answered since it was added. */
  public long commands(String node) {
    return state(node).commands();
  }

  /**
   * How long the delays really lasted, on average over every command so far: a sleep on a loaded
   * machine lasts longer than asked.
   */
  public Duration meanWait() {
    long count = waits.sum();
    return count == 0 ? Duration.ZERO : Duration.ofNanos(waited.sum() / count);
  }

  private void waited(long nanos) {
    waits.increment();
    waited.add(nanos);
  }

  /** The names of the nodes, any order. */
  public List<String> names() {
    return List.copyOf(nodes.keySet());
  }

  private State state(String node) {
    State state = nodes.get(node);
    if (state == null) {
      throw new IllegalArgumentException("no simulated node " + node);
    }
    return state;
  }

  /** One node's state; its methods hold its lock. */
  static final class State {
    private final String home;
    private final boolean leader;
    private final Set<String> staged = new java.util.HashSet<>();
    private String current;
    private boolean running = true;
    private boolean retired;
    private String uploaded;
    private long commands;

    State(String home, String current, Set<String> staged, boolean leader) {
      this.home = home;
      this.current = current;
      this.leader = leader;
      this.staged.addAll(staged);
      this.staged.add(current);
    }

    String home() {
      return home;
    }

    boolean leader() {
      return leader;
    }

    synchronized String current() {
      return current;
    }

    synchronized void current(String version) {
      current = version;
    }

    synchronized boolean isStaged(String version) {
      return staged.contains(version);
    }

    synchronized void stage(String version) {
      staged.add(version);
    }

    synchronized Set<String> staged() {
      return Set.copyOf(staged);
    }

    synchronized boolean running() {
      return running;
    }

    synchronized void running(boolean value) {
      running = value;
    }

    synchronized boolean retired() {
      return retired;
    }

    synchronized void retired(boolean value) {
      retired = value;
    }

    private String marker;

    /** The node marker's text ({@code HOME/.hoist/ongoing}), null when there is none. */
    synchronized String marker() {
      return marker;
    }

    synchronized void marker(String text) {
      marker = text;
    }

    synchronized String uploaded() {
      return uploaded;
    }

    synchronized void uploaded(String path) {
      uploaded = path;
    }

    synchronized void counted() {
      commands++;
    }

    synchronized long commands() {
      return commands;
    }
  }
}
