package io.hoist.transport.ssh;

import com.jcraft.jsch.KEM;
import java.util.concurrent.Semaphore;

/**
 * JSch's sntrup761 (Bouncy Castle), with at most as many key generations and decapsulations at once
 * as there are processors, process-wide. hoist opens its connections in parallel, and sntrup761 is
 * CPU-bound: about 60 ms of CPU per connection once compiled, several times that before. Fifty
 * handshakes computing at once on two cores each run slowly interpreted while the JIT compiler
 * waits for a core; a few at a time let it compile the code the rest then use. Only the computation
 * waits, not the network round trips of the handshakes. JSch makes its KEM by class name ({@code
 * sntrup761} in the session config), so the limit is static: it stands for the processors, which
 * are the process's too.
 */
public final class ThrottledSntrup761 implements KEM {

  private static final Semaphore PROCESSORS =
      new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));

  private final KEM kem;
  private final Semaphore processors;

  /** What JSch calls. */
  public ThrottledSntrup761() {
    this(new com.jcraft.jsch.bc.SNTRUP761(), PROCESSORS);
  }

  ThrottledSntrup761(KEM kem, Semaphore processors) {
    this.kem = kem;
    this.processors = processors;
  }

  /** Generates the key pair: waits for a processor first. */
  @Override
  public void init() throws Exception {
    processors.acquire();
    try {
      kem.init();
    } finally {
      processors.release();
    }
  }

  @Override
  public byte[] getPublicKey() throws Exception {
    return kem.getPublicKey();
  }

  /** Decapsulates the server's ciphertext: waits for a processor first. */
  @Override
  public byte[] decapsulate(byte[] encapsulation) throws Exception {
    processors.acquire();
    try {
      return kem.decapsulate(encapsulation);
    } finally {
      processors.release();
    }
  }
}
