package io.hoist;

import io.hoist.cli.BuildInfo;
import io.hoist.cli.Cli;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.Charset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Entry point of {@code hoist.jar}.
 *
 * <p>The first Ctrl-C (SIGINT) or SIGTERM interrupts the command's thread: a running upgrade stops
 * cleanly (every node finishes the phase it is in, an in-flight node is rolled back when the
 * failure policy says so, no new node starts, {@code after_cluster} runs, the journal is written)
 * and exits 130. The second stops at once (exit 130): the journal stays readable, its last line at
 * worst torn, and {@code hoist status} shows where each node was.
 *
 * <p>Where the JVM does not let hoist handle the signals, a shutdown hook does the first part.
 */
public final class Main {

  /** The exit status after an interrupt. */
  private static final int INTERRUPTED = 130;

  private Main() {}

  public static void main(String[] args) {
    if (BuildInfo.isVersionRequest(args)) {
      // Answered before the signal handlers and picocli's command line exist: building those is
      // most of hoist's start-up, and "hoist --version" is what scripts and monitoring call.
      System.exit(BuildInfo.printVersion());
    }
    Thread command = Thread.currentThread();
    PrintStream err = new PrintStream(System.err, true, Charset.defaultCharset());
    if (!handleSignals(command, err)) {
      hookShutdown(command, err);
    }
    int code = Cli.run(args);
    if (HOOK_RAN.get()) {
      // The JVM is already shutting down with the signal's status; System.exit would block.
      return;
    }
    System.exit(code);
  }

  private static final AtomicBoolean HOOK_RAN = new AtomicBoolean();
  private static final AtomicBoolean FINISHED = new AtomicBoolean();

  /**
   * Installs the Ctrl-C and SIGTERM handlers (through {@code sun.misc.Signal}, by reflection: it is
   * in the jdk.unsupported module, which javac warns about); false when the JVM refuses.
   */
  private static boolean handleSignals(Thread command, PrintStream err) {
    AtomicInteger received = new AtomicInteger();
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object handler =
          Proxy.newProxyInstance(
              Main.class.getClassLoader(),
              new Class<?>[] {handlerClass},
              (proxy, method, arguments) -> {
                if (!method.getName().equals("handle")) {
                  return method.getName().equals("hashCode")
                      ? System.identityHashCode(proxy)
                      : method.getName().equals("equals") ? proxy == arguments[0] : "hoist";
                }
                if (received.incrementAndGet() == 1) {
                  err.println(
                      "hoist: interrupted: stopping cleanly (running nodes finish their current"
                          + " phase, after_cluster runs); press Ctrl-C again to stop at once");
                  command.interrupt();
                } else {
                  err.println(
                      "hoist: stopping at once; nodes may be mid-phase: see 'hoist status'");
                  Runtime.getRuntime().halt(INTERRUPTED);
                }
                return null;
              });
      for (String name : new String[] {"INT", "TERM"}) {
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  private static void hookShutdown(Thread command, PrintStream err) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (FINISHED.get()) {
                    return;
                  }
                  HOOK_RAN.set(true);
                  err.println(
                      "hoist: interrupted: stopping cleanly (running nodes finish their current"
                          + " phase, after_cluster runs); kill -9 stops at once");
                  command.interrupt();
                  try {
                    while (command.isAlive() && !FINISHED.get()) {
                      command.join(100);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "hoist-interrupt"));
  }
}
