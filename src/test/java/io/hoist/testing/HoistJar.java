package io.hoist.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built {@code target/hoist.jar} as a child process (its own HOME, no stdin) and asserts
 * on what it did, fluently: {@code HoistJar.in(home).run("inspect").exitsWith(0).outContains(..)}.
 */
public final class HoistJar {

  private static final long LIMIT_SECONDS = 120;

  private final Path home;
  private final Path cwd;
  private final List<String> jvmOptions;
  private final Map<String, String> env;
  private final String umask;

  private HoistJar(
      Path home, Path cwd, List<String> jvmOptions, Map<String, String> env, String umask) {
    this.home = home;
    this.cwd = cwd;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.env = Map.copyOf(env);
    this.umask = umask;
  }

  /** Runs with {@code home} as HOME and working directory. */
  public static HoistJar in(Path home) {
    return new HoistJar(home, home, List.of(), Map.of(), null);
  }

  /**
   * The same, with these options for the child JVM (e.g. {@code -XX:TieredStopAtLevel=1} to start
   * faster in a test that runs the jar many times).
   */
  public HoistJar withJvmOptions(String... options) {
    return new HoistJar(home, cwd, List.of(options), env, umask);
  }

  /**
   * The same, with this variable in the child's environment (also one {@link #run} removes, such as
   * {@code HOIST_SSH_PASSWORD}).
   */
  public HoistJar withEnv(String name, String value) {
    Map<String, String> more = new java.util.HashMap<>(env);
    more.put(name, value);
    return new HoistJar(home, cwd, jvmOptions, more, umask);
  }

  /**
   * The same, started by {@code sh -c 'umask UMASK; exec java ...'}: Java cannot set a process's
   * umask, so a test of file modes under a permissive umask goes through the shell.
   */
  public HoistJar withUmask(String umask) {
    return new HoistJar(home, cwd, jvmOptions, env, umask);
  }

  /** The child's command line: java (through sh when a umask is set), the JVM options, the jar. */
  private List<String> commandLine(String... args) {
    List<String> command = new ArrayList<>();
    if (umask != null) {
      command.addAll(List.of("sh", "-c", "umask " + umask + " && exec \"$@\"", "sh"));
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    return command;
  }

  /** The jar under test: {@code -Dhoist.jar}, else target/hoist.jar. */
  public static Path jar() {
    return Path.of(System.getProperty("hoist.jar", "target/hoist.jar")).toAbsolutePath();
  }

  /** Runs {@code java -jar hoist.jar ARGS} to its end (bounded). */
  public Result run(String... args) {
    return run(null, args);
  }

  /**
   * Runs {@code java -jar hoist.jar ARGS}, sends it SIGINT (as Ctrl-C does) once {@code trigger}
   * exists (waiting for it at most the time limit), and waits for its end (bounded).
   */
  public Result interruptWhen(Path trigger, String... args) {
    return run(trigger, args);
  }

  /**
   * Starts {@code java -jar hoist.jar ARGS} in the background, its output to {@code out} and {@code
   * err}; the caller must stop it (it is bounded by the caller's own wait).
   */
  public Process start(Path out, Path err, String... args) throws IOException {
    List<String> command = commandLine(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(cwd.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().remove("HOIST_CLUSTER");
    builder.environment().put("HOME", home.toString());
    builder.environment().put("HOIST_STATE_DIR", home.resolve(".hoist-state").toString());
    builder.environment().putAll(env);
    return builder.start();
  }

  private Result run(Path trigger, String... args) {
    List<String> command = commandLine(args);
    try {
      Path out = Files.createTempFile("hoist-out", ".txt");
      Path err = Files.createTempFile("hoist-err", ".txt");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(cwd.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      Map<String, String> env = builder.environment();
      env.remove("HOIST_CLUSTER");
      env.remove("SSH_AUTH_SOCK");
      env.remove("HOIST_SSH_PASSWORD");
      env.put("HOME", home.toString());
      // hoist's state (runs, backups, locks) in the test's directory, also when run as root.
      env.put("HOIST_STATE_DIR", home.resolve(".hoist-state").toString());
      env.putAll(this.env);
      Process process = builder.start();
      if (trigger != null) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        while (!Files.exists(trigger) && process.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid()))
            .inheritIO()
            .start()
            .waitFor(10, TimeUnit.SECONDS);
      }
      if (!process.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("hoist " + String.join(" ", args) + " did not end in time");
      }
      Result result =
          new Result(
              String.join(" ", args),
              process.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      Files.delete(out);
      Files.delete(err);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** What one run did. */
  public record Result(String args, int code, String out, String err) {

    public Result exitsWith(int expected) {
      assertEquals(expected, code, () -> "exit code of hoist " + args + "\n" + this);
      return this;
    }

    public Result outContains(String text) {
      assertTrue(out.contains(text), () -> "stdout lacks '" + text + "'\n" + this);
      return this;
    }

    public Result errContains(String text) {
      assertTrue(err.contains(text), () -> "stderr lacks '" + text + "'\n" + this);
      return this;
    }

    public Result noStackTrace() {
      assertFalse(err.contains("\tat "), () -> "stack trace on stderr\n" + this);
      assertFalse(out.contains("\tat "), () -> "stack trace on stdout\n" + this);
      return this;
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }
}
