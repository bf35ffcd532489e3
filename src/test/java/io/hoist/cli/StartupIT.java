package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.testing.HoistJar;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the built jar loads to start: {@code --version} and {@code --help} must not pull in the
 * libraries only real work needs (every class loaded is start-up time).
 */
class StartupIT {

  /** A line of {@code -verbose:class}: {@code [0.012s][info][class,load] a.B source: ...}. */
  private static final Pattern LOADED = Pattern.compile("\\[class,load\\] (\\S+) source: ");

  private static final List<String> HEAVY =
      List.of("com.fasterxml.", "com.jcraft.", "org.slf4j.", "org.apache.commons.", "me.tongfei.");

  @TempDir Path home;

  @Test
  void versionLoadsNoLibraryAtAll() {
    List<String> loaded = classesLoaded("--version");
    assertTrue(loaded.contains("io.hoist.Main"), "no class-load log: " + loaded.size());
    for (String name : loaded) {
      assertTrue(
          !name.startsWith("picocli.") && HEAVY.stream().noneMatch(name::startsWith),
          "hoist --version loaded " + name);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "inspect --help", "upgrade --help", "status --help"})
  void helpLoadsNoHeavyLibrary(String args) {
    List<String> loaded = classesLoaded(args.split(" "));
    assertTrue(loaded.contains("picocli.CommandLine"), "no class-load log: " + loaded.size());
    for (String name : loaded) {
      assertTrue(HEAVY.stream().noneMatch(name::startsWith), "hoist " + args + " loaded " + name);
    }
  }

  @Test
  void versionShortcutPrintsWhatPicocliPrints() {
    // A lone --version is answered before picocli; with another option picocli answers it.
    String shortcut = HoistJar.in(home).run("--version").exitsWith(0).out();
    String picocli = HoistJar.in(home).run("--no-color", "--version").exitsWith(0).out();
    assertEquals(picocli, shortcut);
    assertEquals(shortcut, HoistJar.in(home).run("-V").exitsWith(0).out());
  }

  private List<String> classesLoaded(String... args) {
    String out = HoistJar.in(home).withJvmOptions("-verbose:class").run(args).exitsWith(0).out();
    return out.lines().map(LOADED::matcher).filter(Matcher::find).map(m -> m.group(1)).toList();
  }
}
