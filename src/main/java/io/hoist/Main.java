package io.hoist;

import io.hoist.cli.BuildInfo;
import io.hoist.cli.Cli;
import java.io.PrintStream;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
   * Installs the Ctrl-C and SIGTERM handlers (a {@code sun.misc.SignalHandler}: it is in the
   * jdk.unsupported module, which javac warns about, so the handler is made at run time by {@link
   * LambdaMetafactory}, a small class the class-data archive holds, rather than by a {@code
   * java.lang.reflect.Proxy}, which cost about 10 ms of every start: a dynamic module and a proxy
   * class generated); false when the JVM refuses.
   */
  private static boolean handleSignals(Thread command, PrintStream err) {
    AtomicInteger received = new AtomicInteger();
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodHandle onSignal =
          lookup.findStatic(
              Main.class,
              "onSignal",
              MethodType.methodType(
                  void.class, AtomicInteger.class, Thread.class, PrintStream.class, Object.class));
      MethodType handle = MethodType.methodType(void.class, signalClass);
      CallSite site =
          LambdaMetafactory.metafactory(
              lookup,
              "handle",
              MethodType.methodType(
                  handlerClass, AtomicInteger.class, Thread.class, PrintStream.class),
              handle,
              onSignal,
              handle);
      Object handler = site.getTarget().invoke(received, command, err);
      for (String name : new String[] {"INT", "TERM"}) {
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
      }
      return true;
    } catch (Error e) {
      throw e;
    } catch (Throwable e) {
      return false;
    }
  }

  /** What the signal handler does with each Ctrl-C or SIGTERM ({@code signal} is unused). */
  @SuppressWarnings("unused") // called through the handler made in handleSignals
  private static void onSignal(
      AtomicInteger received, Thread command, PrintStream err, Object signal) {
    if (received.incrementAndGet() == 1) {
      err.println(
          "hoist: interrupted: stopping cleanly (running nodes finish their current"
              + " phase, after_cluster runs); press Ctrl-C again to stop at once");
      command.interrupt();
    } else {
      err.println("hoist: stopping at once; nodes may be mid-phase: see 'hoist status'");
      Runtime.getRuntime().halt(INTERRUPTED);
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
