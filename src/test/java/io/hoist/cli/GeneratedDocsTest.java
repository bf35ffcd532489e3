package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed man pages and completion scripts must be what the build generates from the picocli
 * model. Refresh them with: {@code mvn -B -Prefresh-docs process-test-classes}.
 */
class GeneratedDocsTest {

  private static final String REFRESH =
      " is stale; refresh with: mvn -B -Prefresh-docs process-test-classes";

  @Test
  void manPagesAreCurrent() throws IOException {
    compare(Path.of("target/generated-docs/man"), Path.of("man"));
  }

  @Test
  void completionsAreCurrent() throws IOException {
    compare(Path.of("target/generated-docs/completions"), Path.of("completions"));
  }

  @Test
  void everyCommandHasAManPage() throws IOException {
    List<String> pages = names(Path.of("man"));
    for (String command : CliTest.commands().map(name -> name.replace(' ', '-') + ".1").toList()) {
      assertTrue(pages.contains(command), "no man page " + command + " in man/");
    }
  }

  private static void compare(Path generated, Path committed) throws IOException {
    assertTrue(
        Files.isDirectory(generated),
        generated + " is missing: run the build (mvn -B verify), not the test alone");
    assertEquals(names(generated), names(committed), committed + REFRESH);
    for (String name : names(generated)) {
      assertEquals(
          Files.readString(generated.resolve(name)),
          Files.readString(committed.resolve(name)),
          committed.resolve(name) + REFRESH);
    }
  }

  private static List<String> names(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return List.copyOf(new TreeSet<>(files.map(p -> p.getFileName().toString()).toList()));
    }
  }
}
