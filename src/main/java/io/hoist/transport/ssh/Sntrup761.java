package io.hoist.transport.ssh;

import com.jcraft.jsch.KEM;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * An sntrup761 key pair, made and used by hoist's own code: the Streamlined NTRU Prime reference
 * implementation (supercop {@code crypto_kem/sntrup761/ref}, the code in OpenSSH's {@code
 * sntrup761.c}) written out in Java. Bouncy Castle's implementation serves only the tests.
 *
 * <p><b>Why.</b> Bouncy Castle's {@code SNTRUPrimeKEMExtractor} takes about 35 to 49 ms of CPU per
 * decapsulation under the C1 compiler hoist runs with, 18 to 20 ms under C2 and 3.4 s interpreted:
 * its polynomial products reduce every term separately, through a division helper that allocates an
 * array per call. A fan-out to a hundred nodes spent most of its key exchange CPU there. The
 * algorithm is three products of degree-761 polynomials, a few encodings and four SHA-512 hashes;
 * written as tight loops with one reduction per coefficient ({@code multiply}) it takes about 0.5
 * to 0.6 ms under C1 and under C2, 14 ms interpreted ({@code Sntrup761Benchmark}, on two loaded
 * cores; bench/README.md). Its key generation took 290 to 320 ms in a fresh JVM (100 to 180 ms once
 * compiled), on the way of every command's first connection; the reference's, written the same way
 * ({@link #generate}: two reciprocals by 2p - 1 division steps each, one pass over the coefficients
 * per step), takes 100 to 130 ms and 17 to 30 ms.
 *
 * <p><b>Same results.</b> From the same random bytes the key pair is the reference's and Bouncy
 * Castle's, byte for byte. For valid ciphertexts the shared secret is the reference's and Bouncy
 * Castle's ({@code Sntrup761Test} checks thousands against both Bouncy Castle's encapsulation and
 * extraction). For ciphertexts that fail the re-encryption check (implicit rejection) it is the
 * reference's and OpenSSH's {@code HashSession(0, rho, c)} of the <em>received</em> ciphertext;
 * Bouncy Castle 1.86 hashes its own re-encryption there instead. Either way the handshake fails,
 * since the server computed another key.
 *
 * <p><b>Constant time.</b> As in the reference, nothing that depends on secret data (f, g, 1/g,
 * rho, the decrypted r, whether the ciphertext was valid) decides a branch or an array index: the
 * weight check, the comparison of ciphertexts, the choice of rho and the swaps of the division
 * steps are masks; reductions modulo q and 3 are multiplications by a reciprocal, not divisions;
 * the random short polynomial comes from a sorting network. The decoders only see public data (the
 * ciphertext, the public key). Only whether a random g is invertible in R3 (the key generation
 * draws again if not) shows in the time, as in the reference.
 *
 * <p>Secret key layout as the reference and Bouncy Castle's {@code getEncoded()}: f (Small encoded,
 * 191 bytes), 1/g in R3 (191 bytes), the public key (1158 bytes), rho (191 bytes), Hash_prefix(4,
 * public key) (32 bytes). Ciphertext: Rounded encoding (1007 bytes) and the confirmation hash (32
 * bytes). An instance is immutable after {@link #init()} (or construction from bytes): handshakes
 * on many threads decapsulate with it at once.
 */
public final class Sntrup761 implements KEM {

  static final int P = 761;
  static final int Q = 4591;
  static final int W = 286;
  private static final int Q12 = (Q - 1) / 2;
  private static final int ROUNDED_M = (Q + 2) / 3;

  static final int SMALL_BYTES = (P + 3) / 4;
  static final int PUBLIC_KEY_BYTES = 1158;
  static final int ROUNDED_BYTES = 1007;
  static final int HASH_BYTES = 32;
  static final int CIPHERTEXT_BYTES = ROUNDED_BYTES + HASH_BYTES;
  static final int SECRET_KEY_BYTES = 3 * SMALL_BYTES + PUBLIC_KEY_BYTES + HASH_BYTES;

  /** ceil(2^40 / q): {@link #freezeQ} divides by q with it. */
  private static final long Q_RECIPROCAL = ((1L << 40) + Q - 1) / Q;

  /** A multiple of q plus q12 that makes every input of {@link #freezeQ} non-negative. */
  private static final int Q_OFFSET = Q12 + Q * (1 << 12);

  /** ceil(2^32 / 3): {@link #freeze3} divides by 3 with it. */
  private static final long THREE_RECIPROCAL = ((1L << 32) + 2) / 3;

  /** A multiple of 3 plus 1 that makes every input of {@link #freeze3} non-negative. */
  private static final int THREE_OFFSET = 1 + 3 * (1 << 23);

  private static final SecureRandom RANDOM = new SecureRandom();

  private static final int[] RQ_M = filled(Q);
  private static final int[] ROUNDED_MS = filled(ROUNDED_M);

  private byte[] publicKey;
  private byte[] rho;
  private byte[] cache;
  private byte[] f;
  private byte[] ginv;
  private int[] h;

  /** What {@link SharedSntrup761} makes: a key pair after {@link #init()}. */
  public Sntrup761() {}

  /** A key pair from its encoded secret key (which holds the public key). */
  Sntrup761(byte[] secretKey) {
    load(secretKey);
  }

  /** Makes a key pair (KEM_KeyGen), with randomness from a {@link SecureRandom}. */
  @Override
  public void init() {
    generate(RANDOM);
  }

  /**
   * The reference's KEM_KeyGen: g small and invertible in R3 (Small_random until R3_recip
   * succeeds), f short (Short_random), h = g / (3 f) in Rq; the secret key is f, 1/g, the public
   * key (Rq_encode(h)), rho (random bytes) and Hash_prefix(4, public key). Randomness is drawn as
   * the reference draws it ({@code urandom32()}: four bytes, little-endian, per coefficient), so a
   * given byte stream gives the reference's key pair.
   */
  void generate(SecureRandom random) {
    byte[] g = new byte[P];
    byte[] gInverse = new byte[P];
    do {
      smallRandom(g, random);
    } while (r3Recip(gInverse, g) != 0);
    byte[] fShort = shortRandom(random);
    int[] fInverse = rqRecip3(fShort);
    int[] hg = rqMultSmall(fInverse, g);
    byte[] secretKey = new byte[SECRET_KEY_BYTES];
    int at = 0;
    System.arraycopy(smallEncode(fShort), 0, secretKey, at, SMALL_BYTES);
    at += SMALL_BYTES;
    System.arraycopy(smallEncode(gInverse), 0, secretKey, at, SMALL_BYTES);
    at += SMALL_BYTES;
    byte[] pk = rqEncode(hg);
    System.arraycopy(pk, 0, secretKey, at, PUBLIC_KEY_BYTES);
    at += PUBLIC_KEY_BYTES;
    byte[] rhoBytes = new byte[SMALL_BYTES];
    random.nextBytes(rhoBytes);
    System.arraycopy(rhoBytes, 0, secretKey, at, SMALL_BYTES);
    at += SMALL_BYTES;
    hashPrefix(secretKey, at, 4, pk, PUBLIC_KEY_BYTES);
    load(secretKey);
    Arrays.fill(secretKey, (byte) 0);
    Arrays.fill(rhoBytes, (byte) 0);
    Arrays.fill(g, (byte) 0);
  }

  /** The encoded secret key (the reference's layout). For tests. */
  byte[] secretKey() {
    loaded();
    byte[] out = new byte[SECRET_KEY_BYTES];
    int at = 0;
    System.arraycopy(smallEncode(f), 0, out, at, SMALL_BYTES);
    at += SMALL_BYTES;
    System.arraycopy(smallEncode(ginv), 0, out, at, SMALL_BYTES);
    at += SMALL_BYTES;
    System.arraycopy(publicKey, 0, out, at, PUBLIC_KEY_BYTES);
    at += PUBLIC_KEY_BYTES;
    System.arraycopy(rho, 0, out, at, SMALL_BYTES);
    at += SMALL_BYTES;
    System.arraycopy(cache, 0, out, at, HASH_BYTES);
    return out;
  }

  private void load(byte[] secretKey) {
    if (secretKey.length != SECRET_KEY_BYTES) {
      throw new IllegalArgumentException(
          "an sntrup761 secret key has " + SECRET_KEY_BYTES + " bytes, not " + secretKey.length);
    }
    int at = 0;
    f = smallDecode(secretKey, at);
    at += SMALL_BYTES;
    ginv = smallDecode(secretKey, at);
    at += SMALL_BYTES;
    publicKey = Arrays.copyOfRange(secretKey, at, at + PUBLIC_KEY_BYTES);
    at += PUBLIC_KEY_BYTES;
    rho = Arrays.copyOfRange(secretKey, at, at + SMALL_BYTES);
    at += SMALL_BYTES;
    cache = Arrays.copyOfRange(secretKey, at, at + HASH_BYTES);
    h = rqDecode(publicKey);
  }

  @Override
  public byte[] getPublicKey() {
    return loaded().clone();
  }

  /**
   * The 32-byte shared secret the ciphertext carries; for an invalid one, the reference's implicit
   * rejection secret (a hash of rho and the ciphertext).
   *
   * @throws IllegalArgumentException if the ciphertext is not 1039 bytes long
   */
  @Override
  public byte[] decapsulate(byte[] ciphertext) {
    loaded();
    if (ciphertext.length != CIPHERTEXT_BYTES) {
      throw new IllegalArgumentException(
          "an sntrup761 ciphertext has " + CIPHERTEXT_BYTES + " bytes, not " + ciphertext.length);
    }
    byte[] r = decrypt(ciphertext);
    byte[] rEnc = smallEncode(r);
    byte[] cnew = hide(r, rEnc);
    int mask = ciphertextsDiffMask(ciphertext, cnew);
    for (int i = 0; i < SMALL_BYTES; i++) {
      rEnc[i] ^= (byte) (mask & (rEnc[i] ^ rho[i]));
    }
    return hashSession(1 + mask, rEnc, ciphertext);
  }

  /**
   * What the reference re-encrypts the ciphertext's decryption to (Hide(Decrypt(c))): equal to the
   * ciphertext if and only if it is valid. For tests.
   */
  byte[] reencrypt(byte[] ciphertext) {
    byte[] r = decrypt(ciphertext);
    return hide(r, smallEncode(r));
  }

  private byte[] loaded() {
    if (publicKey == null) {
      throw new IllegalStateException("init() was not called");
    }
    return publicKey;
  }

  /** ZDecrypt: r of weight w from the Rounded part of the ciphertext (a fixed r if not). */
  private byte[] decrypt(byte[] ciphertext) {
    int[] c = roundedDecode(ciphertext);
    int[] cf = rqMultSmall(c, f);
    byte[] e = new byte[P];
    for (int i = 0; i < P; i++) {
      // Rq_mult3, then R3_fromRq
      e[i] = (byte) freeze3(freezeQ(3 * cf[i]));
    }
    byte[] ev = r3Mult(e, ginv);
    int mask = weightwMask(ev);
    byte[] r = new byte[P];
    for (int i = 0; i < W; i++) {
      r[i] = (byte) (((ev[i] ^ 1) & ~mask) ^ 1);
    }
    for (int i = W; i < P; i++) {
      r[i] = (byte) (ev[i] & ~mask);
    }
    return r;
  }

  /** Hide: the ciphertext of r (Rounded encoding of Round(h r)) and HashConfirm(r_enc). */
  private byte[] hide(byte[] r, byte[] rEnc) {
    int[] hr = rqMultSmall(h, r);
    int[] rounded = new int[P];
    for (int i = 0; i < P; i++) {
      int c = hr[i] - freeze3(hr[i]);
      rounded[i] = ((c + Q12) * 10923) >>> 15;
    }
    byte[] out = new byte[CIPHERTEXT_BYTES];
    int end = encode(out, 0, rounded, ROUNDED_MS, P);
    if (end != ROUNDED_BYTES) {
      throw new AssertionError("Rounded encoding of " + end + " bytes");
    }
    byte[] x = new byte[2 * HASH_BYTES];
    hashPrefix(x, 0, 3, rEnc, rEnc.length);
    System.arraycopy(cache, 0, x, HASH_BYTES, HASH_BYTES);
    hashPrefix(out, ROUNDED_BYTES, 2, x, x.length);
    return out;
  }

  /** HashSession(b, y, z) = Hash_prefix(b, Hash_prefix(3, y) || z). */
  private static byte[] hashSession(int b, byte[] y, byte[] z) {
    byte[] x = new byte[HASH_BYTES + z.length];
    hashPrefix(x, 0, 3, y, y.length);
    System.arraycopy(z, 0, x, HASH_BYTES, z.length);
    byte[] k = new byte[HASH_BYTES];
    hashPrefix(k, 0, b, x, x.length);
    return k;
  }

  /** Hash_prefix(b, in): the first 32 bytes of SHA-512(b || in), written to out at offset. */
  static void hashPrefix(byte[] out, int offset, int b, byte[] in, int length) {
    MessageDigest sha512;
    try {
      sha512 = MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-512", e);
    }
    sha512.update((byte) b);
    sha512.update(in, 0, length);
    System.arraycopy(sha512.digest(), 0, out, offset, HASH_BYTES);
  }

  /** 0 if the two ciphertexts are equal, else -1, in constant time. */
  static int ciphertextsDiffMask(byte[] c, byte[] c2) {
    int differentBits = 0;
    for (int i = 0; i < CIPHERTEXT_BYTES; i++) {
      differentBits |= (c[i] ^ c2[i]) & 0xff;
    }
    return (1 & ((differentBits - 1) >> 8)) - 1;
  }

  /** 0 if r has exactly w nonzero coefficients, else -1. */
  private static int weightwMask(byte[] r) {
    int weight = 0;
    for (int i = 0; i < P; i++) {
      weight += r[i] & 1;
    }
    return nonzeroMask(weight - W);
  }

  /** -1 if x (a 16-bit value) is nonzero, else 0. */
  private static int nonzeroMask(int x) {
    return -((-(x & 0xffff)) >>> 31);
  }

  /**
   * x mod q in -q12..q12, for -2^24 &lt;= x &lt;= 2^24 (wider in fact: see {@code Sntrup761Test}):
   * Fq_freeze. The quotient is a multiplication by ceil(2^40/q), exact in this range.
   */
  static int freezeQ(int x) {
    long y = x + Q_OFFSET;
    long quotient = (y * Q_RECIPROCAL) >>> 40;
    return (int) (y - quotient * Q) - Q12;
  }

  /** x mod 3 in -1..1, for -2^24 &lt;= x &lt;= 2^24: F3_freeze. */
  static int freeze3(int x) {
    long y = x + THREE_OFFSET;
    long quotient = (y * THREE_RECIPROCAL) >>> 32;
    return (int) (y - quotient * 3) - 1;
  }

  /** f g in Rq = Z_q[x]/(x^p - x - 1) for f with coefficients in -q12..q12 and small g. */
  static int[] rqMultSmall(int[] f, byte[] g) {
    int[] fg = multiply(f, g);
    int[] product = new int[P];
    for (int i = 0; i < P; i++) {
      product[i] = freezeQ(fg[i]);
    }
    return product;
  }

  /** f g in R3 = Z_3[x]/(x^p - x - 1) for small f and g. */
  static byte[] r3Mult(byte[] f, byte[] g) {
    int[] wide = new int[P];
    for (int i = 0; i < P; i++) {
      wide[i] = f[i];
    }
    int[] fg = multiply(wide, g);
    byte[] product = new byte[P];
    for (int i = 0; i < P; i++) {
      product[i] = (byte) freeze3(fg[i]);
    }
    return product;
  }

  /**
   * f g modulo x^p - x - 1 with unreduced coefficients (in its first p ints), for |f[i]| &lt;= q12
   * and g[i] in -1..1: each coefficient is at most 3 p q12 &lt; 2^23 in absolute value, what {@link
   * #freezeQ} takes.
   *
   * <p>The schoolbook product, arranged for a compiler that does not vectorise (C1):
   *
   * <ul>
   *   <li>Two coefficients per long: the pair (a, b) is the integer a + b 2^32, and sums of such
   *       pairs times small integers are exact 64-bit integers from which both halves come back
   *       (the low half of every sum is below 2^31 in absolute value, since before the fold each
   *       coefficient is at most p q12 &lt; 2^21). So each multiplication makes two products.
   *   <li>Eight coefficients of g per pass: fg[i + t] gains g[i + s] f[t - s] for s = 0..7, one
   *       load and one store of fg per eight multiplications. f is padded with zeros on both sides
   *       and split into the pairs that start at even and at odd positions, so no index needs a
   *       test and every access is sequential.
   * </ul>
   *
   * <p>Then x^k = x^(k-p+1) + x^(k-p) folds the high half down: k-p+1 &lt; p for every k &lt;=
   * 2p-2, so once is enough.
   */
  private static int[] multiply(int[] f, byte[] g) {
    // padded[7 + j] = f[j], zeros elsewhere
    int[] padded = new int[P + 14];
    System.arraycopy(f, 0, padded, 7, P);
    // even[v] = (padded[2v], padded[2v+1]); odd[v] = (padded[2v+1], padded[2v+2])
    int pairs = (P + 13) / 2;
    long[] even = new long[pairs];
    long[] odd = new long[pairs];
    for (int v = 0; v < pairs; v++) {
      even[v] = pair(padded[2 * v], padded[2 * v + 1]);
      odd[v] = pair(padded[2 * v + 1], padded[2 * v + 2]);
    }
    // packed[m] = (fg[2m], fg[2m+1])
    long[] packed = new long[P + 3];
    int passes = (P + 7) / 2;
    for (int i = 0; i < P; i += 8) {
      long g0 = g[i];
      long g1 = i + 1 < P ? g[i + 1] : 0;
      long g2 = i + 2 < P ? g[i + 2] : 0;
      long g3 = i + 3 < P ? g[i + 3] : 0;
      long g4 = i + 4 < P ? g[i + 4] : 0;
      long g5 = i + 5 < P ? g[i + 5] : 0;
      long g6 = i + 6 < P ? g[i + 6] : 0;
      long g7 = i + 7 < P ? g[i + 7] : 0;
      int base = i / 2;
      for (int u = 0; u < passes; u++) {
        // t = 2u: fg[i + t] and fg[i + t + 1] gain g[i + s] (padded[t + 7 - s], padded[t + 8 - s])
        packed[base + u] +=
            g0 * odd[u + 3]
                + g1 * even[u + 3]
                + g2 * odd[u + 2]
                + g3 * even[u + 2]
                + g4 * odd[u + 1]
                + g5 * even[u + 1]
                + g6 * odd[u]
                + g7 * even[u];
      }
    }
    int[] fg = new int[2 * P + 6];
    for (int m = 0; m < packed.length; m++) {
      int low = (int) packed[m];
      fg[2 * m] = low;
      fg[2 * m + 1] = (int) ((packed[m] - low) >> 32);
    }
    for (int k = 2 * P - 2; k >= P; k--) {
      fg[k - P] += fg[k];
      fg[k - P + 1] += fg[k];
    }
    return fg;
  }

  /** p values of urandom32(): four bytes of the stream each, little-endian. */
  private static int[] urandom32s(SecureRandom random) {
    byte[] bytes = new byte[4 * P];
    random.nextBytes(bytes);
    int[] out = new int[P];
    for (int i = 0; i < P; i++) {
      out[i] =
          (bytes[4 * i] & 0xff)
              | (bytes[4 * i + 1] & 0xff) << 8
              | (bytes[4 * i + 2] & 0xff) << 16
              | (bytes[4 * i + 3] & 0xff) << 24;
    }
    Arrays.fill(bytes, (byte) 0);
    return out;
  }

  /**
   * Small_random: coefficients in -1..1, each ((urandom32() &amp; 0x3fffffff) 3) &gt;&gt; 30, less
   * one.
   */
  static void smallRandom(byte[] out, SecureRandom random) {
    int[] u = urandom32s(random);
    for (int i = 0; i < P; i++) {
      out[i] = (byte) ((((u[i] & 0x3fffffffL) * 3) >>> 30) - 1);
    }
    Arrays.fill(u, 0);
  }

  /**
   * Short_random: w coefficients -1 or 1 and p - w zeros in random positions (Short_fromlist: the
   * tagged random values sorted, in constant time).
   */
  static byte[] shortRandom(SecureRandom random) {
    int[] u = urandom32s(random);
    byte[] out = shortFromList(u);
    Arrays.fill(u, 0);
    return out;
  }

  /** Short_fromlist of p 32-bit values. */
  static byte[] shortFromList(int[] in) {
    int[] list = new int[SORT_SIZE];
    for (int i = 0; i < W; i++) {
      list[i] = in[i] & -2;
    }
    for (int i = W; i < P; i++) {
      list[i] = (in[i] & -3) | 1;
    }
    // Padding that sorts last: no value above has all bits set (bit 0 or bit 1 is clear).
    Arrays.fill(list, P, SORT_SIZE, -1);
    sortUnsigned(list);
    byte[] out = new byte[P];
    for (int i = 0; i < P; i++) {
      out[i] = (byte) ((list[i] & 3) - 1);
    }
    Arrays.fill(list, 0);
    return out;
  }

  /** The size {@link #sortUnsigned} sorts: the power of two at or above p. */
  static final int SORT_SIZE = Integer.highestOneBit(P - 1) << 1;

  /**
   * Sorts x (its length a power of two) as unsigned 32-bit values with a sorting network (bitonic
   * merges whose first stage compares mirrored positions, so every comparator is ascending): which
   * elements are compared never depends on their values, and each compare-exchange is arithmetic (a
   * mask from the sign of a 64-bit difference), not a branch.
   */
  static void sortUnsigned(int[] x) {
    int n = x.length;
    if (Integer.bitCount(n) != 1) {
      throw new IllegalArgumentException("sorts a power of two of values, not " + n);
    }
    for (int i = 0; i < n; i++) {
      x[i] ^= Integer.MIN_VALUE; // unsigned order as signed order
    }
    for (int k = 2; k <= n; k <<= 1) {
      for (int i = 0; i < n; i++) {
        int l = i ^ (k - 1);
        if (l > i) {
          minMax(x, i, l);
        }
      }
      for (int j = k >> 2; j > 0; j >>= 1) {
        for (int i = 0; i < n; i++) {
          int l = i ^ j;
          if (l > i) {
            minMax(x, i, l);
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      x[i] ^= Integer.MIN_VALUE;
    }
  }

  /** x[i] = min, x[j] = max of the two (signed), without a branch on their values. */
  private static void minMax(int[] x, int i, int j) {
    int a = x[i];
    int b = x[j];
    int swap = (int) (((long) b - a) >> 63) & (a ^ b);
    x[i] = a ^ swap;
    x[j] = b ^ swap;
  }

  /**
   * R3_recip: 1/in in R3 into out, as the reference computes it (a constant-time extended gcd of
   * x^p - x - 1 and the reversed input, 2p - 1 division steps). Returns 0 if in is invertible, else
   * -1 (out then holds no inverse).
   *
   * <p>Each step's shift of v, conditional swap, elimination and shift of g run as one pass.
   */
  static int r3Recip(byte[] out, byte[] in) {
    int[] f = new int[P + 1];
    int[] g = new int[P + 1];
    int[] v = new int[P + 1];
    int[] r = new int[P + 1];
    r[0] = 1;
    f[0] = 1;
    f[P - 1] = -1;
    f[P] = -1;
    for (int i = 0; i < P; i++) {
      g[P - 1 - i] = in[i];
    }
    int delta = 1;
    for (int loop = 0; loop < 2 * P - 1; loop++) {
      int sign = -g[0] * f[0];
      int swap = negativeMask(-delta) & nonzeroMask(g[0]);
      delta ^= swap & (delta ^ -delta);
      delta += 1;
      int previousV = v[0];
      int t = swap & (f[0] ^ g[0]);
      f[0] ^= t;
      t = swap & r[0];
      v[0] = t;
      r[0] = freeze3((r[0] ^ t) + sign * t);
      for (int i = 1; i <= P; i++) {
        int vi = previousV;
        previousV = v[i];
        int fi = f[i];
        int gi = g[i];
        int ri = r[i];
        t = swap & (fi ^ gi);
        fi ^= t;
        gi ^= t;
        t = swap & (vi ^ ri);
        vi ^= t;
        ri ^= t;
        f[i] = fi;
        v[i] = vi;
        r[i] = freeze3(ri + sign * vi);
        g[i - 1] = freeze3(gi + sign * fi);
      }
      g[P] = 0;
    }
    int sign = f[0];
    for (int i = 0; i < P; i++) {
      out[i] = (byte) (sign * v[P - 1 - i]);
    }
    return nonzeroMask(delta);
  }

  /**
   * Rq_recip3: 1/(3 in) in Rq for small in, as the reference computes it (the division steps of
   * {@link #r3Recip} with Fq arithmetic). Every short f is invertible in Rq (q is prime and x^p - x
   * - 1 irreducible modulo q).
   */
  static int[] rqRecip3(byte[] in) {
    int[] f = new int[P + 1];
    int[] g = new int[P + 1];
    int[] v = new int[P + 1];
    int[] r = new int[P + 1];
    r[0] = fqRecip(3);
    f[0] = 1;
    f[P - 1] = -1;
    f[P] = -1;
    for (int i = 0; i < P; i++) {
      g[P - 1 - i] = in[i];
    }
    int delta = 1;
    for (int loop = 0; loop < 2 * P - 1; loop++) {
      int swap = negativeMask(-delta) & nonzeroMask(g[0]);
      delta ^= swap & (delta ^ -delta);
      delta += 1;
      int t0 = swap & (f[0] ^ g[0]);
      int f0 = f[0] ^ t0;
      int g0 = g[0] ^ t0;
      int previousV = v[0];
      f[0] = f0;
      int t = swap & r[0];
      v[0] = t;
      r[0] = freezeQ(f0 * (r[0] ^ t) - g0 * t);
      for (int i = 1; i <= P; i++) {
        int vi = previousV;
        previousV = v[i];
        int fi = f[i];
        int gi = g[i];
        int ri = r[i];
        t = swap & (fi ^ gi);
        fi ^= t;
        gi ^= t;
        t = swap & (vi ^ ri);
        vi ^= t;
        ri ^= t;
        f[i] = fi;
        v[i] = vi;
        r[i] = freezeQ(f0 * ri - g0 * vi);
        g[i - 1] = freezeQ(f0 * gi - g0 * fi);
      }
      g[P] = 0;
    }
    int scale = fqRecip(f[0]);
    int[] out = new int[P];
    for (int i = 0; i < P; i++) {
      out[i] = freezeQ(scale * v[P - 1 - i]);
    }
    return out;
  }

  /** Fq_recip: a^(q-2) in Fq, by q - 3 multiplications as in the reference. */
  static int fqRecip(int a) {
    int ai = a;
    for (int i = 1; i < Q - 2; i++) {
      ai = freezeQ(a * ai);
    }
    return ai;
  }

  /** -1 if x is negative, else 0. */
  private static int negativeMask(int x) {
    return x >> 31;
  }

  /** Rq_encode: the public key's bytes from coefficients in -q12..q12. */
  static byte[] rqEncode(int[] r) {
    int[] values = new int[P];
    for (int i = 0; i < P; i++) {
      values[i] = r[i] + Q12;
    }
    byte[] out = new byte[PUBLIC_KEY_BYTES];
    int end = encode(out, 0, values, RQ_M, P);
    if (end != PUBLIC_KEY_BYTES) {
      throw new AssertionError("Rq encoding of " + end + " bytes");
    }
    return out;
  }

  /** The pair (low, high) as the integer low + high 2^32. */
  private static long pair(int low, int high) {
    return ((long) high << 32) + low;
  }

  /** Small_encode: four coefficients (each plus one, 0..2) per byte, the last one alone. */
  static byte[] smallEncode(byte[] f) {
    byte[] s = new byte[SMALL_BYTES];
    int i = 0;
    for (; i < P / 4; i++) {
      int x = f[4 * i] + 1;
      x += (f[4 * i + 1] + 1) << 2;
      x += (f[4 * i + 2] + 1) << 4;
      x += (f[4 * i + 3] + 1) << 6;
      s[i] = (byte) x;
    }
    s[i] = (byte) (f[4 * i] + 1);
    return s;
  }

  /** Small_decode, from s at offset. */
  static byte[] smallDecode(byte[] s, int offset) {
    byte[] f = new byte[P];
    int i = 0;
    for (; i < P / 4; i++) {
      int x = s[offset + i] & 0xff;
      f[4 * i] = (byte) ((x & 3) - 1);
      f[4 * i + 1] = (byte) (((x >>> 2) & 3) - 1);
      f[4 * i + 2] = (byte) (((x >>> 4) & 3) - 1);
      f[4 * i + 3] = (byte) (((x >>> 6) & 3) - 1);
    }
    f[4 * i] = (byte) (((s[offset + i] & 0xff) & 3) - 1);
    return f;
  }

  /** Rq_decode: the public key's polynomial, coefficients in -q12..q12. */
  static int[] rqDecode(byte[] s) {
    int[] r = new int[P];
    decode(r, s, 0, RQ_M, P);
    for (int i = 0; i < P; i++) {
      r[i] -= Q12;
    }
    return r;
  }

  /** Rounded_decode: the ciphertext's polynomial, multiples of 3 in -q12..q12. */
  static int[] roundedDecode(byte[] s) {
    int[] r = new int[P];
    decode(r, s, 0, ROUNDED_MS, P);
    for (int i = 0; i < P; i++) {
      r[i] = r[i] * 3 - Q12;
    }
    return r;
  }

  /**
   * The reference's Decode: len values 0 &lt;= out[i] &lt; m[i] (each m[i] &lt; 16384) from the
   * mixed-radix encoding at s[offset]. Returns how many bytes it read. For invalid input the values
   * are still in range (as in the reference).
   */
  static int decode(int[] out, byte[] s, int offset, int[] m, int len) {
    if (len == 1) {
      if (m[0] == 1) {
        out[0] = 0;
        return 0;
      } else if (m[0] <= 256) {
        out[0] = (int) (divmod(s[offset] & 0xff, m[0]) & 0xffff);
        return 1;
      } else {
        out[0] = (int) (divmod((s[offset] & 0xff) + ((s[offset + 1] & 0xff) << 8), m[0]) & 0xffff);
        return 2;
      }
    }
    int half = (len + 1) / 2;
    int[] r2 = new int[half];
    int[] m2 = new int[half];
    int[] bottomR = new int[len / 2];
    int[] bottomT = new int[len / 2];
    int at = offset;
    int i = 0;
    for (; i < len - 1; i += 2) {
      int mm = m[i] * m[i + 1];
      if (mm > 256 * 16383) {
        bottomT[i / 2] = 256 * 256;
        bottomR[i / 2] = (s[at] & 0xff) + 256 * (s[at + 1] & 0xff);
        at += 2;
        m2[i / 2] = (((mm + 255) >>> 8) + 255) >>> 8;
      } else if (mm >= 16384) {
        bottomT[i / 2] = 256;
        bottomR[i / 2] = s[at] & 0xff;
        at += 1;
        m2[i / 2] = (mm + 255) >>> 8;
      } else {
        bottomT[i / 2] = 1;
        bottomR[i / 2] = 0;
        m2[i / 2] = mm;
      }
    }
    if (i < len) {
      m2[i / 2] = m[i];
    }
    at += decode(r2, s, at, m2, half);
    int o = 0;
    for (i = 0; i < len - 1; i += 2) {
      long r = bottomR[i / 2] + (long) bottomT[i / 2] * r2[i / 2];
      long qr = divmod(r, m[i]);
      out[o++] = (int) (qr & 0xffff);
      // only needed for invalid inputs
      out[o++] = (int) (divmod(qr >>> 16, m[i + 1]) & 0xffff);
    }
    if (i < len) {
      out[o] = r2[i / 2];
    }
    return at - offset;
  }

  /**
   * The reference's Encode: len values 0 &lt;= r[i] &lt; m[i] &lt; 16384 into out at offset.
   * Returns the offset after the last byte written.
   */
  static int encode(byte[] out, int offset, int[] r, int[] m, int len) {
    int at = offset;
    if (len == 1) {
      int value = r[0];
      int mm = m[0];
      while (mm > 1) {
        out[at++] = (byte) value;
        value >>>= 8;
        mm = (mm + 255) >>> 8;
      }
      return at;
    }
    int half = (len + 1) / 2;
    int[] r2 = new int[half];
    int[] m2 = new int[half];
    int i = 0;
    for (; i < len - 1; i += 2) {
      int m0 = m[i];
      int value = r[i] + r[i + 1] * m0;
      int mm = m[i + 1] * m0;
      while (mm >= 16384) {
        out[at++] = (byte) value;
        value >>>= 8;
        mm = (mm + 255) >>> 8;
      }
      r2[i / 2] = value;
      m2[i / 2] = mm;
    }
    if (i < len) {
      r2[i / 2] = r[i];
      m2[i / 2] = m[i];
    }
    return encode(out, at, r2, m2, half);
  }

  /**
   * The reference's uint32_divmod_uint14 for 0 &lt;= x &lt; 2^32 and 0 &lt; m &lt; 16384: the
   * quotient (bits 16 and up) and the remainder (low 16 bits), by multiplications and masks only.
   */
  static long divmod(long x, int m) {
    long v = 0x80000000L / m;
    long quotient = 0;
    long qpart = (x * v) >>> 31;
    x -= qpart * m;
    quotient += qpart;
    qpart = (x * v) >>> 31;
    x -= qpart * m;
    quotient += qpart;
    x -= m;
    quotient += 1;
    long mask = x >> 63;
    x += mask & m;
    quotient += mask;
    return (quotient << 16) | x;
  }

  private static int[] filled(int m) {
    int[] ms = new int[P];
    Arrays.fill(ms, m);
    return ms;
  }
}
