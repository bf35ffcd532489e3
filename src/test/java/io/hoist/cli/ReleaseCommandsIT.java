package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoist.testing.HoistJar;
import io.hoist.testing.RepositoryServer;
import io.hoist.testing.SimulatedCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release commands from the command line against real servers: an http repository (with
 * injected faults) serving bundles packed by {@code hoist version pack}, and simulated nodes over
 * SSH running real bash, tar and df.
 */
class ReleaseCommandsIT {

  private static final String V1_1 = "acme-1.1.0.tar.gz";

  @TempDir Path root;
  SimulatedCluster sim;
  RepositoryServer server;
  CliRunner cli;
  Path packed;

  @BeforeEach
  void start() throws IOException {
    server = new RepositoryServer();
    sim = SimulatedCluster.in(root, false).repository(server.url());
    cli = new CliRunner(sim.home(), root).env("XDG_CACHE_HOME", root.resolve("xdg").toString());
    packed = Files.createDirectories(root.resolve("packed"));
  }

  @AfterEach
  void stop() {
    sim.close();
    server.close();
  }

  @Test
  void getOverHttpResumesAnInterruptedDownload() throws IOException {
    pack("1.1.0", null);
    server.directory(packed).cut(V1_1, 1);
    sim.node("n1", "worker", "1.0.0").writeClusterFile("role_order: [worker]\n");

    CliRunner.Result get = run("version", "get", "1.1.0");

    assertEquals(0, get.code(), get.toString());
    assertTrue(get.out().contains(V1_1 + ": release 1.1.0 of acme verified in"), get.out());
    List<RepositoryServer.Request> gets = server.requestsFor(V1_1);
    assertEquals(2, gets.size(), gets.toString());
    assertEquals(null, gets.get(0).range());
    long half = Files.size(packed.resolve(V1_1)) / 2;
    assertEquals("bytes=" + half + "-", gets.get(1).range());
    assertArrayEquals(
        Files.readAllBytes(packed.resolve(V1_1)), Files.readAllBytes(cache().resolve(V1_1)));
    assertEquals(Set.of(V1_1, V1_1 + ".sha256", V1_1 + ".verified", ".lock"), names(cache()));

    CliRunner.Result again = run("version", "get", "1.1.0");

    assertEquals(0, again.code(), again.toString());
    assertEquals(2, server.requestsFor(V1_1).size(), server.requests().toString());
  }

  @Test
  void prepareToFiveNodesOneWithTooLittleSpace() throws IOException {
    pack("1.1.0", null);
    server.directory(packed);
    sim.node("n1", "worker", "1.0.0")
        .node("n2", "worker", "1.0.0")
        .node("n3", "worker", "1.0.0")
        .node("n4", "worker", "1.0.0")
        .nodeWithLittleSpace("n5", "worker", "1.0.0")
        .writeClusterFile("role_order: [worker]\n");
    Set<String> smallBefore = tree(sim.nodeHome("n5"));

    CliRunner.Result prepare = run("version", "prepare", "1.1.0");

    assertEquals(4, prepare.code(), prepare.toString());
    for (String node : List.of("n1", "n2", "n3", "n4")) {
      assertStaged(node, "1.1.0");
      assertEquals(Set.of("1.0.0", "1.1.0"), names(sim.nodeHome(node).resolve("releases")));
    }
    assertCurrent("1.0.0", "n1", "n2", "n3", "n4", "n5");
    assertEquals(smallBefore, tree(sim.nodeHome("n5")));
    assertTrue(
        prepare.out().lines().anyMatch(l -> l.matches("n5\\s+failed\\s.*free.*")), prepare.out());
    assertTrue(prepare.out().contains("4 of 5 nodes hold release 1.1.0"), prepare.out());
    assertTrue(prepare.err().contains("n5: staging 1.1.0 failed: "), prepare.err());

    CliRunner.Result rerun =
        run("--output", "json", "version", "prepare", "1.1.0", "n1", "n2", "n3", "n4");

    assertEquals(0, rerun.code(), rerun.toString());
    JsonNode report = json(rerun);
    assertTrue(report.get("ok").asBoolean());
    assertEquals(4, report.get("nodes").size());
    for (JsonNode node : report.get("nodes")) {
      assertEquals("already-staged", node.get("status").asText(), node.toString());
      assertEquals(0, node.get("bytes_sent").asLong(), node.toString());
    }

    sim.freeSpace("n5");
    CliRunner.Result healed = run("version", "prepare", "1.1.0", "n5");

    assertEquals(0, healed.code(), healed.toString());
    assertStaged("n5", "1.1.0");
    assertCurrent("1.0.0", "n5");
  }

