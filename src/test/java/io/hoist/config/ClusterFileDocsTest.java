package io.hoist.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every key the loader accepts is documented in README.md. */
class ClusterFileDocsTest {

  static Stream<String> keys() {
    return Stream.of(
            ClusterBinder.TOP_KEYS,
            ClusterBinder.RELEASE_KEYS,
            ClusterBinder.UPGRADE_PATH_KEYS,
            ClusterBinder.SSH_KEYS,
            ClusterBinder.LAYOUT_KEYS,
            ClusterBinder.ROLE_KEYS,
            ClusterBinder.COMMAND_KEYS,
            ClusterBinder.HEALTH_KEYS,
            ClusterBinder.CHECK_KEYS,
            ClusterBinder.BACKUP_KEYS,
            ClusterBinder.HOOK_KEYS,
            ClusterBinder.TIMEOUT_KEYS,
            ClusterBinder.NODE_KEYS,
            ClusterBinder.FINALIZE_KEYS)
        .flatMap(List::stream)
        .distinct();
  }

  @ParameterizedTest
  @MethodSource("keys")
  void keyHasATableRow(String key) throws IOException {
    String docs = Files.readString(Path.of("README.md"));
    assertTrue(
        docs.contains("| `" + key + "` |")
            || docs.matches("(?s).*\\| `[a-z_\\[\\]]+\\." + key + "` \\|.*"),
        key + " is not documented");
  }

  @ParameterizedTest
  @MethodSource("keys")
  void keyIsInTheClusterFileManPage(String key) throws IOException {
    String page = Files.readString(Path.of("man/hoist-cluster.yaml.5")).replace("\\-", "-");
    // A key is the bold term of a definition (table rows become definition lists).
    assertTrue(
        page.matches("(?s).*\\n\\\\fB([a-z_\\[\\]]+\\.)?" + key + "\\\\fP\\n.*"),
        key + " is not a term in man/hoist-cluster.yaml.5");
  }
}
