package io.hoist.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.backup.BackupStore;
import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.HealthCheck;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.PhaseId;
import io.hoist.model.SshSettings;
import io.hoist.model.Timeouts;
import io.hoist.model.TransportKind;
import io.hoist.phase.NodeOutcome.Status;
import io.hoist.phase.RecordedRun.Entry;
import io.hoist.phase.RecordedRun.Kind;
import io.hoist.plan.NodeSteps;
import io.hoist.testing.Clusters;
import io.hoist.transport.local.LocalTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup phase in a runner pipeline (install, backup, migrate) on a real node directory: a
 * migrate that changes the node's data and fails is undone by restoring the backup.
 */
class BackupPhaseTest {

  @TempDir Path dir;

  private Path home;
  private Path data;
  private Node node;
  private LocalTransport transport;
  private NodeLog log;
  private BackupStore store;
  private final RecordedRun record = new RecordedRun();

  @BeforeEach
  void nodeOnOneZero() throws IOException {
    home = dir.resolve("home");
    for (String version : List.of("1.0", "2.0")) {
      Path release = Files.createDirectories(home.resolve("releases").resolve(version));
      Files.writeString(release.resolve("VERSION"), version + "\n");
    }
    Files.createSymbolicLink(home.resolve("current"), home.resolve("releases/1.0"));
    data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("a.txt"), "alpha\n");
    byte[] binary = new byte[50_000];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 17 + (i >> 7));
    }
    Files.write(data.resolve("blob.bin"), binary);
    Files.createDirectories(data.resolve("nested/deeper"));
    Files.writeString(data.resolve("nested/deeper/c.conf"), "key=value\n");
    Path acme = Files.createDirectories(home.resolve("bin")).resolve("acme");
    Files.writeString(
        acme,
        String.join(
            "\n",
            "#!/bin/bash",
            "case \"$1\" in",
            "  migrate)",
            "    echo changed >> " + data.resolve("a.txt"),
            "    printf 'xx' | dd of=" + data.resolve("blob.bin") + " conv=notrunc 2>/dev/null",
            "    rm " + data.resolve("nested/deeper/c.conf"),
            "    echo new > " + data.resolve("nested/new.txt"),
            "    if [ -f " + home.resolve("migrate-fails") + " ]; then",
            "      echo \"schema 41 -> 42: duplicate key\"; exit 3",
            "    fi ;;",
            "esac",
            ""));
    Files.setPosixFilePermissions(acme, PosixFilePermissions.fromString("rwx------"));
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
    log = NodeLog.open(dir.resolve("n1.log"), Clock.systemUTC());
    store = new BackupStore(dir.resolve("store"));
  }

  @AfterEach
  void close() {
    log.close();
    transport.close();
  }

  @Test
  void aFailedMigrateIsUndoneByRestoringTheBackup() throws IOException {
    Files.createFile(home.resolve("migrate-fails"));
    Map<String, String> before = snapshot(data);
    BackupPhase backup = new BackupPhase(store, List.of(data.toString()), 3);

    NodeOutcome outcome = runner().run(context(), phases(backup));

    assertEquals(Status.FAILED_ROLLED_BACK, outcome.status(), outcome.message());
    assertEquals(Optional.of(PhaseId.MIGRATE), outcome.failedPhase());
    assertEquals(before, snapshot(data), "every file of data/ is back byte for byte");
    assertEquals(home.resolve("releases/1.0"), Files.readSymbolicLink(home.resolve("current")));
    assertEquals(
        List.of(PhaseId.BACKUP, PhaseId.INSTALL),
        record.entries(Kind.UNDO_ENDED).stream().map(Entry::phase).toList());
    assertTrue(record.entries(Kind.UNDO_ENDED).stream().allMatch(e -> e.outcome() == Outcome.OK));
    assertEquals(1, store.list("n1").size());
    assertEquals(List.of(), leftovers());
  }

  @Test
  void aSuccessfulRunKeepsItsBackupAndPrunesBeyondKeep() throws IOException {
    BackupPhase backup =
        new BackupPhase(store, new io.hoist.model.Backup(List.of(data.toString()), 2));
    for (int i = 0; i < 3; i++) {
      switchCurrentTo("1.0");
      NodeOutcome outcome = runner().run(context(), phases(backup));
      assertEquals(Status.UPGRADED, outcome.status(), outcome.message());
    }

    assertEquals(2, store.list("n1").size());
    assertEquals(store.list("n1").get(1), backup.taken("n1").orElseThrow());
    assertTrue(Files.exists(data.resolve("nested/new.txt")), "a successful migrate stays");
  }

  @Test
  void aMissingBackupPathFailsThePhaseNamingItAndChangesNothing() throws IOException {
    String missing = dir.resolve("no-such-dir").toString();
    Map<String, String> before = snapshot(dir);
    BackupPhase backup = new BackupPhase(store, List.of(data.toString(), missing), 3);

    NodeOutcome outcome = runner().run(context(), phases(backup));

    assertEquals(Optional.of(PhaseId.BACKUP), outcome.failedPhase());
    assertEquals(Status.FAILED_ROLLED_BACK, outcome.status());
    assertTrue(outcome.message().contains("backup failed, node left untouched"), outcome.message());
    assertTrue(outcome.message().contains(missing), outcome.message());
    assertEquals(List.of(), store.list("n1"));
    Map<String, String> after = snapshot(dir);
    after.keySet().removeIf(k -> k.startsWith("store") || k.equals("n1.log"));
    before.keySet().removeIf(k -> k.equals("n1.log"));
    assertEquals(before, after);
    assertEquals(home.resolve("releases/1.0"), Files.readSymbolicLink(home.resolve("current")));
  }

  @Test
  void aFailureBeforeTheNewReleaseRanRestoresNothing() throws IOException {
    BackupPhase backup = new BackupPhase(store, List.of(data.toString()), 3);
    // A switch that fails after the previous release wrote to its data: that write must survive.
    Phase failingSwitch =
        new Phase() {
          @Override
          public PhaseId id() {
            return PhaseId.INSTALL;
          }

          @Override
          public boolean isDone(PhaseContext context) {
            return false;
          }

          @Override
          public void run(PhaseContext context) {
            try {
              Files.writeString(data.resolve("a.txt"), "written after the backup\n");
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            throw new PhaseFailure(id(), "node n1, install: switch failed");
          }
        };

    NodeOutcome outcome = runner().run(context(), List.of(backup, failingSwitch));

    assertEquals(Status.FAILED_ROLLED_BACK, outcome.status(), outcome.message());
    assertEquals("written after the backup\n", Files.readString(data.resolve("a.txt")));
    assertEquals(1, store.list("n1").size(), "the backup is still kept");
  }

  private PhaseRunner runner() {
    return new PhaseRunner(record, Clock.systemUTC(), true);
  }

  private static List<Phase> phases(BackupPhase backup) {
    return List.of(new InstallPhase(), backup, new MigratePhase());
  }

  private PhaseContext context() {
    String acme = home.resolve("bin/acme").toString();
    Cluster cluster =
        Clusters.cluster("test")
            .commands(
                new Commands(
                    null,
                    "true",
                    "true",
                    new HealthCheck("true", 1, Duration.ofSeconds(1)),
                    acme + " migrate",
                    null))
            .nodes(node)
            .build();
    NodeSteps steps = Clusters.onlySteps(cluster, "n1", "1.0", "2.0");
    return new PhaseContext(
        node,
        transport,
        steps,
        cluster.commandsFor(node, List.of()),
        Timeouts.defaults(),
        d -> {},
        log);
  }

  private void switchCurrentTo(String version) throws IOException {
    Path current = home.resolve("current");
    Files.delete(current);
    Files.createSymbolicLink(current, home.resolve("releases").resolve(version));
  }

  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        files.put(
            root.relativize(p).toString(),
            Files.isSymbolicLink(p)
                ? "link " + Files.readSymbolicLink(p)
                : Files.isDirectory(p)
                    ? "dir"
                    : Base64.getEncoder().encodeToString(Files.readAllBytes(p)));
      }
    }
    return files;
  }

  private List<Path> leftovers() throws IOException {
    try (Stream<Path> files = Files.list(home)) {
      return files.filter(p -> p.getFileName().toString().startsWith(".hoist-")).toList();
    }
  }
}