  @Test
  void corruptBundleIsRefusedBeforeAnyNodeIsTouched() throws IOException {
    pack("1.1.0", null);
    server.directory(packed);
    byte[] good = Files.readAllBytes(packed.resolve(V1_1));
    byte[] flipped = good.clone();
    flipped[flipped.length / 2] ^= 1;
    server.file(V1_1, flipped);
    sim.node("n1", "worker", "1.0.0")
        .node("n2", "worker", "1.0.0")
        .writeClusterFile("role_order: [worker]\n");
    Set<String> before = tree(root.resolve("nodes"));

    CliRunner.Result mismatch = run("version", "prepare", "1.1.0");

    assertEquals(3, mismatch.code(), mismatch.toString());
    assertTrue(mismatch.err().contains("corrupt download: expected sha256"), mismatch.err());
    assertEquals(before, tree(root.resolve("nodes")));
    assertNoBundleInCache();

    // The checksum matches, but an entry escapes the release directory.
    byte[] evil =
        tarGz(
            Map.of(
                "hoist-release.json",
                "{\"product\":\"acme\",\"version\":\"1.1.0\"}\n",
                "VERSION",
                "1.1.0\n",
                "../evil",
                "gotcha\n"));
    server.bundle(V1_1, evil);

    CliRunner.Result escape = run("version", "prepare", "1.1.0");

    assertEquals(3, escape.code(), escape.toString());
    assertTrue(escape.err().contains("../evil"), escape.err());
    assertEquals(before, tree(root.resolve("nodes")));
    assertFalse(Files.exists(root.resolve("evil")));
    assertNoBundleInCache();
  }

  @Test
  void quietCronRunPrintsNothingOnSuccessAndLogsEverything() throws IOException {
    pack("1.1.0", null);
    server.directory(packed);
    sim.node("n1", "worker", "1.0.0")
        .node("n2", "worker", "1.0.0")
        .writeClusterFile("role_order: [worker]\n");
    Path log = root.resolve("hoist.log");
    String[] cron = {
      "-q",
      "--log-file",
      log.toString(),
      "-c",
      sim.clusterFile().toString(),
      "version",
      "prepare",
      "1.1.0"
    };

    HoistJar.Result first = HoistJar.in(sim.home()).run(cron).exitsWith(0);

    assertEquals("", first.out(), first.toString());
    assertEquals("", first.err(), first.toString());
    assertStaged("n1", "1.1.0");
    assertStaged("n2", "1.1.0");
    List<String> lines = Files.readAllLines(log);
    String stamp = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ hoist\\[\\d+\\] ";
    assertTrue(lines.stream().allMatch(l -> l.matches(stamp + ".*")), lines.toString());
    assertTrue(
        lines.stream().anyMatch(l -> l.matches(stamp + "start: hoist .*")), lines.toString());
    assertTrue(lines.get(lines.size() - 1).matches(stamp + "end: exit 0"), lines.toString());

    HoistJar.Result second = HoistJar.in(sim.home()).run(cron).exitsWith(0);

    assertEquals("", second.out() + second.err(), second.toString());
    List<String> both = Files.readAllLines(log);
    assertEquals(lines, both.subList(0, lines.size()));
    assertTrue(both.size() > lines.size());
    assertEquals(2, both.stream().filter(l -> l.matches(stamp + "end: exit 0")).count());

    sim.stop("n2");
    HoistJar.Result failing = HoistJar.in(sim.home()).run(cron).exitsWith(4).noStackTrace();

    assertEquals("", failing.out(), failing.toString());
    assertFalse(failing.err().isEmpty(), failing.toString());
    assertTrue(failing.err().lines().allMatch(l -> l.startsWith("hoist: ")), failing.err());
    assertTrue(failing.err().contains("n2"), failing.err());
    List<String> all = Files.readAllLines(log);
    assertTrue(all.get(all.size() - 1).matches(stamp + "end: exit 4"), all.toString());
  }

