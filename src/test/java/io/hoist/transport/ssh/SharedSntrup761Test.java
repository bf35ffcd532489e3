package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jcraft.jsch.KEM;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKEMGenerator;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePublicKeyParameters;
import org.junit.jupiter.api.Test;

/**
 * One sntrup761 key pair serves the connections of a short span, a real one decapsulates what a
 * server encapsulated to it, and no more computations run at once than the limit allows.
 */
class SharedSntrup761Test {

  /** A KEM whose computations block until released, counting how many run at once. */
  private static final class Blocking implements KEM {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    final AtomicInteger inits = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void init() throws Exception {
      inits.incrementAndGet();
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

  /** Counts the pairs made; each is a distinct object with a distinct public key. */
  private static final class Made implements KEM {
    static final AtomicInteger COUNT = new AtomicInteger();
    final byte[] key = {(byte) COUNT.incrementAndGet()};

    @Override
    public void init() {}

    @Override
    public byte[] getPublicKey() {
      return key.clone();
    }

    @Override
    public byte[] decapsulate(byte[] encapsulation) {
      return encapsulation;
    }
  }

  @Test
  void onePairServesTheConnectionsOfItsSpanThenANewOneIsMade() throws Exception {
    AtomicLong now = new AtomicLong(1_000);
    SharedSntrup761.KeyPairs pairs =
        new SharedSntrup761.KeyPairs(Made::new, now::get, TimeUnit.SECONDS.toNanos(30), 1000);
    Semaphore permits = new Semaphore(1);
    KEM first = pairs.take(permits);
    now.addAndGet(TimeUnit.SECONDS.toNanos(29));
    assertSame(first, pairs.take(permits), "29 s later: the same pair");
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    KEM second = pairs.take(permits);
    assertNotSame(first, second, "30 s after it was made: a new pair");
    assertFalse(
        java.util.Arrays.equals(first.getPublicKey(), second.getPublicKey()), "another key");
  }

  @Test
  void aPairMadeAheadServesTheNextConnectionAndCountsNoUse() throws Exception {
    AtomicLong now = new AtomicLong(1_000);
    AtomicInteger made = new AtomicInteger();
    SharedSntrup761.KeyPairs pairs =
        new SharedSntrup761.KeyPairs(
            () -> {
              made.incrementAndGet();
              return new Made();
            },
            now::get,
            TimeUnit.SECONDS.toNanos(30),
            2);
    Semaphore permits = new Semaphore(1);
    assertFalse(pairs.fresh(), "no pair yet");
    pairs.prepare(permits);
    assertTrue(pairs.fresh());
    pairs.prepare(permits);
    assertEquals(1, made.get(), "a fresh pair is not made again");
    KEM first = pairs.take(permits);
    assertSame(first, pairs.take(permits), "made ahead, then two uses");
    assertEquals(1, made.get());
    assertFalse(pairs.fresh(), "used up");
    now.addAndGet(TimeUnit.SECONDS.toNanos(30));
    pairs.prepare(permits);
    assertEquals(2, made.get(), "a used-up or old pair is replaced ahead");
  }

