package io.hoist.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for processes in tests. */
public final class Processes {

  private Processes() {}

  /**
   * Whether process {@code pid} is gone within {@code limit}. A zombie counts as gone: where init
   * does not reap orphans (some containers) a killed grandchild stays a zombie.
   */
  public static boolean awaitGone(long pid, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!isGone(pid)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      if (handle.isPresent()) {
        try {
          handle
              .get()
              .onExit()
              .get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
          // look again
        }
      }
    }
    return true;
  }

  /** Whether {@code pid} has exited (or is a zombie). */
  public static boolean isGone(long pid) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return true;
    }
    try {
      String stat =
          Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      int afterName = stat.lastIndexOf(')');
      return stat.charAt(afterName + 2) == 'Z';
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