  @Test
  void prepareOnlyStagesEveryHopWithUpgradeFromChecks() throws IOException {
    threeReleasesOnTwoNodes();
    Set<String> before = tree(root.resolve("nodes"));

    CliRunner.Result refused = run("version", "prepare", "1.2.0");

    assertEquals(3, refused.code(), refused.toString());
    assertTrue(refused.err().contains("no node was touched"), refused.err());
    assertTrue(refused.err().contains(">=1.1.0"), refused.err());
    assertEquals(before, tree(root.resolve("nodes")));

    CliRunner.Result prepare = run("upgrade", "--cluster", "--prepare-only");

    assertEquals(0, prepare.code(), prepare.toString());
    for (String node : List.of("n1", "n2")) {
      assertStaged(node, "1.1.0");
      assertStaged(node, "1.2.0");
      assertEquals(
          Set.of("1.0.0", "1.1.0", "1.2.0"), names(sim.nodeHome(node).resolve("releases")));
    }
    assertCurrent("1.0.0", "n1", "n2");
  }

  @Test
  void versionListShowsRepositoryCacheAndNodes() throws IOException {
    threeReleasesOnTwoNodes();
    CliRunner.Result prepare = run("upgrade", "--cluster", "--prepare-only");
    assertEquals(0, prepare.code(), prepare.toString());

    CliRunner.Result list = run("--output", "json", "version", "list");

    assertEquals(0, list.code(), list.toString());
    JsonNode listing = json(list);
    assertEquals(List.of("1.0.0", "1.1.0", "1.2.0"), texts(listing.get("offered")));
    assertEquals(List.of("1.1.0", "1.2.0"), texts(listing.get("cached")));
    Map<String, JsonNode> nodes = byNode(listing);
    for (String node : List.of("n1", "n2")) {
      assertEquals("1.0.0", nodes.get(node).get("current").asText());
      assertEquals(List.of("1.1.0", "1.2.0"), texts(nodes.get(node).get("staged")));
      assertTrue(nodes.get(node).get("error").isNull());
    }

    sim.stop("n2");
    CliRunner.Result down = run("--output", "json", "version", "list");

    assertEquals(3, down.code(), down.toString());
    Map<String, JsonNode> afterStop = byNode(json(down));
    assertEquals("1.0.0", afterStop.get("n1").get("current").asText());
    assertFalse(afterStop.get("n2").get("error").isNull(), afterStop.get("n2").toString());

    CliRunner.Result text = run("version", "list");
    assertEquals(3, text.code(), text.toString());
    assertTrue(
        text.out().lines().anyMatch(l -> l.matches("n2\\s+\\?\\s+cannot read: .*")), text.out());
  }

  @Test
  void packIsDeterministicAndUpdatesTheIndex() throws IOException {
    Path dir = source("1.1.0");
    Path one = Files.createDirectories(root.resolve("one"));
    Path two = Files.createDirectories(root.resolve("two"));

    for (Path into : List.of(one, two)) {
      CliRunner.Result pack =
          cli.run(
              "version",
              "pack",
              dir.toString(),
              "--version",
              "1.1.0",
              "--product",
              "acme",
              "--into",
              into.toString());
      assertEquals(0, pack.code(), pack.toString());
      assertTrue(pack.out().contains("packed " + into.resolve(V1_1)), pack.out());
    }

    assertArrayEquals(Files.readAllBytes(one.resolve(V1_1)), Files.readAllBytes(two.resolve(V1_1)));
    assertEquals(
        Files.readString(one.resolve(V1_1 + ".sha256")),
        Files.readString(two.resolve(V1_1 + ".sha256")));
    assertEquals(List.of(V1_1), Files.readAllLines(one.resolve("INDEX")));

    CliRunner.Result nowhere = cli.run("version", "pack", dir.toString(), "--version", "1.1.0");

    assertEquals(2, nowhere.code(), nowhere.toString());
    assertTrue(nowhere.err().contains("--into"), nowhere.err());
    assertEquals("", nowhere.out());
  }

  // --- helpers

