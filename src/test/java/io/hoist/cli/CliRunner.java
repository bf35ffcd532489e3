package io.hoist.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs the command line in-process with string writers and a test environment. */
final class CliRunner {

  private final Path home;
  private final Path cwd;
  private final Map<String, String> env = new HashMap<>();
  private boolean interactive;

  CliRunner(Path home, Path cwd) {
    this.home = home;
    this.cwd = cwd;
    env.put("HOME", home.toString());
  }

  CliRunner env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Whether the runs see a terminal (colours, the redrawn live view, confirmation prompts). */
  CliRunner interactive(boolean terminal) {
    interactive = terminal;
    return this;
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Cli.run(
            args,
            new Environment(env, cwd, home, interactive, false),
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }
}
