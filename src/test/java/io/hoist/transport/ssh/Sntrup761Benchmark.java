package io.hoist.transport.ssh;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKEMExtractor;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKEMGenerator;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyPairGenerator;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePrivateKeyParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePublicKeyParameters;

/**
 * The CPU time of one sntrup761 decapsulation, Bouncy Castle's {@code SNTRUPrimeKEMExtractor}
 * against hoist's {@link Sntrup761}, warmed up, under whatever JIT flags the JVM was started with
 * (hoist's launcher runs with {@code -XX:TieredStopAtLevel=1}): bench/README.md, "sntrup761
 * decapsulation".
 *
 * <p>{@code Sntrup761Benchmark [WARMUP [BLOCKS [PER_BLOCK]]]} (defaults 300, 10, 20): WARMUP
 * decapsulations of each (results compared), then BLOCKS interleaved blocks of PER_BLOCK calls of
 * each; prints the median over blocks of the calling thread's CPU time per call, and the ratio.
 *
 * <p>{@code Sntrup761Benchmark keygen [ROUNDS]} (default 15): key generations instead, Bouncy
 * Castle's {@code SNTRUPrimeKeyPairGenerator} against {@link Sntrup761#init()}, interleaved one by
 * one; prints the CPU time of each one's first call (in a fresh JVM: what a command's first
 * connection waits for) and the median of the rest.
 */
public final class Sntrup761Benchmark {

  private Sntrup761Benchmark() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("keygen")) {
      keyGeneration(args.length > 1 ? Integer.parseInt(args[1]) : 15);
      return;
    }
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int perBlock = args.length > 2 ? Integer.parseInt(args[2]) : 20;

    SecureRandom random = new SecureRandom();
    SNTRUPrimeKeyPairGenerator generator = new SNTRUPrimeKeyPairGenerator();
    generator.init(new SNTRUPrimeKeyGenerationParameters(random, SNTRUPrimeParameters.sntrup761));
    AsymmetricCipherKeyPair pair = generator.generateKeyPair();
    SNTRUPrimePrivateKeyParameters privateKey = (SNTRUPrimePrivateKeyParameters) pair.getPrivate();
    SNTRUPrimeKEMExtractor bouncyCastle = new SNTRUPrimeKEMExtractor(privateKey);
    Sntrup761 hoist = new Sntrup761(privateKey.getEncoded());
    SNTRUPrimeKEMGenerator encapsulator = new SNTRUPrimeKEMGenerator(random);
    byte[][] ciphertexts = new byte[64][];
    for (int i = 0; i < ciphertexts.length; i++) {
      ciphertexts[i] =
          encapsulator
              .generateEncapsulated((SNTRUPrimePublicKeyParameters) pair.getPublic())
              .getEncapsulation();
    }

    for (int i = 0; i < warmup; i++) {
      byte[] c = ciphertexts[i % ciphertexts.length];
      if (!Arrays.equals(bouncyCastle.extractSecret(c), hoist.decapsulate(c))) {
        throw new AssertionError("hoist's decapsulation differs from Bouncy Castle's");
      }
    }

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<Double> bcTimes = new ArrayList<>();
    List<Double> hoistTimes = new ArrayList<>();
    long sink = 0;
    for (int block = 0; block < blocks; block++) {
      long t0 = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < perBlock; i++) {
        sink += bouncyCastle.extractSecret(ciphertexts[(block + i) % ciphertexts.length])[0];
      }
      long t1 = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < perBlock; i++) {
        sink += hoist.decapsulate(ciphertexts[(block + i) % ciphertexts.length])[0];
      }
      long t2 = threads.getCurrentThreadCpuTime();
      bcTimes.add((t1 - t0) / 1e6 / perBlock);
      hoistTimes.add((t2 - t1) / 1e6 / perBlock);
    }
    double bc = median(bcTimes);
    double own = median(hoistTimes);
    System.out.printf(
        Locale.ROOT,
        "JVM flags: %s%n%d blocks of %d decapsulations each, after %d warm-up decapsulations of"
            + " each%n",
        ManagementFactory.getRuntimeMXBean().getInputArguments(),
        blocks,
        perBlock,
        warmup);
    System.out.printf(
        Locale.ROOT,
        "bouncy-castle %8.3f ms%nhoist         %8.3f ms%nratio         %8.1f x   (median thread CPU"
            + " per call; checksum %d)%n",
        bc,
        own,
        bc / own,
        sink);
  }

  private static void keyGeneration(int rounds) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    SecureRandom random = new SecureRandom();
    List<Double> bcTimes = new ArrayList<>();
    List<Double> hoistTimes = new ArrayList<>();
    long sink = 0;
    for (int round = 0; round < rounds; round++) {
      long t0 = threads.getCurrentThreadCpuTime();
      SNTRUPrimeKeyPairGenerator generator = new SNTRUPrimeKeyPairGenerator();
      generator.init(new SNTRUPrimeKeyGenerationParameters(random, SNTRUPrimeParameters.sntrup761));
      sink +=
          ((SNTRUPrimePublicKeyParameters) generator.generateKeyPair().getPublic()).getEncoded()[0];
      long t1 = threads.getCurrentThreadCpuTime();
      Sntrup761 hoist = new Sntrup761();
      hoist.init();
      sink += hoist.getPublicKey()[0];
      long t2 = threads.getCurrentThreadCpuTime();
      bcTimes.add((t1 - t0) / 1e6);
      hoistTimes.add((t2 - t1) / 1e6);
    }
    System.out.printf(
        Locale.ROOT,
        "JVM flags: %s%n%d key generations of each, interleaved%n"
            + "               first call   median of the rest%n"
            + "bouncy-castle %9.1f ms %12.1f ms%nhoist         %9.1f ms %12.1f ms%n"
            + "(thread CPU; checksum %d)%n",
        ManagementFactory.getRuntimeMXBean().getInputArguments(),
        rounds,
        bcTimes.get(0),
        median(bcTimes.subList(1, rounds)),
        hoistTimes.get(0),
        median(hoistTimes.subList(1, rounds)),
        sink);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
