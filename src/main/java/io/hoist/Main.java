package io.hoist;

import io.hoist.cli.Cli;

/** Entry point of {@code hoist.jar}. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(Cli.run(args));
  }
}
