package io.hoist.cli;

/** Builds the configured command line and runs it. */
public final class Cli {

  private Cli() {}

  /** Runs hoist with the process's streams and environment; returns the exit code. */
  public static int run(String[] args) {
    return 1;
  }
}
