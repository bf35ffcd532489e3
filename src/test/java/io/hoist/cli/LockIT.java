package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.demo.Sandbox;
import io.hoist.testing.HoistJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run lock between two processes of the built jar: while one upgrade runs on the demo's local
 * cluster, a second upgrade or prepare of the same cluster exits at once with 6 and names the
 * first; a lock left by a killed run is stale until --break-lock.
 */
class LockIT {

  @TempDir Path root;

  @Test
  void aSecondRunIsRefusedWhileTheFirstHoldsTheLockAndAStaleLockNeedsBreakLock() throws Exception {
    Sandbox sandbox = Sandbox.create(root.resolve("sandbox"));
    Path file = sandbox.clusterFile();
    Path gate = root.resolve("gate");
    String slow =
        "start:   \"touch ${home}/state/starting; while [ ! -f "
            + gate
            + " ]; do sleep 0.1; done; ${home}/current/bin/acmed start\"";
    String yaml =
        Files.readString(file).replace("start:   \"${home}/current/bin/acmed start\"", slow);
    assertTrue(yaml.contains(slow));
    Files.writeString(file, yaml);
    HoistJar jar = HoistJar.in(root);
    String[] upgrade = {"-c", file.toString(), "upgrade", "--cluster", "--yes", "--to", "1.1.0"};

    Process first = jar.start(root.resolve("out1"), root.resolve("err1"), upgrade);
    try {
      Path starting = sandbox.home("router-1").resolve("state/starting");
      for (int i = 0; i < 600 && !Files.exists(starting) && first.isAlive(); i++) {
        Thread.sleep(100);
      }
      assertTrue(Files.exists(starting), "the first run reached a node");

      HoistJar.Result second = jar.run(upgrade);
      second
          .exitsWith(6)
          .errContains("another hoist run holds the lock of cluster demo: pid " + first.pid())
          .errContains("upgrade --cluster --yes --to 1.1.0");
      jar.run("-c", file.toString(), "version", "prepare", "2.0.0").exitsWith(6);
    } finally {
      Files.writeString(gate, "");
    }
    assertTrue(first.waitFor(120, TimeUnit.SECONDS), "the first run ended");
    assertEquals(0, first.exitValue(), Files.readString(root.resolve("err1")));

    // A run killed with -9 leaves its owner record behind: the lock is stale.
    Process killed =
        jar.start(
            root.resolve("out3"),
            root.resolve("err3"),
            "-c",
            file.toString(),
            "upgrade",
            "--cluster",
            "--yes",
            "--to",
            "2.0.0");
    Files.delete(gate);
    Path starting = sandbox.home("router-1").resolve("state/starting");
    Files.delete(starting);
    for (int i = 0; i < 600 && !Files.exists(starting) && killed.isAlive(); i++) {
      Thread.sleep(100);
    }
    killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    Files.writeString(gate, "");

    jar.run("-c", file.toString(), "version", "prepare", "2.0.0")
        .exitsWith(6)
        .errContains("the lock of cluster demo is stale: its owner, pid " + killed.pid())
        .errContains("--break-lock");
    // --break-lock takes the lock over; the killed run's node markers then refuse the prepare
    // (nothing changed), and its resume is the way out.
    jar.run("-c", file.toString(), "version", "prepare", "2.0.0", "--break-lock")
        .exitsWith(3)
        .errContains("warning: took over the stale lock of pid " + killed.pid())
        .errContains("node router-1 carries the marker of run")
        .errContains("hoist upgrade --resume");
    jar.run("-c", file.toString(), "version", "prepare", "2.0.0").exitsWith(3);
    jar.run("-c", file.toString(), "upgrade", "--resume", "--yes").exitsWith(0);
    jar.run("-c", file.toString(), "version", "prepare", "2.0.0").exitsWith(0);
  }
}
