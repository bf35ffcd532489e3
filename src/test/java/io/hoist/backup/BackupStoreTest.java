package io.hoist.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.model.Commands;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.SshSettings;
import io.hoist.model.TransportKind;
import io.hoist.testing.ForwardingTransport;
import io.hoist.transport.FileDigest;
import io.hoist.transport.Transport;
import io.hoist.transport.local.LocalTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup store against a real node directory through {@link LocalTransport}. */
class BackupStoreTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private Path home;
  private Path data;
  private Node node;
  private LocalTransport transport;
  private BackupStore store;

  @BeforeEach
  void nodeWithData() throws IOException {
    home = Files.createDirectories(dir.resolve("home"));
    data = Files.createDirectories(dir.resolve("data"));
    writeData(data);
    node =
        new Node(
            "n1",
            TransportKind.LOCAL,
            null,
            List.of("db"),
            SshSettings.defaults(),
            new Layout(home.toString(), 0),
            Commands.none());
    transport = new LocalTransport(node, dir);
    store = new BackupStore(dir.resolve("store"));
  }

  @AfterEach
  void close() {
    transport.close();
  }

  static void writeData(Path data) throws IOException {
    Files.writeString(data.resolve("a.txt"), "alpha\n");
    byte[] binary = new byte[70_000];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 31 + (i >> 8));
    }
    Files.write(data.resolve("blob.bin"), binary);
    Path nested = Files.createDirectories(data.resolve("nested/deeper"));
    Files.writeString(nested.resolve("c.conf"), "key=value\n");
    Files.writeString(data.resolve("nested/b.txt"), "");
  }

  /** Every file and directory under {@code root}: relative path to base64 content or "dir". */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        files.put(
            root.relativize(p).toString(),
            Files.isDirectory(p)
                ? "dir"
                : Base64.getEncoder().encodeToString(Files.readAllBytes(p)));
      }
    }
    return files;
  }

  @Test
  void takeArchivesEveryFileWithItsSizeAndSha256() throws IOException {
    Backup backup = store.take(node, transport, List.of(data.toString()), "1.0", "2.0", TIMEOUT);

    assertTrue(Files.isRegularFile(backup.archive()));
    assertTrue(Files.isRegularFile(backup.dir().resolve(BackupStore.MANIFEST)));
    assertEquals(
        "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup.dir())));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(backup.dir().getParent())));
    assertTrue(backup.dir().getFileName().toString().endsWith("-1.0-2.0"), backup.dir().toString());
    assertEquals(FileDigest.sha256(backup.archive()), backup.sha256());

    String prefix = data.toString().substring(1) + "/";
    List<Path> files;
    try (Stream<Path> walk = Files.walk(data)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertEquals(4, files.size());
    for (Path file : files) {
      String name = prefix + data.relativize(file);
      Backup.Entry entry =
          backup.entries().stream()
              .filter(e -> e.path().equals(name))
              .findFirst()
              .orElseThrow(() -> new AssertionError(name + " not in " + backup.entries()));
      assertEquals("file", entry.type());
      assertEquals(Files.size(file), entry.size(), name);
      assertEquals(FileDigest.sha256(file), entry.sha256(), name);
    }
    assertEquals(4, backup.entries().stream().filter(e -> e.type().equals("file")).count());

    store.verify(backup);
    assertEquals(List.of(backup), store.list("n1"));
    assertEquals(List.of(), leftovers(), "the node's temporary archive is removed");
  }

  @Test
  void everyCopyOfTheDataIsReadableByItsOwnerOnly() throws IOException {
    List<String> nodeSide = new ArrayList<>();
    Transport watching =
        new ForwardingTransport(transport) {
          @Override
          public String download(String remotePath, Path local) {
            nodeSide.add(mode(Path.of(remotePath)));
            return super.download(remotePath, local);
          }
        };

    Backup backup = store.take(node, watching, List.of(data.toString()), "1.0", "2.0", TIMEOUT);

    assertEquals(List.of("rw-------"), nodeSide, "the archive waiting on the node");
    assertEquals("rw-------", mode(backup.archive()));
    assertEquals("rw-------", mode(backup.dir().resolve(BackupStore.MANIFEST)));
  }

  private static String mode(Path file) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void restorePutsTheBackedUpPathsBackByteIdentical() throws IOException {
    Map<String, String> before = snapshot(data);
    Backup backup = store.take(node, transport, List.of(data.toString()), "1.0", "2.0", TIMEOUT);
    Files.writeString(data.resolve("a.txt"), "changed");
    Files.delete(data.resolve("nested/deeper/c.conf"));
    Files.writeString(data.resolve("new.txt"), "new");

    store.restore(backup, transport, TIMEOUT);

    assertEquals(before, snapshot(data));
    assertEquals(List.of(), leftovers());
  }

  @Test
  void aCorruptArchiveIsRefusedAndTheNodeIsNotTouched() throws IOException {
    Backup backup = store.take(node, transport, List.of(data.toString()), "1.0", "2.0", TIMEOUT);
    Files.writeString(data.resolve("a.txt"), "changed after the backup");
    Map<String, String> changed = snapshot(data);
    byte[] bytes = Files.readAllBytes(backup.archive());
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(backup.archive(), bytes);

    BackupException e =
        assertThrows(BackupException.class, () -> store.restore(backup, transport, TIMEOUT));

    assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    assertEquals(changed, snapshot(data));
    assertEquals(List.of(), leftovers());
  }

  @Test
  void aTruncatedDownloadIsDeletedAndFailsTheTake() throws IOException {
    Transport truncating =
        new ForwardingTransport(transport) {
          @Override
          public String download(String remotePath, Path local) {
            String sha = super.download(remotePath, local);
            try {
              byte[] bytes = Files.readAllBytes(local);
              Files.write(local, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            } catch (IOException e) {
              throw new AssertionError(e);
            }
            return sha;
          }
        };

    BackupException e =
        assertThrows(
            BackupException.class,
            () -> store.take(node, truncating, List.of(data.toString()), "1.0", "2.0", TIMEOUT));

    assertTrue(e.getMessage().contains("cannot be read back"), e.getMessage());
    assertEquals(List.of(), store.list("n1"));
    try (Stream<Path> left = Files.list(dir.resolve("store/n1"))) {
      assertEquals(List.of(), left.toList(), "the broken backup is deleted");
    }
    assertEquals(List.of(), leftovers());
  }

  @Test
  void missingPathsAreNamedAndNothingIsArchived() throws IOException {
    Map<String, String> before = snapshot(dir);
    String missing = dir.resolve("nope").toString();

    BackupException e =
        assertThrows(
            BackupException.class,
            () ->
                store.take(
                    node, transport, List.of(data.toString(), missing), "1.0", "2.0", TIMEOUT));

    assertTrue(e.getMessage().contains(missing), e.getMessage());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertEquals(List.of(), store.list("n1"));
    Map<String, String> after = snapshot(dir);
    after.keySet().removeIf(k -> k.startsWith("store"));
    assertEquals(before, after);
  }

  @Test
  void pruneKeepsTheNewest() {
    List<Backup> taken = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      taken.add(store.take(node, transport, List.of(data.toString()), "1.0", "2.0", TIMEOUT));
    }
    assertEquals(taken, store.list("n1"));

    List<Backup> deleted = store.prune("n1", 2);

    assertEquals(taken.subList(0, 2), deleted);
    assertEquals(taken.subList(2, 4), store.list("n1"));
    assertFalse(Files.exists(taken.get(0).dir()));
    assertTrue(Files.exists(taken.get(3).archive()));
    assertEquals(List.of(), store.prune("n1", 2));
  }

  private List<Path> leftovers() throws IOException {
    try (Stream<Path> files = Files.list(home)) {
      return files.filter(p -> p.getFileName().toString().startsWith(".hoist-")).toList();
    }
  }
}
