package io.hoist.transport.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.UserInfo;
import io.hoist.error.TransportException;
import io.hoist.model.HostKeyPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host key checking over a known_hosts file, used with JSch's {@code StrictHostKeyChecking=yes}.
 *
 * <p>Lookups go to JSch's own parser (plain and hashed entries). A key that differs from a known
 * key of the host is always refused. An unknown host is refused under {@link HostKeyPolicy#STRICT};
 * under {@link HostKeyPolicy#ACCEPT_NEW} its key is appended to the file the way OpenSSH writes it
 * ({@code [host]:port} for a port other than 22; file 0600 and directory 0700 created when missing)
 * and accepted. JSch only says "reject HostKey"; the reason, with fingerprints and what to do, is
 * kept in {@link #refusal()}.
 */
final class KnownHostsRepository implements HostKeyRepository {

  private static final Logger LOG = LoggerFactory.getLogger(KnownHostsRepository.class);

  private final HostKeyRepository known;
  private final Path file;
  private final HostKeyPolicy policy;
  private final String node;
  private final List<String[]> accepted = new CopyOnWriteArrayList<>();
  private volatile TransportException refusal;

  KnownHostsRepository(HostKeyRepository known, Path file, HostKeyPolicy policy, String node) {
    this.known = known;
    this.file = file;
    this.policy = policy;
    this.node = node;
  }

  /** Why the last check refused the host key, or {@code null}. */
  TransportException refusal() {
    return refusal;
  }

  @Override
  public int check(String host, byte[] key) {
    int status = known.check(host, key);
    if (status == OK) {
      return OK;
    }
    String encoded = Base64.getEncoder().encodeToString(key);
    for (String[] entry : accepted) {
      if (entry[0].equals(host) && entry[1].equals(encoded)) {
        return OK;
      }
    }
    String type = keyType(key);
    String presented = fingerprint(key);
    HostKey[] others = known.getHostKey(host, null);
    if (status == CHANGED || (others != null && others.length > 0)) {
      refusal = changed(host, type, presented, others == null ? new HostKey[0] : others);
      return CHANGED;
    }
    if (policy == HostKeyPolicy.STRICT) {
      refusal =
          new TransportException(
              TransportException.Kind.HOST_KEY_UNKNOWN,
              node,
              "The host key of node "
                  + node
                  + " ("
                  + host
                  + ") is not in "
                  + file
                  + ": it presented a "
                  + type
                  + " key with fingerprint "
                  + presented
                  + ". Check the fingerprint, then add the key (ssh-keyscan"
                  + portOption(host)
                  + " "
                  + bareHost(host)
                  + " >> "
                  + file
                  + ") or run again with --accept-new-host-keys.");
      return NOT_INCLUDED;
    }
    try {
      append(host, type, encoded);
    } catch (IOException e) {
      refusal =
          new TransportException(
              TransportException.Kind.IO,
              node,
              "Cannot add the host key of node " + node + " (" + host + ") to " + file + ": " + e,
              e);
      return NOT_INCLUDED;
    }
    accepted.add(new String[] {host, encoded});
    LOG.debug("added {} key {} of {} to {}", type, presented, host, file);
    return OK;
  }

  private TransportException changed(String host, String type, String presented, HostKey[] others) {
    List<String> expected = new ArrayList<>();
    for (HostKey other : others) {
      String fp = fingerprintOf(other.getKey());
      expected.add(other.getType() + " " + fp);
    }
    int line = lineOf(host);
    return new TransportException(
        TransportException.Kind.HOST_KEY_CHANGED,
        node,
        "WARNING: the host key of node "
            + node
            + " ("
            + host
            + ") has CHANGED: known_hosts expects "
            + String.join(", ", expected)
            + " but the host presented "
            + type
            + " "
            + presented
            + ". This can be a man-in-the-middle attack, or the host was reinstalled. Refusing to"
            + " connect. If the change is expected, remove the old key from "
            + file
            + (line > 0 ? " (line " + line + ")" : "")
            + " with ssh-keygen -R '"
            + host
            + "' -f "
            + file
            + " and connect again.");
  }

  private void append(String host, String type, String encoded) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    if (!Files.exists(file)) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    String line = host + " " + type + " " + encoded + "\n";
    if (Files.size(file) > 0 && !endsWithNewline()) {
      line = "\n" + line;
    }
    Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  private boolean endsWithNewline() throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    return bytes.length == 0 || bytes[bytes.length - 1] == '\n';
  }

  /** The 1-based line of the first entry for {@code host} (plain or hashed), or 0. */
  int lineOf(String host) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String[] fields = lines.get(i).strip().split("\\s+");
        if (fields.length < 3 || fields[0].startsWith("#")) {
          continue;
        }
        String hosts = fields[0].startsWith("@") ? fields[1] : fields[0];
        if (matches(hosts, host)) {
          return i + 1;
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot read {}: {}", file, e.toString());
    }
    return 0;
  }

  private static boolean matches(String hosts, String host) {
    if (hosts.startsWith("|1|")) {
      String[] parts = hosts.split("\\|");
      if (parts.length != 4) {
        return false;
      }
      try {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(parts[2]), "HmacSHA1"));
        byte[] hash = mac.doFinal(host.getBytes(StandardCharsets.UTF_8));
        return Arrays.equals(hash, Base64.getDecoder().decode(parts[3]));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        return false;
      }
    }
    for (String pattern : hosts.split(",")) {
      if (pattern.equalsIgnoreCase(host)) {
        return true;
      }
    }
    return false;
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

  private static String fingerprintOf(String base64) {
    try {
      return fingerprint(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      return "(unreadable key)";
    }
  }

  private static String bareHost(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf("]:");
      return end > 0 ? host.substring(1, end) : host;
    }
    return host;
  }

  private static String portOption(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf("]:");
      if (end > 0) {
        return " -p " + host.substring(end + 2).toLowerCase(Locale.ROOT);
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
    known.remove(host, type);
  }

  @Override
  public void remove(String host, String type, byte[] key) {
    known.remove(host, type, key);
  }

  @Override
  public String getKnownHostsRepositoryID() {
    return file.toString();
  }

  @Override
  public HostKey[] getHostKey() {
    return known.getHostKey();
  }

  @Override
  public HostKey[] getHostKey(String host, String type) {
    return known.getHostKey(host, type);
  }
}
