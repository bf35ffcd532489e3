package io.hoist.transport.ssh;

import com.jcraft.jsch.KEM;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sntrup761 for the hybrid key exchange sntrup761x25519-sha512, with four changes to JSch's (Bouncy
 * Castle's) for a client that opens hundreds of connections at once.
 *
 * <p><b>One key pair for the connections of a short span.</b> Generating an sntrup761 key pair is
 * the expensive half of the algorithm (with {@link Sntrup761}'s code about 25 ms of CPU once
 * compiled, 100 ms at start-up; Bouncy Castle's took 100 to 180 and 300 ms): OpenSSH's client,
 * which makes one per connection, spends most of its handshake CPU on it. hoist makes one key pair
 * and uses it for the connections that start within {@link #MAX_AGE_SECONDS} seconds of it, at most
 * {@link #MAX_USES} of them, then makes a new one; the pair lives in memory only. sntrup761 is an
 * IND-CCA2 KEM (implicit rejection): a ciphertext from one server tells nothing about the secret
 * another server's ciphertext carries, which is what reusing a KEM key requires. The X25519 half of
 * the hybrid stays fresh for every connection (JSch makes it), so each session's key still needs a
 * secret no other session has, and classical forward secrecy is unchanged. What reuse costs: an
 * attacker who reads hoist's memory while the pair is in use could, together with the X25519
 * secrets, decrypt recorded sessions of that span; after it, the pair is gone. docs/security.md
 * says the same.
 *
 * <p><b>Made ahead.</b> The first connection that may negotiate sntrup761 starts the pair on a
 * thread of its own ({@link #prepare()}), so that it is made on another processor while that
 * connection opens its socket and exchanges offers (in a fresh JVM that is 100 ms or more of class
 * loading and setup); the handshake then waits only for what is left of it.
 *
 * <p><b>hoist's own key generation and decapsulation.</b> With key generation shared, decapsulation
 * was the remaining cost per connection: Bouncy Castle's takes 35 to 49 ms of CPU under the C1
 * compiler hoist runs with (18 to 20 ms under C2, 3.4 s interpreted). The pair is a {@link
 * Sntrup761}: hoist's own code (the reference implementation as tight loops) makes it and
 * decapsulates, in about 0.5 ms under C1 or C2 and 14 ms interpreted ({@code Sntrup761Benchmark});
 * {@code Sntrup761Test} checks both against Bouncy Castle.
 *
 * <p><b>At most one computation per processor.</b> Key generations and decapsulations wait for one
 * of as many permits as there are processors: fifty handshakes computing at once on two cores each
 * run slowly interpreted while the JIT compiler waits for a core; a few at a time let it compile
 * the code the rest then use. Only the computation waits, not the network round trips.
 *
 * <p>JSch makes its KEM by class name ({@code sntrup761} in the session config), so the shared pair
 * and the permits are static: they stand for the process (its processors, its memory).
 */
public final class SharedSntrup761 implements KEM {

  /** A key pair is used for connections that start within this many seconds of its making. */
  static final long MAX_AGE_SECONDS = 30;

  /** A key pair is used for at most this many connections. */
  static final int MAX_USES = 1000;

  private static final Semaphore PROCESSORS =
      new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));

  private static final KeyPairs SHARED =
      new KeyPairs(
          Sntrup761::new, System::nanoTime, TimeUnit.SECONDS.toNanos(MAX_AGE_SECONDS), MAX_USES);

  private static final Logger LOG = LoggerFactory.getLogger(SharedSntrup761.class);

  private static final AtomicBoolean PREPARING = new AtomicBoolean();

  private final KeyPairs pairs;
  private final Semaphore processors;
  private KEM pair;

  /**
   * Starts making the shared key pair on a thread of its own, unless a fresh one is there or being
   * made: called when a connection that may negotiate sntrup761 starts, so that the key generation
   * runs on another processor while that connection (and the rest of the command's start-up) opens
   * its socket, reads the server's banner and exchanges the key exchange offers. A handshake that
   * needs the pair before it is done waits for it ({@link KeyPairs#take}); if making it fails, the
   * handshake makes its own.
   */
  static void prepare() {
    prepare(SHARED, PROCESSORS, PREPARING);
  }

  static void prepare(KeyPairs pairs, Semaphore processors, AtomicBoolean preparing) {
    if (pairs.fresh() || !preparing.compareAndSet(false, true)) {
      return;
    }
    Thread thread =
        new Thread(
            () -> {
              try {
                pairs.prepare(processors);
              } catch (Exception | LinkageError e) {
                LOG.debug("making the sntrup761 key pair ahead failed", e);
              } finally {
                preparing.set(false);
              }
            },
            "hoist-sntrup761");
    thread.setDaemon(true);
    thread.start();
  }

  /** What JSch calls. */
  public SharedSntrup761() {
    this(SHARED, PROCESSORS);
  }

  SharedSntrup761(KeyPairs pairs, Semaphore processors) {
    this.pairs = pairs;
    this.processors = processors;
  }

  /** Takes the current key pair, or makes one (waiting for a processor) when it is too old. */
  @Override
  public void init() throws Exception {
    pair = pairs.take(processors);
  }

  @Override
  public byte[] getPublicKey() throws Exception {
    return pair().getPublicKey();
  }

  /** Decapsulates the server's ciphertext: waits for a processor first. */
  @Override
  public byte[] decapsulate(byte[] encapsulation) throws Exception {
    KEM current = pair();
    processors.acquire();
    try {
      return current.decapsulate(encapsulation);
    } finally {
      processors.release();
    }
  }

  private KEM pair() {
    if (pair == null) {
      throw new IllegalStateException("init() was not called");
    }
    return pair;
  }

  /**
   * The current key pair and how long and how often it may still be used. A KEM whose {@code
   * init()} ran is a key pair: its {@code getPublicKey()} and {@code decapsulate()} only read it,
   * so handshakes on many threads share it.
   */
  static final class KeyPairs {
    private final Supplier<KEM> factory;
    private final LongSupplier nanoTime;
    private final long maxAgeNanos;
    private final int maxUses;
    private volatile KEM current;
    private volatile long madeAt;
    private volatile int uses;

    KeyPairs(Supplier<KEM> factory, LongSupplier nanoTime, long maxAgeNanos, int maxUses) {
      this.factory = factory;
      this.nanoTime = nanoTime;
      this.maxAgeNanos = maxAgeNanos;
      this.maxUses = maxUses;
    }

    /**
     * The pair for one more connection. Callers that arrive while a new pair is being made wait for
     * it rather than make their own.
     */
    synchronized KEM take(Semaphore processors) throws Exception {
      if (!fresh()) {
        make(processors);
      }
      uses++;
      return current;
    }

    /** Makes a pair unless a fresh one is there; it is not used by anyone yet. */
    synchronized void prepare(Semaphore processors) throws Exception {
      if (!fresh()) {
        make(processors);
      }
    }

    /** Whether the current pair may serve another connection (read without the lock: a hint). */
    boolean fresh() {
      return current != null && uses < maxUses && nanoTime.getAsLong() - madeAt < maxAgeNanos;
    }

    private void make(Semaphore processors) throws Exception {
      KEM made = factory.get();
      processors.acquire();
      try {
        made.init();
      } finally {
        processors.release();
      }
      madeAt = nanoTime.getAsLong();
      uses = 0;
      current = made;
    }
  }
}
