package io.hoist.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.InterruptedRunException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FanOutTest {

  @Test
  void resultsKeepTheOrderOfTheItems() {
    List<Integer> items = IntStream.range(0, 50).boxed().toList();
    assertEquals(
        items.stream().map(i -> i * 2).toList(), FanOut.map(items, 8, (Integer i) -> i * 2));
  }

  @Test
  void neverRunsMoreThanMaxParallelAtOnce() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    FanOut.map(
        IntStream.range(0, 40).boxed().toList(),
        3,
        (Integer i) -> {
          int now = running.incrementAndGet();
          peak.accumulateAndGet(now, Math::max);
          Thread.onSpinWait();
          running.decrementAndGet();
          return i;
        });
    assertTrue(peak.get() <= 3, "peak " + peak.get());
  }

  @Test
  void aBlockedItemDoesNotHoldBackTheOthers() throws InterruptedException {
    CountDownLatch othersDone = new CountDownLatch(9);
    // Item 0 waits until all nine others have finished: with a bound of 2 this only completes
    // when the other worker takes every remaining item while item 0 is stuck.
    List<String> results =
        FanOut.map(
            IntStream.range(0, 10).boxed().toList(),
            2,
            (Integer i) -> {
              if (i == 0) {
                try {
                  return othersDone.await(30, TimeUnit.SECONDS) ? "late" : "starved";
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return "interrupted";
                }
              }
              othersDone.countDown();
              return "ok";
            });
    assertEquals("late", results.get(0));
    assertEquals(9, results.stream().filter("ok"::equals).count());
  }

  @Test
  void aTaskExceptionIsRethrownAfterAllTasksEnded() {
    AtomicInteger finished = new AtomicInteger();
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                FanOut.map(
                    IntStream.range(0, 6).boxed().toList(),
                    2,
                    (Integer i) -> {
                      if (i == 1) {
                        throw new IllegalStateException("boom " + i);
                      }
                      finished.incrementAndGet();
                      return i;
                    }));
    assertEquals("boom 1", thrown.getMessage());
    assertEquals(5, finished.get());
  }

  @Test
  void interruptingTheCallerStopsTheWorkersAndRestoresTheFlag() throws InterruptedException {
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    AtomicReference<Boolean> flag = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(1);
    Thread caller =
        new Thread(
            () -> {
              try {
                FanOut.map(
                    List.of(1, 2),
                    2,
                    (Integer i) -> {
                      started.countDown();
                      try {
                        Thread.sleep(60_000);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return i;
                    });
              } catch (Throwable t) {
                outcome.set(t);
              }
              flag.set(Thread.currentThread().isInterrupted());
            });
    caller.start();
    assertTrue(started.await(10, TimeUnit.SECONDS));
    caller.interrupt();
    caller.join(10_000);
    assertTrue(outcome.get() instanceof InterruptedRunException, String.valueOf(outcome.get()));
    assertEquals(Boolean.TRUE, flag.get());
  }

  @Test
  void maxParallelBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> FanOut.map(List.of(1), 0, i -> i));
  }
}