  /** Releases 1.0.0, 1.1.0 and 1.2.0 (upgrade_from >=1.1.0) over http; two nodes on 1.0.0. */
  private void threeReleasesOnTwoNodes() throws IOException {
    pack("1.0.0", null);
    pack("1.1.0", null);
    pack("1.2.0", ">=1.1.0");
    server.directory(packed);
    sim.node("n1", "worker", "1.0.0")
        .node("n2", "worker", "1.0.0")
        .writeClusterFile("role_order: [worker]\n");
  }

  private CliRunner.Result run(String... args) {
    List<String> all = new ArrayList<>(List.of("-c", sim.clusterFile().toString()));
    all.addAll(List.of(args));
    return cli.run(all.toArray(String[]::new));
  }

  /** A release's files: VERSION, a script, and 128 KiB that do not compress. */
  private Path source(String version) throws IOException {
    Path dir = Files.createDirectories(root.resolve("src").resolve(version));
    Files.writeString(dir.resolve("VERSION"), version + "\n");
    Files.createDirectories(dir.resolve("bin"));
    Files.writeString(dir.resolve("bin/run.sh"), "#!/bin/sh\necho acme " + version + "\n");
    byte[] data = new byte[128 * 1024];
    new Random(version.hashCode()).nextBytes(data);
    Files.write(dir.resolve("data.bin"), data);
    return dir;
  }

  /** Packs a release with the CLI into {@link #packed}. */
  private void pack(String version, String from) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "version",
                "pack",
                source(version).toString(),
                "--version",
                version,
                "--product",
                "acme",
                "--into",
                packed.toString()));
    if (from != null) {
      args.add("--from");
      args.add(from);
    }
    CliRunner.Result result = cli.run(args.toArray(String[]::new));
    assertEquals(0, result.code(), result.toString());
  }

  private Path cache() {
    return root.resolve("cache");
  }

  private void assertNoBundleInCache() throws IOException {
    Set<String> cached = Files.isDirectory(cache()) ? names(cache()) : Set.of();
    assertTrue(cached.stream().noneMatch(n -> n.startsWith(V1_1)), cached.toString());
  }

  private void assertStaged(String node, String version) throws IOException {
    Path release = sim.nodeHome(node).resolve("releases").resolve(version);
    assertTrue(Files.isRegularFile(release.resolve(".hoist-staged")), node + " " + release);
    assertEquals(version + "\n", Files.readString(release.resolve("VERSION")));
    assertEquals(
        "#!/bin/sh\necho acme " + version + "\n", Files.readString(release.resolve("bin/run.sh")));
    assertArrayEquals(
        Files.readAllBytes(root.resolve("src").resolve(version).resolve("data.bin")),
        Files.readAllBytes(release.resolve("data.bin")));
    Set<String> leftovers = names(release.getParent());
    assertFalse(leftovers.contains(version + ".partial"), leftovers.toString());
    assertFalse(leftovers.contains("." + version + ".bundle"), leftovers.toString());
  }

  private void assertCurrent(String version, String... nodes) throws IOException {
    for (String node : nodes) {
      assertEquals(
          Path.of("releases", version),
          Files.readSymbolicLink(sim.nodeHome(node).resolve("current")),
          node);
    }
  }

  private static Set<String> names(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .map(p -> p.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** Every path under {@code dir}, relative, hidden ones included. */
  private static Set<String> tree(Path dir) throws IOException {
    try (Stream<Path> entries = Files.walk(dir)) {
      return entries
          .map(p -> dir.relativize(p).toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static JsonNode json(CliRunner.Result result) throws IOException {
    return new ObjectMapper().readTree(result.out());
  }

  private static Map<String, JsonNode> byNode(JsonNode report) {
    Map<String, JsonNode> nodes = new HashMap<>();
    report.get("nodes").forEach(n -> nodes.put(n.get("node").asText(), n));
    return nodes;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(v -> texts.add(v.asText()));
    return texts;
  }

  /** A tar.gz holding these files, in this order, names as given (even {@code ../x}). */
  private static byte[] tarGz(Map<String, String> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(bytes);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip, "UTF-8")) {
      for (Map.Entry<String, String> file : new java.util.TreeMap<>(files).entrySet()) {
        byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey(), true);
        entry.setSize(content.length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
