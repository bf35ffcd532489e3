package io.hoist.stage;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.ShellCommand;
import io.hoist.model.Commands;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.SshSettings;
import io.hoist.model.TransportKind;
import io.hoist.release.Version;
import io.hoist.stage.StageResult.Status;
import io.hoist.testing.ForwardingTransport;
import io.hoist.transport.ExecResult;
import io.hoist.transport.FileDigest;
import io.hoist.transport.OutputSink;
import io.hoist.transport.Transport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staging on one node, over any transport. The node's install home ({@link #home}, with a space in
 * its path) starts with {@code releases/1.0.0} (not staged by hoist) and {@code current} pointing
 * to it; {@link #fakeBin} comes first on the node's {@code PATH}, for tests that replace a tool. A
 * subclass opens {@link #transport()} to that node in its own {@code @BeforeEach}.
 */
abstract class StagerContract {

  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path temp;
  Path home;
  Path fakeBin;
  Node node;
  final Stager stager = new Stager(TIMEOUT, TIMEOUT);

  /** The transport to the node, open for each test, closed by the subclass. */
  abstract Transport transport();

  @BeforeEach
  void createNode() throws IOException {
    fakeBin = Files.createDirectories(temp.resolve("fake-bin"));
    home = Files.createDirectories(temp.resolve("node/acme home"));
    release("1.0.0", false);
    Files.createSymbolicLink(home.resolve("current"), Path.of("releases", "1.0.0"));
    node =
        new Node(
            "dea-1",
            TransportKind.LOCAL,
            null,
            List.of("dea"),
            SshSettings.defaults(),
            new Layout(home.toString(), 0),
            Commands.none());
  }

  /** A node with {@code node}'s layout but this transport kind and host. */
  Node node(TransportKind kind, String host, SshSettings ssh) {
    return new Node(node.name(), kind, host, node.roles(), ssh, node.layout(), node.commands());
  }

  @Test
  void stagingUnpacksTheBundleBesideTheRunningRelease() throws IOException {
    Path bundle = bundle("1.5.0");

    StageResult result = stage(bundle, "1.5.0", 3);

    assertEquals(Status.STAGED, result.status(), result.message());
    Path staged = home.resolve("releases/1.5.0");
    assertAll(
        () -> assertEquals("1.5.0\n", Files.readString(staged.resolve("VERSION"))),
        () -> assertTrue(Files.isExecutable(staged.resolve("bin/acme"))),
        () -> assertEquals(sha(bundle) + "\n", Files.readString(staged.resolve(".hoist-staged"))),
        () -> assertEquals(Path.of("releases", "1.0.0"), currentTarget()),
        () -> assertEquals(Set.of("1.0.0", "1.5.0"), releases()),
        () -> assertEquals(Files.size(bundle), result.bytesSent()),
        () -> assertEquals("dea-1", result.node()),
        () -> assertEquals(List.of(), result.pruned()));
  }

  @Test
  void stagingAgainIsOneCommandThatSendsNothing() throws IOException {
    Path bundle = bundle("1.5.0");
    assertEquals(Status.STAGED, stage(bundle, "1.5.0", 3).status());
    CountingTransport counting = new CountingTransport(transport());

    StageResult again =
        stager.stage(node, counting, bundle, sha(bundle), Version.parse("1.5.0"), 3);

    assertAll(
        () -> assertEquals(Status.ALREADY_STAGED, again.status(), again.message()),
        () -> assertEquals(0, again.bytesSent()),
        () -> assertEquals(1, counting.execs, "round trips"),
        () -> assertEquals(0, counting.uploads, "uploads"),
        () -> assertEquals(Set.of("1.0.0", "1.5.0"), releases()));
  }

  @Test
  void aNodeWithoutReleasesGetsTheDirectory() throws IOException {
    home = Files.createDirectories(temp.resolve("node/fresh"));
    node =
        new Node(
            node.name(),
            node.transport(),
            node.host(),
            node.roles(),
            node.ssh(),
            new Layout(home.toString(), 0),
            node.commands());

    StageResult result = stage(bundle("2.0.0"), "2.0.0", 3);

    assertEquals(Status.STAGED, result.status(), result.message());
    assertEquals(Set.of("2.0.0"), releases());
    assertFalse(Files.exists(home.resolve("current")));
  }

  @Test
  void aDirectoryHoistDidNotStageFailsAndIsLeftAlone() throws IOException {
    Path foreign = Files.createDirectories(home.resolve("releases/1.5.0"));
    Files.writeString(foreign.resolve("precious"), "hand-made\n");

    StageResult result = stage(bundle("1.5.0"), "1.5.0", 3);

    assertEquals(Status.FAILED, result.status());
    assertTrue(result.message().contains("not staged by hoist"), result.message());
    assertTrue(result.message().contains("remove it"), result.message());
    assertEquals(0, result.bytesSent());
    assertEquals(Set.of("precious"), names(foreign));
    assertEquals(Set.of("1.0.0", "1.5.0"), releases());
  }

  @Test
  void aReleaseStagedFromAnotherBundleIsNotTrusted() throws IOException {
    Path other = Files.createDirectories(home.resolve("releases/1.5.0"));
    Files.writeString(other.resolve(".hoist-staged"), "a".repeat(64) + "\n");

    StageResult result = stage(bundle("1.5.0"), "1.5.0", 3);

    assertEquals(Status.FAILED, result.status());
    assertTrue(
        result.message().contains("another bundle (sha256 " + "a".repeat(64)), result.message());
    assertEquals(Set.of(".hoist-staged"), names(other));
  }

  @Test
  void tooLittleFreeSpaceFailsBeforeAnythingIsSent() throws IOException {
    // The node's df reports 100 KiB free on its file system: a small disk without root mounts.
    fake(
        "df",
        "echo 'Filesystem 1024-blocks Used Available Capacity Mounted on'",
        "echo 'tiny 1000 900 100 90% /'");
    Path bundle = bundle("1.5.0", 200 * 1024);

    CountingTransport counting = new CountingTransport(transport());
    StageResult result =
        stager.stage(node, counting, bundle, sha(bundle), Version.parse("1.5.0"), 3);

    assertEquals(Status.FAILED, result.status());
    assertTrue(
        result
            .message()
            .matches("needs 6[0-9]{2}\\.[0-9] KiB free in .*/releases, has 100\\.0 KiB .*"),
        result.message());
    assertEquals(0, counting.uploads);
    assertEquals(0, result.bytesSent());
    assertEquals(Set.of("1.0.0"), releases());
  }

  @Test
  void aBundleTarCannotReadFailsWithoutLeftovers() throws IOException {
    Path bundle = Files.writeString(temp.resolve("acme-1.5.0.tar.gz"), "not gzip at all\n");

    StageResult result = stage(bundle, "1.5.0", 3);

    assertEquals(Status.FAILED, result.status());
    assertTrue(result.message().startsWith("unpacking the bundle in "), result.message());
    assertTrue(result.message().contains("(exit 4): "), result.message());
    assertTrue(result.message().contains("gzip"), result.message());
    assertEquals(Set.of("1.0.0"), releases());
    assertEquals(Path.of("releases", "1.0.0"), currentTarget());
  }

  @Test
  void aBundleThatIsNotTheExpectedOneFailsWithoutLeftovers() throws IOException {
    Path bundle = bundle("1.5.0");

    StageResult result =
        stager.stage(node, transport(), bundle, "b".repeat(64), Version.parse("1.5.0"), 3);

    assertEquals(Status.FAILED, result.status());
    // The transport checks the node's copy against the sha256 the stager vouches for.
    assertTrue(result.message().contains("the expected " + "b".repeat(64)), result.message());
    assertEquals(Set.of("1.0.0"), releases());
  }

  @Test
  void anUnpackThatTimesOutIsCleanedUp() throws IOException {
    fake("tar", "sleep 30");
    Stager impatient = new Stager(TIMEOUT, Duration.ofSeconds(1));
    Path bundle = bundle("1.5.0");

    StageResult result =
        impatient.stage(node, transport(), bundle, sha(bundle), Version.parse("1.5.0"), 3);

    assertEquals(Status.FAILED, result.status());
    assertEquals("unpacking 1.5.0 timed out after 1s", result.message());
    assertEquals(Set.of("1.0.0"), releases());
  }

  @Test
  void pruningKeepsTheNewestTheRunningOneTheOneBeforeItAndWhatHoistDidNotStage()
      throws IOException {
    Files.writeString(home.resolve("releases/1.0.0/.hoist-staged"), "c".repeat(64) + "\n");
    for (String version : List.of("1.1.0", "1.2.0", "1.3.0", "1.4.0")) {
      release(version, true);
    }
    release("0.9.0", false);
    Files.writeString(
        Files.createDirectories(home.resolve("releases/scratch")).resolve(".hoist-staged"), "x\n");
    Files.delete(home.resolve("current"));
    Files.createSymbolicLink(home.resolve("current"), Path.of("releases", "1.2.0"));

    StageResult result = stage(bundle("1.5.0"), "1.5.0", 2);

    assertEquals(Status.STAGED, result.status(), result.message());
    assertEquals(List.of("1.0.0", "1.3.0"), result.pruned());
    assertTrue(result.message().endsWith("; pruned 1.0.0, 1.3.0"), result.message());
    assertEquals(Set.of("0.9.0", "1.1.0", "1.2.0", "1.4.0", "1.5.0", "scratch"), releases());
    assertEquals(Path.of("releases", "1.2.0"), currentTarget());
  }

  @Test
  void pruningNeverRemovesTheRunningReleaseWhenItIsTheOldest() throws IOException {
    Files.writeString(home.resolve("releases/1.0.0/.hoist-staged"), "c".repeat(64) + "\n");
    release("1.1.0", true);
    release("1.2.0", true);

    StageResult result = stage(bundle("1.3.0"), "1.3.0", 1);

    assertEquals(Status.STAGED, result.status(), result.message());
    assertEquals(List.of("1.1.0", "1.2.0"), result.pruned());
    assertEquals(Set.of("1.0.0", "1.3.0"), releases());
  }

  StageResult stage(Path bundle, String version, int keep) throws IOException {
    return stager.stage(node, transport(), bundle, sha(bundle), Version.parse(version), keep);
  }

  /** A release directory under {@code home/releases}, with hoist's marker or without. */
  Path release(String version, boolean staged) throws IOException {
    Path dir = Files.createDirectories(home.resolve("releases").resolve(version));
    Files.writeString(dir.resolve("VERSION"), version + "\n");
    if (staged) {
      Files.writeString(dir.resolve(".hoist-staged"), "d".repeat(64) + "\n");
    }
    return dir;
  }

  Path bundle(String version) throws IOException {
    return bundle(version, 0);
  }

  /**
   * A release bundle as {@code hoist version pack} makes it: {@code VERSION}, an executable {@code
   * bin/acme}, and {@code padding} incompressible bytes in {@code data}.
   */
  Path bundle(String version, int padding) throws IOException {
    Path bundle = temp.resolve("acme-" + version + ".tar.gz");
    try (OutputStream file = Files.newOutputStream(bundle);
        TarArchiveOutputStream tar =
            new TarArchiveOutputStream(new GzipCompressorOutputStream(file))) {
      entry(tar, "VERSION", 0644, (version + "\n").getBytes(StandardCharsets.UTF_8));
      entry(tar, "bin/acme", 0755, "#!/bin/sh\necho acme\n".getBytes(StandardCharsets.UTF_8));
      byte[] data = new byte[padding];
      new java.util.Random(42).nextBytes(data);
      entry(tar, "data", 0644, data);
    }
    return bundle;
  }

  private static void entry(TarArchiveOutputStream tar, String name, int mode, byte[] content)
      throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setMode(mode);
    entry.setSize(content.length);
    tar.putArchiveEntry(entry);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  /** Puts a script named {@code tool} first on the node's PATH. */
  void fake(String tool, String... lines) throws IOException {
    Path script = fakeBin.resolve(tool);
    Files.writeString(script, "#!/bin/sh\n" + String.join("\n", lines) + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  static String sha(Path file) throws IOException {
    return FileDigest.sha256(file);
  }

  /** Every entry of {@code home/releases}, hidden ones included. */
  Set<String> releases() throws IOException {
    return names(home.resolve("releases"));
  }

  static Set<String> names(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .map(p -> p.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  Path currentTarget() throws IOException {
    return Files.readSymbolicLink(home.resolve("current"));
  }

  /** Counts the commands and uploads that reach the node. */
  static final class CountingTransport extends ForwardingTransport {
    int execs;
    int uploads;

    CountingTransport(Transport delegate) {
      super(delegate);
    }

    @Override
    public ExecResult exec(ShellCommand command, Duration timeout, OutputSink sink) {
      execs++;
      return super.exec(command, timeout, sink);
    }

    @Override
    public String upload(Path local, String remotePath) {
      uploads++;
      return super.upload(local, remotePath);
    }

    @Override
    public String upload(Path local, String remotePath, String knownSha256) {
      uploads++;
      return super.upload(local, remotePath, knownSha256);
    }
  }
}
