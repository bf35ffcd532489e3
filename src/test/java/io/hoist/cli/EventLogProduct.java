package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The event-log product of the rolling-upgrade integration tests: each test's {@code bin/ctl}
 * script (its own {@code CTL}, appending {@code <ns> NODE COMMAND VERSION} to a shared event log),
 * installed into a release directory or packed into a release bundle with {@code hoist version
 * pack}.
 */
final class EventLogProduct {

  private EventLogProduct() {}

  /** Writes {@code ctl} as the executable {@code release/bin/ctl}. */
  static void install(Path release, String ctl) throws IOException {
    Path bin = Files.createDirectories(release.resolve("bin"));
    Files.writeString(bin.resolve("ctl"), ctl);
    Files.setPosixFilePermissions(bin.resolve("ctl"), PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /**
   * Packs release {@code version} (a {@code VERSION} file and {@code bin/ctl}) from {@code
   * sources/VERSION} into {@code repository} as product {@code acme}, through the CLI.
   */
  static void pack(CliRunner cli, Path sources, Path repository, String version, String ctl)
      throws IOException {
    Path src = Files.createDirectories(sources.resolve(version));
    Files.writeString(src.resolve("VERSION"), version + "\n");
    install(src, ctl);
    Path repo = Files.createDirectories(repository);
    CliRunner.Result result =
        cli.run(
            "version",
            "pack",
            src.toString(),
            "--version",
            version,
            "--product",
            "acme",
            "--into",
            repo.toString());
    assertEquals(0, result.code(), result.toString());
  }
}
