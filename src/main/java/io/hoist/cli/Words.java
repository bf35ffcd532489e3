package io.hoist.cli;

import io.hoist.demo.Sandbox;
import java.util.Iterator;
import java.util.List;

/** The fixed values of options that take one of a few words, offered by the shell completion. */
final class Words {

  private Words() {}

  /** {@code --mode}. */
  static final class Modes implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of("rolling", "one-shot").iterator();
    }
  }

  /** {@code --on-failure}. */
  static final class OnFailure implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of("rollback", "stop", "skip").iterator();
    }
  }

  /** The demo's nodes ({@code demo --fail-at}). */
  static final class DemoNodes implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Sandbox.NODES.keySet().iterator();
    }
  }
}
