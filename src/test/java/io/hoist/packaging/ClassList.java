package io.hoist.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes the class list the Debian package installs as /usr/share/hoist/hoist.classlist: the
 * classes the built jar loads for the commands whose time is mostly start-up ({@code --version},
 * {@code --help}, a command's help, the shell completion's words from a cluster file), one per line
 * in the order a JVM loaded them, as {@code -XX:DumpLoadedClassList} writes them.
 *
 * <p>The package's postinst dumps a class-data sharing archive from it ({@code java -Xshare:dump
 * -XX:SharedClassListFile}) for the Java installed there: an archive is tied to one Java build and
 * to the jar's path and time stamp, so it cannot be made here. A static archive, unlike one from
 * {@code -XX:ArchiveClassesAtExit}, also holds picocli's classes (Java 5 class files).
 *
 * <p>Run by the build (exec-maven-plugin, package phase, after the shade plugin); a training run
 * that fails, or an empty list, fails the build.
 */
public final class ClassList {

  /** What the JVM records but no archive can hold: proxies and reflection accessors it spins. */
  private static final Pattern GENERATED =
      Pattern.compile(".*/\\$Proxy\\d+|jdk/internal/reflect/Generated\\w*Accessor\\d+");

  private static final String CLUSTER =
      """
      cluster: training
      release: { repository: "file:/nonexistent", bundle: "app-${version}.tar.gz" }
      layout: { home: /opt/app }
      role_order: [web, db]
      roles:
        web: { max_parallel: 2 }
        db: { serial: true }
      nodes:
        - { name: web-1, host: 127.0.0.1, roles: [web] }
        - { name: db-1, host: 127.0.0.1, roles: [db] }
      """;

  private ClassList() {}

  /** {@code ClassList JAR OUT_FILE}. */
  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: ClassList JAR OUT_FILE");
    }
    Path jar = Path.of(args[0]).toAbsolutePath();
    Path out = Path.of(args[1]);
    Path work = Files.createTempDirectory("hoist-classlist");
    try {
      Path cluster = Files.writeString(work.resolve("cluster.yaml"), CLUSTER);
      String c = cluster.toString();
      List<List<String>> runs =
          List.of(
              List.of("--version"),
              List.of("--help"),
              List.of("upgrade", "--help"),
              List.of("-c", c, "__complete", "nodes"),
              List.of("-c", c, "__complete", "roles"));
      Set<String> lines = new LinkedHashSet<>();
      for (int i = 0; i < runs.size(); i++) {
        lines.addAll(loadedClasses(jar, work, "run" + i, runs.get(i)));
      }
      if (lines.stream().noneMatch(l -> l.equals("picocli/CommandLine"))) {
        throw new IllegalStateException("the class list lacks picocli: " + lines.size() + " lines");
      }
      Files.createDirectories(out.toAbsolutePath().getParent());
      List<String> text = new ArrayList<>();
      text.add(
          "# The classes hoist's start-up loads, for java -Xshare:dump -XX:SharedClassListFile.");
      text.add(
          "# Written by the build (io.hoist.packaging.ClassList); see the package's postinst.");
      text.addAll(lines);
      Files.write(out, text, StandardCharsets.UTF_8);
    } finally {
      deleteTree(work);
    }
  }

  /** Runs {@code java -jar JAR ARGS} with a class list; returns its entries. */
  private static List<String> loadedClasses(Path jar, Path work, String name, List<String> args)
      throws IOException, InterruptedException {
    Path list = work.resolve(name + ".classlist");
    Path output = work.resolve(name + ".out");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The options the installed launcher gives these commands.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:DumpLoadedClassList=" + list);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().remove("HOIST_CLUSTER");
    builder.environment().put("HOME", work.toString());
    builder.environment().put("HOIST_STATE_DIR", work.resolve("state").toString());
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("hoist " + String.join(" ", args) + " did not end");
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "hoist "
              + String.join(" ", args)
              + " exited with "
              + process.exitValue()
              + ":\n"
              + Files.readString(output));
    }
    return Files.readAllLines(list, StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#") && !GENERATED.matcher(l).matches())
        .toList();
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