  @Test
  void preparingRunsOnAThreadOfItsOwnAndHandshakesWaitForIt() throws Exception {
    Blocking blocking = new Blocking();
    SharedSntrup761.KeyPairs pairs =
        new SharedSntrup761.KeyPairs(() -> blocking, () -> 0L, 1L << 40, 1000);
    Semaphore permits = new Semaphore(1);
    java.util.concurrent.atomic.AtomicBoolean preparing =
        new java.util.concurrent.atomic.AtomicBoolean();
    SharedSntrup761.prepare(pairs, permits, preparing);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (blocking.running.get() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(1, blocking.running.get(), "the key generation runs in the background");
    assertTrue(preparing.get());
    SharedSntrup761.prepare(pairs, permits, preparing);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<KEM> handshake = pool.submit(() -> pairs.take(permits));
      blocking.release.countDown();
      assertSame(blocking, handshake.get(30, TimeUnit.SECONDS));
      assertEquals(1, blocking.inits.get(), "one key generation: the one made ahead");
    } finally {
      pool.shutdownNow();
    }
    while (preparing.get() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertFalse(preparing.get(), "the flag is cleared when the pair is made");
    SharedSntrup761.prepare(pairs, permits, preparing);
    assertFalse(preparing.get(), "a fresh pair: nothing started");
  }

  @Test
  void aPairServesAtMostMaxUsesConnections() throws Exception {
    SharedSntrup761.KeyPairs pairs = new SharedSntrup761.KeyPairs(Made::new, () -> 0L, 1L << 40, 3);
    Semaphore permits = new Semaphore(1);
    KEM first = pairs.take(permits);
    assertSame(first, pairs.take(permits));
    assertSame(first, pairs.take(permits));
    assertNotSame(first, pairs.take(permits), "the fourth connection gets a new pair");
  }

  @Test
  void handshakesArrivingTogetherShareOneKeyGeneration() throws Exception {
    Blocking blocking = new Blocking();
    SharedSntrup761.KeyPairs pairs =
        new SharedSntrup761.KeyPairs(() -> blocking, () -> 0L, 1L << 40, 1000);
    Semaphore permits = new Semaphore(2);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<KEM>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(pool.submit(() -> pairs.take(permits)));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (blocking.running.get() == 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      blocking.release.countDown();
      for (Future<KEM> call : calls) {
        assertSame(blocking, call.get(30, TimeUnit.SECONDS));
      }
      assertEquals(1, blocking.inits.get(), "one key generation for eight handshakes");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void noMoreDecapsulationsAtOnceThanTheLimit() throws Exception {
    Semaphore limit = new Semaphore(2);
    Blocking blocking = new Blocking();
    SharedSntrup761.KeyPairs pairs = fixed(blocking);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        calls.add(
            pool.submit(
                () -> {
                  SharedSntrup761 kem = new SharedSntrup761(pairs, limit);
                  kem.init();
                  kem.decapsulate(new byte[] {2});
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

  /** Pairs that hand out {@code kem} as a pair already made: its init() is not called again. */
  private static SharedSntrup761.KeyPairs fixed(KEM kem) {
    KEM made =
        new KEM() {
          @Override
          public void init() {}

          @Override
          public byte[] getPublicKey() throws Exception {
            return kem.getPublicKey();
          }

          @Override
          public byte[] decapsulate(byte[] encapsulation) throws Exception {
            return kem.decapsulate(encapsulation);
          }
        };
    return new SharedSntrup761.KeyPairs(() -> made, () -> 0L, 1L << 40, Integer.MAX_VALUE);
  }

  @Test
  void theSharedPairDecapsulatesWhatEachServerEncapsulated() throws Exception {
    SharedSntrup761 first = new SharedSntrup761();
    SharedSntrup761 second = new SharedSntrup761();
    first.init();
    second.init();
    byte[] publicKey = first.getPublicKey();
    assertEquals(1158, publicKey.length, "an sntrup761 public key");
    assertArrayEquals(publicKey, second.getPublicKey(), "two handshakes of one span, one pair");
    SNTRUPrimePublicKeyParameters server =
        new SNTRUPrimePublicKeyParameters(SNTRUPrimeParameters.sntrup761, publicKey);
    SNTRUPrimeKEMGenerator generator = new SNTRUPrimeKEMGenerator(new SecureRandom());
    SecretWithEncapsulation one = generator.generateEncapsulated(server);
    SecretWithEncapsulation two = generator.generateEncapsulated(server);
    assertArrayEquals(one.getSecret(), first.decapsulate(one.getEncapsulation()));
    assertArrayEquals(two.getSecret(), second.decapsulate(two.getEncapsulation()));
    assertFalse(java.util.Arrays.equals(one.getSecret(), two.getSecret()), "distinct secrets");
  }

  @Test
  void decapsulatingBeforeInitIsABug() {
    SharedSntrup761 kem = new SharedSntrup761();
    assertThrows(IllegalStateException.class, () -> kem.decapsulate(new byte[] {1}));
  }
}
