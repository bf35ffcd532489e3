package io.hoist.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterFilesTest {

  @TempDir Path root;
  private Path cwd;
  private Path system;

  @BeforeEach
  void setUp() throws IOException {
    cwd = Files.createDirectory(root.resolve("work"));
    system = root.resolve("etc-hoist-cluster.yaml");
  }

  private Path locate(String option, Map<String, String> env) {
    return ClusterFiles.locate(option, env, cwd, system);
  }

  @Test
  void optionWinsOverEverything() throws IOException {
    Files.writeString(cwd.resolve("cluster.yaml"), "");
    Files.writeString(system, "");
    assertEquals(
        cwd.resolve("mine.yaml"), locate("mine.yaml", Map.of("HOIST_CLUSTER", "/x/env.yaml")));
  }

  @Test
  void environmentComesBeforeTheWorkingDirectory() throws IOException {
    Files.writeString(cwd.resolve("cluster.yaml"), "");
    assertEquals(Path.of("/x/env.yaml"), locate(null, Map.of("HOIST_CLUSTER", "/x/env.yaml")));
  }

  @Test
  void workingDirectoryComesBeforeTheSystemFile() throws IOException {
    Files.writeString(cwd.resolve("cluster.yaml"), "");
    Files.writeString(system, "");
    assertEquals(cwd.resolve("cluster.yaml"), locate(null, Map.of("HOIST_CLUSTER", "")));
  }

  @Test
  void systemFileIsTheLastResort() throws IOException {
    Files.writeString(system, "");
    assertEquals(system, locate(null, Map.of()));
  }

  @Test
  void namedFileIsReturnedEvenWhenMissingSoTheLoaderNamesIt() {
    assertEquals(cwd.resolve("gone.yaml"), locate("gone.yaml", Map.of()));
  }

  @Test
  void noFileAnywhereListsWhatWasTriedAndHowToNameOne() {
    ConfigException e = assertThrows(ConfigException.class, () -> locate(null, Map.of()));
    String message = e.getMessage();
    assertTrue(message.contains(cwd.resolve("cluster.yaml").toString()), message);
    assertTrue(message.contains(system.toString()), message);
    assertTrue(message.contains("-c FILE") && message.contains("HOIST_CLUSTER"), message);
  }
}
