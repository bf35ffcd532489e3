package io.hoist.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StateDirTest {

  private static final String ME = System.getProperty("user.name");

  @TempDir Path dir;

  @Test
  void aMissingDirectoryIsFineHoistCreatesIt0700() {
    Path state = dir.resolve("state");
    assertEquals(state, StateDir.check(state, ME));
  }

  @ParameterizedTest
  @CsvSource({"rwx------", "rwxr-xr-x", "r-x------"})
  void aDirectoryOfTheUserThatOnlyTheyCanWriteIsFine(String mode) throws IOException {
    Path state = Files.createDirectory(dir.resolve("state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString(mode));
    assertEquals(state, StateDir.check(state, ME));
    Path link = Files.createSymbolicLink(dir.resolve("link"), state);
    assertEquals(link, StateDir.check(link, ME));
  }

  @ParameterizedTest
  @CsvSource({"rwxrwx---, its group", "rwxrwxrwx, everyone", "rwx---rwx, everyone"})
  void aDirectoryOthersCanWriteIsRefused(String mode, String who) throws IOException {
    Path state = Files.createDirectory(dir.resolve("state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString(mode));

    UsageException e = assertThrows(UsageException.class, () -> StateDir.check(state, ME));

    assertTrue(e.getMessage().contains("is writable by " + who), e.getMessage());
    assertTrue(e.getMessage().endsWith("Run chmod 700 " + state), e.getMessage());
  }

  @Test
  void aDirectoryOfAnotherUserIsRefused() throws IOException {
    Path state = Files.createDirectory(dir.resolve("state"));
    try {
      UserPrincipal nobody =
          state.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.setOwner(state, nobody);
    } catch (IOException e) {
      Assumptions.abort("only root can give a directory to user nobody (if there is one): " + e);
    }

    UsageException e = assertThrows(UsageException.class, () -> StateDir.check(state, ME));

    assertTrue(e.getMessage().contains("belongs to nobody, not to " + ME), e.getMessage());
  }

  @Test
  void aFileIsRefused() throws IOException {
    Path file = Files.writeString(dir.resolve("state"), "");
    assertThrows(UsageException.class, () -> StateDir.check(file, ME));
  }
}
