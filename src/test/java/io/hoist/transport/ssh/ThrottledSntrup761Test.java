package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jcraft.jsch.KEM;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** At most as many sntrup761 computations at once as the limit allows; the real one works. */
class ThrottledSntrup761Test {

  /** A KEM whose computations block until released, counting how many run at once. */
  private static final class Blocking implements KEM {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void init() throws Exception {
      compute();
    }

    @Override
    public byte[] getPublicKey() {
      return new byte[] {1};
    }

    @Override
    public byte[] decapsulate(byte[] encapsulation) throws Exception {
      compute();
      return encapsulation;
    }

    private void compute() throws InterruptedException {
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        assertTrue(release.await(30, TimeUnit.SECONDS), "released");
      } finally {
        running.decrementAndGet();
      }
    }
  }

  @Test
  void noMoreComputationsAtOnceThanTheLimit() throws Exception {
    Semaphore limit = new Semaphore(2);
    Blocking blocking = new Blocking();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        boolean keygen = i % 2 == 0;
        calls.add(
            pool.submit(
                () -> {
                  ThrottledSntrup761 kem = new ThrottledSntrup761(blocking, limit);
                  if (keygen) {
                    kem.init();
                  } else {
                    kem.decapsulate(new byte[] {2});
                  }
                  return null;
                }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (limit.getQueueLength() < 4 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertEquals(4, limit.getQueueLength(), "four wait for a processor");
      assertEquals(2, blocking.running.get());
      blocking.release.countDown();
      for (Future<?> call : calls) {
        call.get(30, TimeUnit.SECONDS);
      }
      assertEquals(2, blocking.most.get());
      assertEquals(2, limit.availablePermits(), "every permit returned");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void jschsSntrup761WorksThroughIt() throws Exception {
    ThrottledSntrup761 kem = new ThrottledSntrup761();
    kem.init();
    assertEquals(1158, kem.getPublicKey().length, "an sntrup761 public key");
  }

  @Test
  void getPublicKeyIsPassedThrough() throws Exception {
    ThrottledSntrup761 kem = new ThrottledSntrup761(new Blocking(), new Semaphore(1));
    assertArrayEquals(new byte[] {1}, kem.getPublicKey());
  }
}
