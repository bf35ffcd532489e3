package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.demo.Sandbox;
import io.hoist.testing.HoistJar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C on the built jar in the middle of a rolling upgrade (the demo's local cluster, whose start
 * command here takes two seconds): the nodes in flight finish their phase and are rolled back (the
 * default failure policy), no other node is touched, after_cluster runs and the exit status is 130.
 */
class InterruptIT {

  @TempDir Path root;

  @Test
  void ctrlCLetsRunningNodesFinishTheirPhaseRunsAfterClusterAndExits130() throws IOException {
    Sandbox sandbox = Sandbox.create(root.resolve("sandbox"));
    Path file = sandbox.clusterFile();
    String yaml = Files.readString(file);
    String slowStart =
        "start:   \"touch ${home}/state/starting; sleep 2; ${home}/current/bin/acmed start\"";
    yaml = yaml.replace("start:   \"${home}/current/bin/acmed start\"", slowStart);
    assertTrue(yaml.contains(slowStart), yaml);
    yaml =
        yaml.replace(
            "nodes:\n",
            "hooks: { after_cluster: \"touch " + root.resolve("after-ran") + "\" }\nnodes:\n");
    Files.writeString(file, yaml);

    HoistJar.Result result =
        HoistJar.in(root)
            .interruptWhen(
                sandbox.home("router-1").resolve("state/starting"),
                "-c",
                file.toString(),
                "--no-color",
                "upgrade",
                "--cluster",
                "--yes",
                "--to",
                "1.1.0");

    result
        .exitsWith(130)
        .errContains("interrupted: stopping cleanly")
        .errContains("'hoist upgrade --resume' goes on from there")
        .noStackTrace();
    assertTrue(Files.exists(root.resolve("after-ran")), "after_cluster ran");
    // router-1 finished the start it was in, then (--on-failure rollback, the default) was rolled
    // back: the previous release runs again.
    assertTrue(result.err().contains("router-1 start ok in"), result.err());
    assertTrue(result.err().contains("router-1 undo install ok"), result.err());
    Path router1 = sandbox.home("router-1");
    assertEquals("1.0.0", Files.readString(router1.resolve("state/running")).strip());
    assertEquals(
        router1.resolve("releases/1.0.0"), Files.readSymbolicLink(router1.resolve("current")));
    // The nodes after the first batch were never touched.
    for (String node : new String[] {"ctl-1", "db-1", "db-2", "db-3"}) {
      assertEquals(
          "releases/1.0.0",
          Files.readSymbolicLink(sandbox.home(node).resolve("current")).toString(),
          node);
    }
    assertTrue(
        result.out().lines().anyMatch(l -> l.matches("router-1\\s+router\\s+.*reverted\\s+yes.*")),
        result.out());
    assertTrue(
        result.out().lines().anyMatch(l -> l.matches("ctl-1\\s+controller\\s+.*not-started.*")),
        result.out());
  }

  @Test
  void aSecondCtrlCStopsAtOnceAndTheJournalStillTellsWhereEachNodeWas() throws Exception {
    Sandbox sandbox = Sandbox.create(root.resolve("sandbox"));
    Path file = sandbox.clusterFile();
    Path gate = root.resolve("gate");
    String slow =
        "start:   \"touch ${home}/state/starting; while [ ! -f "
            + gate
            + " ]; do sleep 0.1; done; ${home}/current/bin/acmed start\"";
    Files.writeString(
        file, Files.readString(file).replace("start:   \"${home}/current/bin/acmed start\"", slow));
    HoistJar jar = HoistJar.in(root);
    Process run =
        jar.start(
            root.resolve("out"),
            root.resolve("err"),
            "-c",
            file.toString(),
            "upgrade",
            "--cluster",
            "--yes",
            "--to",
            "1.1.0");
    try {
      Path starting = sandbox.home("router-1").resolve("state/starting");
      for (int i = 0; i < 600 && !Files.exists(starting) && run.isAlive(); i++) {
        Thread.sleep(50);
      }
      assertTrue(Files.exists(starting), "the run reached a node");
      signal(run, "INT");
      Thread.sleep(300);
      signal(run, "INT");
      assertTrue(run.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "it stopped at once");
    } finally {
      Files.writeString(gate, "");
    }
    assertEquals(130, run.exitValue());
    assertTrue(Files.readString(root.resolve("err")).contains("stopping at once"));
    HoistJar.Result status = jar.run("-c", file.toString(), "status");
    status.exitsWith(0).outContains("did not end").outContains("start (in progress)");
  }

  private static void signal(Process process, String name) throws Exception {
    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
        .inheritIO()
        .start()
        .waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
  }
}
