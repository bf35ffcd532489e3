package io.hoist;

import io.hoist.cli.Cli;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Entry point of {@code hoist.jar}.
 *
 * <p>Ctrl-C (SIGINT) and SIGTERM: the JVM runs its shutdown hooks, and hoist's interrupts the
 * command's thread and waits for it. A running upgrade then stops cleanly: every node finishes the
 * phase it is in (each has its time limit), no new node starts, {@code after_cluster} runs and the
 * summary is printed; the exit status is the signal's (130 for Ctrl-C). SIGKILL stops at once and
 * leaves nodes mid-phase.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    Thread command = Thread.currentThread();
    AtomicBoolean finished = new AtomicBoolean();
    AtomicBoolean signalled = new AtomicBoolean();
    Thread hook =
        new Thread(
            () -> {
              if (finished.get()) {
                return;
              }
              signalled.set(true);
              PrintStream err = new PrintStream(System.err, true, Charset.defaultCharset());
              err.println(
                  "hoist: interrupted: stopping cleanly (running nodes finish their current phase,"
                      + " after_cluster runs); kill -9 stops at once");
              command.interrupt();
              try {
                // Until the command returned (it may then be blocked in System.exit: do not wait
                // for that, or the two would wait for each other).
                while (command.isAlive() && !finished.get()) {
                  command.join(100);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "hoist-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    int code = Cli.run(args);
    finished.set(true);
    if (signalled.get()) {
      // The JVM is already shutting down with the signal's status; System.exit would block.
      return;
    }
    System.exit(code);
  }
}
