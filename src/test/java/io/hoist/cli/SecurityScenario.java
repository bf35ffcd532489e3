package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hoist.testing.HoistJar;
import io.hoist.testing.SimulatedCluster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The run the security ITs look at: three nodes reached with a password only ({@code
 * HOIST_SSH_PASSWORD}; the client key is refused), a cluster secret used in a check, a start and a
 * health command that echo it (to stdout and stderr), a backup of real data; n1 upgrades, n2's
 * health fails after its start so it is rolled back with its data restored, n3 is not started.
 * Everything hoist writes goes to this test's directories: HOME, the state directory, the cache,
 * the log file and the child JVM's temporary directory.
 */
final class SecurityScenario implements AutoCloseable {

  static final String PASSWORD = "pw-Hoist-7391-xyz";
  static final String TOKEN = "tok-Secret-5821-abc";
  static final String TOKEN_VARIABLE = "HOIST_TEST_TOKEN";

  private static final String CTL =
      "#!/bin/bash\n"
          + "v=$(cat \"$(dirname \"$0\")/../VERSION\")\n"
          + "case \"$1\" in\n"
          + "  start) echo \"start $v\" >> \"$2/events\" ;;\n"
          + "  stop) echo stop >> \"$2/events\" ;;\n"
          + "esac\n";

  final Path root;
  final SimulatedCluster sim;

  SecurityScenario(Path root) throws IOException {
    this.root = root;
    this.sim = SimulatedCluster.in(root, false).passwordOnly(PASSWORD);
    Files.createDirectories(root.resolve("data"));
    Files.writeString(root.resolve("data/db.txt"), "precious\n");
    Files.createDirectories(tmp());
    CliRunner cli =
        new CliRunner(sim.home(), root)
            .env("XDG_STATE_HOME", root.resolve("packer-state").toString());
    for (String version : List.of("1.0.0", "1.1.0")) {
      Path src = Files.createDirectories(root.resolve("src").resolve(version));
      Files.writeString(src.resolve("VERSION"), version + "\n");
      ctl(src);
      Path repo = Files.createDirectories(sim.repositoryDir());
      CliRunner.Result packed =
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
      assertEquals(0, packed.code(), packed.toString());
    }
    sim.node("n1", "worker", "1.0.0").node("n2", "worker", "1.0.0").node("n3", "worker", "1.0.0");
    for (String node : List.of("n1", "n2", "n3")) {
      ctl(sim.nodeHome(node).resolve("releases/1.0.0"));
    }
    Files.writeString(sim.nodeHome("n2").resolve("fail-health-1.1.0"), "");
    String token = "${secret." + TOKEN_VARIABLE + "}";
    sim.writeClusterFile(
        "secrets: ["
            + TOKEN_VARIABLE
            + "]\n"
            + "role_order: [worker]\n"
            + "roles:\n"
            + "  worker:\n"
            + "    commands:\n"
            + "      stop: \"${home}/current/bin/ctl stop ${home}\"\n"
            + "      start: \"${home}/current/bin/ctl start ${home} && echo started with "
            + token
            + "\"\n"
            + "      health: { run: \"echo health "
            + token
            + " >&2; test ! -f ${home}/fail-health-${version}\", retries: 0, interval: 1s }\n"
            + "checks:\n"
            + "  - { name: token, run: \"echo check token="
            + token
            + "; echo check-err "
            + token
            + " >&2\" }\n"
            + "backup: { paths: [\""
            + root.resolve("data")
            + "\"] }\n"
            + "hooks: { after_cluster: \"echo after $"
            + TOKEN_VARIABLE
            + "; umask > "
            + coreUmask()
            + "\" }\n");
  }

  private static void ctl(Path release) throws IOException {
    Path bin = Files.createDirectories(release.resolve("bin"));
    Files.writeString(bin.resolve("ctl"), CTL);
    Files.setPosixFilePermissions(bin.resolve("ctl"), PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** The state directory the jar uses ({@link HoistJar} sets {@code HOIST_STATE_DIR}). */
  Path stateDir() {
    return sim.home().resolve(".hoist-state");
  }

  /** The cluster's bundle cache ({@code release.cache}). */
  Path cacheDir() {
    return root.resolve("cache");
  }

  /** The child JVM's {@code java.io.tmpdir}. */
  Path tmp() {
    return root.resolve("tmp");
  }

  /** Where the after_cluster hook writes the umask hoist ran with (hooks inherit it). */
  Path coreUmask() {
    return root.resolve("core-umask");
  }

  Path logFile() {
    return root.resolve("hoist.log");
  }

  /** The jar, with the password and the secret in its environment only. */
  HoistJar jar() {
    return HoistJar.in(sim.home())
        .withJvmOptions("-Djava.io.tmpdir=" + tmp())
        .withEnv("HOIST_SSH_PASSWORD", PASSWORD)
        .withEnv(TOKEN_VARIABLE, TOKEN);
  }

  /** {@code -vv --log-file F --output json upgrade --cluster --yes --to 1.1.0}. */
  HoistJar.Result upgrade(HoistJar jar, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-vv",
                "--log-file",
                logFile().toString(),
                "--output",
                "json",
                "-c",
                sim.clusterFile().toString(),
                "upgrade",
                "--cluster",
                "--yes",
                "--to",
                "1.1.0"));
    args.addAll(List.of(more));
    return jar.run(args.toArray(String[]::new));
  }

  /** Every regular file under {@code dir}, sorted. */
  static List<Path> files(Path dir) {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file's text, and for gzip files also their content, as UTF-8 (lossy for binaries). */
  static String readAll(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      StringBuilder text = new StringBuilder(new String(bytes, StandardCharsets.UTF_8));
      if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
          text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
      return text.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    sim.close();
  }
}
