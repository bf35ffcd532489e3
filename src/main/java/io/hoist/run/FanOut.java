package io.hoist.run;

import io.hoist.error.InterruptedRunException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs one task per item, at most {@code maxParallel} at once, and returns the results in the
 * items' order. Tasks bound their own time (transports have connect and command timeouts), so a
 * slow or dead node holds one worker, never the others.
 */
public final class FanOut {

  /** The default bound on concurrent nodes ({@code --max-parallel}). */
  public static final int DEFAULT_MAX_PARALLEL = 32;

  private FanOut() {}

  /**
   * Applies {@code task} to every item.
   *
   * <p>Tasks should turn their failures into results; an exception a task throws anyway is rethrown
   * here after every task has ended (unchecked as it was, checked wrapped).
   *
   * @throws InterruptedRunException when the calling thread is interrupted: running tasks are
   *     interrupted and the interrupt flag is restored
   */
  public static <T, R> List<R> map(List<T> items, int maxParallel, Function<T, R> task) {
    if (maxParallel < 1) {
      throw new IllegalArgumentException("maxParallel must be at least 1, got " + maxParallel);
    }
    if (items.isEmpty()) {
      return List.of();
    }
    if (items.size() == 1) {
      return List.of(task.apply(items.get(0)));
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.min(maxParallel, items.size()), new Workers());
    try {
      List<Future<R>> futures = new ArrayList<>(items.size());
      for (T item : items) {
        futures.add(pool.submit(() -> task.apply(item)));
      }
      List<R> results = new ArrayList<>(items.size());
      RuntimeException failure = null;
      for (Future<R> future : futures) {
        try {
          results.add(future.get());
        } catch (ExecutionException e) {
          results.add(null);
          if (failure == null) {
            failure =
                e.getCause() instanceof RuntimeException re
                    ? re
                    : new IllegalStateException(e.getCause());
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      return results;
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
      throw new InterruptedRunException("interrupted while waiting for nodes");
    } finally {
      pool.shutdownNow();
    }
  }

  private static final class Workers implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread thread = new Thread(r, "hoist-node-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
  }
}
