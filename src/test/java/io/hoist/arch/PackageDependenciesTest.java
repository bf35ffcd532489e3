package io.hoist.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules of STYLE.md, checked on the imports of src/main/java: which of our packages
 * each may use, which libraries only one package may touch, and no cycles.
 */
class PackageDependenciesTest {

  private static final String BASE = "io.hoist.";
  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)\\s*;", Pattern.MULTILINE);

  /** Package -> the packages of ours it may import ("error" is allowed everywhere). */
  private static final Map<String, Set<String>> ALLOWED =
      Map.ofEntries(
          Map.entry("", Set.of("cli")),
          Map.entry("error", Set.of()),
          Map.entry("model", Set.of()),
          Map.entry("command", Set.of()),
          Map.entry("config", Set.of("model", "command", "release")),
          Map.entry("release", Set.of("model")),
          Map.entry("plan", Set.of("model", "release", "command")),
          Map.entry("transport", Set.of("model", "command")),
          Map.entry("transport.ssh", Set.of("transport", "model", "command")),
          Map.entry("transport.local", Set.of("transport", "model", "command")),
          Map.entry("phase", Set.of("model", "command", "plan", "transport", "backup")),
          Map.entry("backup", Set.of("model", "transport", "command")),
          Map.entry("inspect", Set.of("model", "command", "release", "transport")),
          Map.entry("stage", Set.of("model", "command", "release", "transport")),
          Map.entry(
              "run",
              Set.of(
                  "model",
                  "plan",
                  "phase",
                  "backup",
                  "release",
                  "inspect",
                  "stage",
                  "transport",
                  "command",
                  "journal")),
          Map.entry("journal", Set.of("model", "phase")),
          Map.entry("demo", Set.of("release")),
          Map.entry("cli", Set.of("*")));

  /** Library package prefix -> the only packages of ours that may import it. */
  private static final Map<String, Set<String>> LIBRARIES =
      Map.of(
          "picocli.", Set.of("cli"),
          "com.jcraft.", Set.of("transport.ssh"),
          "com.fasterxml.", Set.of("config", "cli", "release", "journal"));

  @Test
  void packagesImportOnlyWhatTheyMay() throws IOException {
    Map<String, Set<String>> uses = imports();
    List<String> violations = new ArrayList<>();
    uses.forEach(
        (pkg, imported) -> {
          Set<String> allowed = ALLOWED.get(pkg);
          if (allowed == null) {
            violations.add(pkg + ": a package with no rule (add it to STYLE.md and this test)");
            return;
          }
          for (String name : imported) {
            if (name.startsWith(BASE)) {
              String target = packageOf(name.substring(BASE.length()));
              if (!target.equals(pkg)
                  && !target.equals("error")
                  && !allowed.contains("*")
                  && !allowed.contains(target)) {
                violations.add(pkg + " -> " + target + " (" + name + ")");
              }
            }
            LIBRARIES.forEach(
                (prefix, owners) -> {
                  if (name.startsWith(prefix) && !owners.contains(pkg)) {
                    violations.add(pkg + " imports " + name + "; only " + owners + " may");
                  }
                });
          }
        });
    assertEquals(List.of(), violations);
  }

  @Test
  void noCycles() throws IOException {
    Map<String, Set<String>> graph = new HashMap<>();
    imports()
        .forEach(
            (pkg, imported) -> {
              Set<String> targets = new TreeSet<>();
              for (String name : imported) {
                if (name.startsWith(BASE)) {
                  String target = packageOf(name.substring(BASE.length()));
                  if (!target.equals(pkg)) {
                    targets.add(target);
                  }
                }
              }
              graph.put(pkg, targets);
            });
    List<String> cycles = new ArrayList<>();
    for (String start : graph.keySet()) {
      if (reaches(graph, start, start, new HashSet<>())) {
        cycles.add(start);
      }
    }
    assertEquals(List.of(), cycles, "packages on a dependency cycle");
  }

  private static boolean reaches(
      Map<String, Set<String>> graph, String from, String goal, Set<String> seen) {
    for (String next : graph.getOrDefault(from, Set.of())) {
      if (next.equals(goal)) {
        return true;
      }
      if (seen.add(next) && reaches(graph, next, goal, seen)) {
        return true;
      }
    }
    return false;
  }

  /** Our package (relative to io.hoist) -> every import of its files. */
  private static Map<String, Set<String>> imports() throws IOException {
    Path root = Path.of("src/main/java/io/hoist");
    Map<String, Set<String>> result = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String pkg = root.relativize(file.getParent()).toString().replace('/', '.');
        Set<String> imported = result.computeIfAbsent(pkg, k -> new TreeSet<>());
        Matcher m = IMPORT.matcher(Files.readString(file));
        while (m.find()) {
          imported.add(m.group(1));
        }
      }
    }
    return result;
  }

  /** "transport.ssh.SshTransport" -> "transport.ssh"; "model.Node" -> "model". */
  private static String packageOf(String relativeName) {
    String[] parts = relativeName.split("\\.");
    StringBuilder pkg = new StringBuilder();
    for (String part : parts) {
      if (!part.isEmpty() && Character.isUpperCase(part.charAt(0))) {
        break;
      }
      if (pkg.length() > 0) {
        pkg.append('.');
      }
      pkg.append(part);
    }
    return pkg.toString();
  }
}
