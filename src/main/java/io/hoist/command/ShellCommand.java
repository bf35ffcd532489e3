package io.hoist.command;

import java.util.Objects;

/**
 * A command ready to run: the script handed to the node's shell and the form shown to people, in
 * which secret values are masked. Only transports read {@link #script()}; everything that prints,
 * logs or journals uses {@link #display()}.
 */
public final class ShellCommand {

  private final String script;
  private final String display;

  private ShellCommand(String script, String display) {
    this.script = Objects.requireNonNull(script, "script");
    this.display = Objects.requireNonNull(display, "display");
  }

  /** A command with no secrets: shown as it runs. */
  public static ShellCommand of(String script) {
    return new ShellCommand(script, script);
  }

  /** A command whose displayed form differs from the script (secrets masked). */
  public static ShellCommand masked(String script, String display) {
    return new ShellCommand(script, display);
  }

  /** The exact script for {@code bash -c} or the SSH exec channel. */
  public String script() {
    return script;
  }

  /** The script with secrets replaced by {@code ***}. */
  public String display() {
    return display;
  }

  /** The display form: never leaks a secret into a log line or an exception message. */
  @Override
  public String toString() {
    return display;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShellCommand other
        && script.equals(other.script)
        && display.equals(other.display);
  }

  @Override
  public int hashCode() {
    return Objects.hash(script, display);
  }
}
