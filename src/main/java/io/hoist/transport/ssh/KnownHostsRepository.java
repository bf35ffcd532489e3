package io.hoist.transport.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.UserInfo;
import io.hoist.error.TransportException;
import io.hoist.model.HostKeyPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host key checking over a known_hosts file, used with JSch's {@code StrictHostKeyChecking=yes}.
 * JSch only negotiates and verifies the signature; which keys are trusted is decided here, with
 * OpenSSH's rules ({@link KnownHosts}).
 *
 * <p>A revoked key is refused. A key that differs from the keys known for the host (also one of
 * another type) is refused. An unknown host is refused under {@link HostKeyPolicy#STRICT}; under
 * {@link HostKeyPolicy#ACCEPT_NEW} its key is appended to the file the way OpenSSH writes it
 * ({@code [host]:port} for a port other than 22; file 0600 and directory 0700 created when missing)
 * and accepted. JSch only says "reject HostKey"; the reason, with fingerprints and what to do, is
 * kept in {@link #refusal()}.
 *
 * <p>Appends are serialised per file, between threads by a lock per path and between processes by a
 * {@link FileLock}; the file is read again under those locks, so parallel first contacts neither
 * fail nor write a host twice.
 */
final class KnownHostsRepository implements HostKeyRepository {

  private static final Logger LOG = LoggerFactory.getLogger(KnownHostsRepository.class);

  // Process-wide on purpose: FileLock only excludes other processes (a second lock on the same
  // file in this JVM throws), so threads appending to one file must also agree on a Java lock.
  private static final ConcurrentMap<Path, Object> APPEND_LOCKS = new ConcurrentHashMap<>();

  private final Path file;
  private final HostKeyPolicy policy;
  private final String node;
  private final List<String> accepted = new CopyOnWriteArrayList<>();
  private volatile TransportException refusal;

  KnownHostsRepository(Path file, HostKeyPolicy policy, String node) {
    this.file = file;
    this.policy = policy;
    this.node = node;
  }

  /** Why the last check refused the host key, or {@code null}. */
  TransportException refusal() {
    return refusal;
  }

  /**
   * {@code host} is JSch's name for the host: {@code host} for port 22, else {@code [host]:port}
   * (as in known_hosts).
   */
  @Override
  public int check(String host, byte[] key) {
    String name = host.toLowerCase(Locale.ROOT);
    String encoded = Base64.getEncoder().encodeToString(key);
    if (accepted.contains(name + " " + encoded)) {
      return OK;
    }
    KnownHosts.Verdict verdict;
    try {
      verdict = KnownHosts.current(file).check(name, key);
    } catch (IOException e) {
      refusal = io("Cannot read the known_hosts file " + file, name, e);
      return NOT_INCLUDED;
    }
    if (verdict.status() == KnownHosts.Status.UNKNOWN) {
      if (policy == HostKeyPolicy.STRICT) {
        refusal = unknown(name, key);
        return NOT_INCLUDED;
      }
      try {
        verdict = appendIfStillUnknown(name, key);
      } catch (IOException e) {
        refusal = io("Cannot add the host key of node " + node + " to " + file, name, e);
        return NOT_INCLUDED;
      }
      if (verdict.status() == KnownHosts.Status.UNKNOWN) {
        accepted.add(name + " " + encoded);
        // As OpenSSH's accept-new does, say so: the admin should know a key was trusted.
        LOG.warn(
            "node {}: permanently added the {} host key of {} ({}) to {}",
            node,
            keyType(key),
            name,
            fingerprint(key),
            file);
        return OK;
      }
    }
    return switch (verdict.status()) {
      case OK -> OK;
      case REVOKED -> {
        refusal = revoked(name, key, verdict.entries().get(0));
        yield CHANGED;
      }
      case CHANGED -> {
        refusal = changed(name, key, verdict.entries());
        yield CHANGED;
      }
      case UNKNOWN -> throw new IllegalStateException("handled above");
    };
  }

  /**
   * Appends {@code name}'s key unless the file, read again under the append locks, knows the host
   * by now (another thread or process got there first).
   *
   * @return {@code UNKNOWN} when the key was appended, else what the file says now
   */
  private KnownHosts.Verdict appendIfStillUnknown(String name, byte[] key) throws IOException {
    Path absolute = file.toAbsolutePath().normalize();
    Path dir = absolute.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Object lock = APPEND_LOCKS.computeIfAbsent(absolute, path -> new Object());
    synchronized (lock) {
      try (FileChannel channel =
              FileChannel.open(
                  absolute,
                  Set.of(
                      StandardOpenOption.CREATE,
                      StandardOpenOption.WRITE,
                      StandardOpenOption.APPEND),
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")));
          FileLock held = channel.lock()) {
        LOG.trace("holding {}", held);
        KnownHosts.Verdict now = KnownHosts.read(absolute).check(name, key);
        if (now.status() != KnownHosts.Status.UNKNOWN) {
          return now;
        }
        String line =
            name + " " + keyType(key) + " " + Base64.getEncoder().encodeToString(key) + "\n";
        if (channel.size() > 0 && !endsWithNewline(absolute)) {
          line = "\n" + line;
        }
        ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(false);
        return now;
      }
    }
  }

  private static boolean endsWithNewline(Path path) throws IOException {
    try (FileChannel read = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = read.size();
      if (size == 0) {
        return true;
      }
      ByteBuffer last = ByteBuffer.allocate(1);
      read.read(last, size - 1);
      return last.get(0) == '\n';
    }
  }

  private TransportException unknown(String name, byte[] key) {
    return new TransportException(
        TransportException.Kind.HOST_KEY_UNKNOWN,
        node,
        "The host key of node "
            + node
            + " ("
            + name
            + ") is not in "
            + file
            + ": it presented a "
            + keyType(key)
            + " key with fingerprint "
            + fingerprint(key)
            + ". Check the fingerprint, then add the key (ssh-keyscan"
            + portOption(name)
            + " "
            + bareHost(name)
            + " >> "
            + file
            + ") or run again with --accept-new-host-keys.");
  }

  private TransportException revoked(String name, byte[] key, KnownHosts.Entry entry) {
    return new TransportException(
        TransportException.Kind.HOST_KEY_CHANGED,
        node,
        "The host key of node "
            + node
            + " ("
            + name
            + "), "
            + keyType(key)
            + " "
            + fingerprint(key)
            + ", is marked @revoked in "
            + file
            + " (line "
            + entry.line()
            + "). Refusing to connect: the host must get a new key, which you then add to "
            + file
            + ".");
  }

  private TransportException changed(String name, byte[] key, List<KnownHosts.Entry> others) {
    List<String> expected = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    for (KnownHosts.Entry other : others) {
      expected.add(other.type() + " " + fingerprint(other.key()));
      lines.add(Integer.toString(other.line()));
    }
    boolean plain = others.stream().allMatch(e -> e.hosts().toLowerCase(Locale.ROOT).equals(name));
    return new TransportException(
        TransportException.Kind.HOST_KEY_CHANGED,
        node,
        "WARNING: the host key of node "
            + node
            + " ("
            + name
            + ") has CHANGED: known_hosts expects "
            + String.join(", ", expected)
            + " but the host presented "
            + keyType(key)
            + " "
            + fingerprint(key)
            + ". This can be a man-in-the-middle attack, or the host was reinstalled. Refusing to"
            + " connect. If the change is expected, remove the old key from "
            + file
            + " ("
            + (lines.size() == 1 ? "line " : "lines ")
            + String.join(", ", lines)
            + ")"
            + (plain || others.stream().allMatch(e -> e.hosts().startsWith("|1|"))
                ? " with ssh-keygen -R '" + name + "' -f " + file
                : ", editing the lines whose host patterns match " + name)
            + " and connect again.");
  }

  private TransportException io(String what, String name, IOException e) {
    return new TransportException(
        TransportException.Kind.IO, node, what + " (node " + node + ", " + name + "): " + e, e);
  }

  /** The algorithm name at the start of an SSH public key blob. */
  static String keyType(byte[] blob) {
    ByteBuffer buffer = ByteBuffer.wrap(blob);
    if (blob.length < 4) {
      return "unknown";
    }
    int length = buffer.getInt();
    if (length <= 0 || length > blob.length - 4) {
      return "unknown";
    }
    return new String(blob, 4, length, StandardCharsets.US_ASCII);
  }

  /** OpenSSH's fingerprint: {@code SHA256:} and the unpadded base64 of the blob's SHA-256. */
  static String fingerprint(byte[] blob) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(blob);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(hash);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static String bareHost(String name) {
    if (name.startsWith("[")) {
      int end = name.indexOf("]:");
      return end > 0 ? name.substring(1, end) : name;
    }
    return name;
  }

  private static String portOption(String name) {
    if (name.startsWith("[")) {
      int end = name.indexOf("]:");
      if (end > 0) {
        return " -p " + name.substring(end + 2);
      }
    }
    return "";
  }

  @Override
  public void add(HostKey hostkey, UserInfo ui) {
    // StrictHostKeyChecking=yes: JSch never asks to add; accept-new is handled in check().
    LOG.debug("ignored request to add a host key for {}", hostkey.getHost());
  }

  @Override
  public void remove(String host, String type) {
    LOG.debug("ignored request to remove the {} keys of {}", type, host);
  }

  @Override
  public void remove(String host, String type, byte[] key) {
    LOG.debug("ignored request to remove a {} key of {}", type, host);
  }

  @Override
  public String getKnownHostsRepositoryID() {
    return file.toString();
  }

  /** Every host key in the file (JSch uses them to prefer known key types). */
  @Override
  public HostKey[] getHostKey() {
    return toHostKeys(read().hostKeys(), null);
  }

  @Override
  public HostKey[] getHostKey(String host, String type) {
    if (host == null) {
      return toHostKeys(read().hostKeys(), type);
    }
    return toHostKeys(read().hostKeys(host), type);
  }

  private KnownHosts read() {
    try {
      return KnownHosts.current(file);
    } catch (IOException e) {
      LOG.debug("cannot read {}: {}", file, e.toString());
      return KnownHosts.parse(List.of());
    }
  }

  private static HostKey[] toHostKeys(List<KnownHosts.Entry> entries, String type) {
    List<HostKey> keys = new ArrayList<>();
    for (KnownHosts.Entry entry : entries) {
      if (type != null && !type.equals(entry.type())) {
        continue;
      }
      try {
        keys.add(new HostKey(entry.hosts(), HostKey.GUESS, entry.key()));
      } catch (JSchException e) {
        // a key type JSch does not know (security keys, certificates): not usable for it anyway
      }
    }
    return keys.toArray(new HostKey[0]);
  }
}
