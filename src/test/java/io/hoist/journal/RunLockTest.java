package io.hoist.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.LockedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run lock on a real file system (another process holding it: LockIT, from the jar). */
class RunLockTest {

  private static final Map<String, Object> ME =
      Map.of("host", "core-1", "pid", 4242, "user", "ops", "started", "T", "command", "hoist x");

  @TempDir Path state;

  @Test
  void aHeldLockIsRefusedNamingItsOwnerAndFreeAgainOnceReleased() throws IOException {
    try (RunLock lock = RunLock.acquire(state, "prod-east", ME, false)) {
      Path owner = state.resolve("locks/prod-east.owner");
      assertTrue(Files.exists(owner));
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(owner)));
      LockedException e =
          assertThrows(LockedException.class, () -> RunLock.acquire(state, "prod-east", ME, true));
      assertTrue(
          e.getMessage()
              .contains(
                  "another hoist run holds the lock of cluster prod-east: pid 4242 on core-1,"
                      + " user ops, since T: hoist x"),
          e.getMessage());
      assertNull(lock.brokenOwner());
    }
    assertFalse(Files.exists(state.resolve("locks/prod-east.owner")), "released: record gone");
    RunLock.acquire(state, "prod-east", ME, false).close();
  }

  @Test
  void aStaleLockIsRefusedUnlessBrokenAndTheBrokenOwnerIsReported() throws IOException {
    // What a run killed with -9 leaves: an owner record, no OS lock (the kernel released it).
    Files.createDirectories(state.resolve("locks"));
    Files.writeString(
        state.resolve("locks/prod-east.owner"),
        "{\"host\":\"core-1\",\"pid\":999,\"user\":\"ops\",\"started\":\"S\","
            + "\"command\":\"hoist upgrade --cluster\"}\n");

    LockedException e =
        assertThrows(LockedException.class, () -> RunLock.acquire(state, "prod-east", ME, false));
    assertTrue(e.getMessage().contains("is stale: its owner, pid 999 on core-1"), e.getMessage());
    assertTrue(e.getMessage().contains("--break-lock"), e.getMessage());

    try (RunLock lock = RunLock.acquire(state, "prod-east", ME, true)) {
      assertEquals(999, lock.brokenOwner().get("pid").asInt());
      assertTrue(Files.readString(state.resolve("locks/prod-east.owner")).contains("4242"));
    }
  }

  @Test
  void locksOfDifferentClustersAreIndependent() {
    try (RunLock a = RunLock.acquire(state, "a", ME, false);
        RunLock b = RunLock.acquire(state, "b/../c", ME, false)) {
      assertNull(a.brokenOwner());
      assertNull(b.brokenOwner());
    }
  }
}
