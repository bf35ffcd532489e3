package io.hoist.transport.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Terminating a process with all its descendants. */
final class ProcessTree {

  /** How often to look again at a process that is not our child (its exit cannot be awaited). */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private ProcessTree() {}

  /**
   * Terminates {@code root} and its descendants: SIGTERM first, SIGKILL for those still running
   * after {@code grace}. Returns when all are gone or after a second grace. The descendants are
   * listed before anything is signalled: an orphan can no longer be found from its dead parent.
   */
  static void kill(ProcessHandle root, Duration grace) {
    List<ProcessHandle> all = new ArrayList<>();
    root.descendants().forEach(all::add);
    all.add(root);
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle handle : all) {
      if (!awaitGone(handle, deadline)) {
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
      }
    }
    long forcedDeadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle handle : all) {
      awaitGone(handle, forcedDeadline);
    }
  }

  /**
   * Whether the process has exited. A zombie counts as exited: where the init process does not reap
   * orphans (some containers), a killed grandchild stays a zombie that {@link
   * ProcessHandle#isAlive()} still reports alive.
   */
  static boolean isGone(ProcessHandle handle) {
    if (!handle.isAlive()) {
      return true;
    }
    try {
      String stat =
          Files.readString(
              Path.of("/proc", Long.toString(handle.pid()), "stat"), StandardCharsets.US_ASCII);
      int afterName = stat.lastIndexOf(')');
      return afterName > 0 && stat.length() > afterName + 2 && stat.charAt(afterName + 2) == 'Z';
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean awaitGone(ProcessHandle handle, long deadline) {
    while (!isGone(handle)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        handle.onExit().get(Math.min(left, POLL_NANOS), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // not yet: look again (a zombie never completes onExit)
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return isGone(handle);
      }
    }
    return true;
  }
}
