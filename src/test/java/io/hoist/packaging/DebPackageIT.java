package io.hoist.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.testing.HoistJar;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Debian package the build made, target/hoist_VERSION_all.deb, read as dpkg reads it: an ar
 * archive of debian-binary, control.tar.gz and data.tar.gz.
 */
class DebPackageIT {

  private static final String LAUNCHER = "./usr/bin/hoist";
  private static final String JAR = "./usr/share/hoist/hoist.jar";
  private static final String BASH_COMPLETION = "./usr/share/bash-completion/completions/hoist";
  private static final String ZSH_COMPLETION = "./usr/share/hoist/completions/hoist.zsh";
  private static final String CLASS_LIST = "./usr/share/hoist/hoist.classlist";
  private static final Pattern MAN_PAGE = Pattern.compile(".+\\.([1-9])");

  private static Path target;
  private static Path deb;
  private static Map<String, String> control;
  private static Map<String, Entry> controlFiles;
  private static Map<String, Entry> data;

  /** A tar entry: its mode bits (no file type), owner and, for a file, its bytes. */
  private record Entry(int mode, String user, String group, int uid, int gid, byte[] content) {}

  @BeforeAll
  static void readPackage() throws IOException {
    target = HoistJar.jar().getParent();
    String version;
    try (JarFile jar = new JarFile(HoistJar.jar().toFile())) {
      version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
    }
    // dpkg sorts "~" before anything, so 0.1.0~SNAPSHOT comes before the release 0.1.0.
    deb = target.resolve("hoist_" + version.replace('-', '~') + "_all.deb");
    assertTrue(Files.isRegularFile(deb), deb + " was not built");
    Map<String, byte[]> members = new LinkedHashMap<>();
    try (ArArchiveInputStream ar =
        new ArArchiveInputStream(new BufferedInputStream(Files.newInputStream(deb)))) {
      for (ArArchiveEntry e = ar.getNextEntry(); e != null; e = ar.getNextEntry()) {
        members.put(e.getName(), ar.readAllBytes());
      }
    }
    assertEquals(
        List.of("debian-binary", "control.tar.gz", "data.tar.gz"), List.copyOf(members.keySet()));
    assertEquals("2.0\n", new String(members.get("debian-binary"), StandardCharsets.US_ASCII));
    controlFiles = untar(members.get("control.tar.gz"));
    control = fields(text(controlFiles.get("./control")));
    data = untar(members.get("data.tar.gz"));
  }

  @Test
  void controlNamesThePackageAndItsVersion() {
    assertEquals("hoist", control.get("Package"));
    assertEquals("all", control.get("Architecture"));
    assertEquals("admin", control.get("Section"));
    assertEquals("hoist_" + control.get("Version") + "_all.deb", deb.getFileName().toString());
  }

  @Test
  void everyAlternativeOfDependsIsAJava17Runtime() {
    String depends = control.get("Depends");
    for (String alternative : depends.split("\\|")) {
      assertTrue(alternative.contains("17"), "not a Java 17+ runtime: " + alternative);
    }
    assertTrue(depends.contains("java17-runtime-headless"), depends);
  }

  @Test
  void launcherIsAnExecutableShellScriptThatRunsTheInstalledJar() {
    Entry launcher = data.get(LAUNCHER);
    assertEquals(0755, launcher.mode());
    String script = new String(launcher.content(), StandardCharsets.UTF_8);
    assertTrue(script.startsWith("#!/bin/sh\n"), script);
    assertTrue(script.contains("-jar \"$jar\" \"$@\""), script);
    assertTrue(script.contains("jar=/usr/share/hoist/hoist.jar"), script);
  }

  @Test
  void jarIsTheBuiltJar() throws IOException {
    assertArrayEquals(Files.readAllBytes(HoistJar.jar()), data.get(JAR).content());
  }

  @Test
  void everyGeneratedManPageIsInstalledGzippedInItsSection() throws IOException {
    List<Path> pages;
    try (Stream<Path> files = Files.list(target.resolve("generated-docs/man"))) {
      pages = files.filter(f -> MAN_PAGE.matcher(f.getFileName().toString()).matches()).toList();
    }
    assertTrue(pages.size() > 1, "generated man pages: " + pages);
    for (Path page : pages) {
      Matcher m = MAN_PAGE.matcher(page.getFileName().toString());
      assertTrue(m.matches());
      String name = "./usr/share/man/man" + m.group(1) + "/" + page.getFileName() + ".gz";
      Entry entry = data.get(name);
      assertTrue(entry != null, name + " is not in the package");
      assertArrayEquals(Files.readAllBytes(page), gunzip(entry.content()), name);
    }
    long installed =
        data.keySet().stream().filter(n -> n.matches("\\./usr/share/man/man\\d/.+")).count();
    assertEquals(pages.size(), installed, "man pages in the package");
  }

  @Test
  void completionsAreTheGeneratedScripts() throws IOException {
    Path completions = target.resolve("generated-docs/completions");
    assertArrayEquals(
        Files.readAllBytes(completions.resolve("hoist.bash")), data.get(BASH_COMPLETION).content());
    assertArrayEquals(
        Files.readAllBytes(completions.resolve("hoist.zsh")), data.get(ZSH_COMPLETION).content());
  }

  @Test
  void classListIsTheBuiltOneAndTheMaintainerScriptsMakeTheArchiveFromIt() throws IOException {
    byte[] built = Files.readAllBytes(target.resolve("deb/hoist.classlist"));
    assertArrayEquals(built, data.get(CLASS_LIST).content());
    List<String> classes = new String(built, StandardCharsets.UTF_8).lines().toList();
    assertTrue(classes.contains("picocli/CommandLine"), "picocli is not in the class list");
    assertTrue(classes.contains("io/hoist/Main"), "hoist's Main is not in the class list");
    assertTrue(classes.contains("java/lang/Object"), "the JDK is not in the class list");
    // hoist inspect over SSH, trained against an embedded server with both key exchanges.
    assertTrue(classes.contains("io/hoist/inspect/Inspector"), "inspect is not in the class list");
    assertTrue(classes.contains("com/jcraft/jsch/Session"), "JSch is not in the class list");
    assertTrue(
        classes.contains("com/jcraft/jsch/DH25519SNTRUP761"),
        "JSch's sntrup761x25519 key exchange is not in the class list");
    assertTrue(
        classes.contains("com/jcraft/jsch/DH25519"),
        "JSch's curve25519 key exchange is not in the class list");
    assertTrue(
        classes.contains("io/hoist/transport/ssh/Sntrup761"),
        "hoist's sntrup761 is not in the class list");
    // Upgrade, prepare and status over SSH: the run, its journal, SFTP staging, the JSON report.
    for (String c :
        List.of(
            "io/hoist/run/ClusterRun",
            "io/hoist/journal/Journal",
            "com/jcraft/jsch/ChannelSftp",
            "com/fasterxml/jackson/databind/ObjectMapper")) {
      assertTrue(classes.contains(c), c + " is not in the class list");
    }

    String postinst = text(controlFiles.get("./postinst"));
    assertTrue(postinst.contains("-XX:SharedClassListFile="), postinst);
    assertTrue(postinst.contains("/usr/share/hoist/hoist.classlist"), postinst);
    assertTrue(postinst.contains("configure | triggered)"), postinst);
    assertTrue(text(controlFiles.get("./postrm")).contains("rm -rf /var/cache/hoist-cds"));
    // A Java update makes the archive useless: the trigger has the postinst make it again.
    assertEquals("interest-noawait /usr/lib/jvm\n", text(controlFiles.get("./triggers")));
    String launcher = text(data.get(LAUNCHER));
    assertTrue(launcher.contains("-XX:SharedArchiveFile=$cds/hoist.jsa"), launcher);
    assertTrue(launcher.contains("cds=/var/cache/hoist-cds"), launcher);
  }

  @Test
  void documentationIsInstalled() throws IOException {
    assertTrue(data.containsKey("./usr/share/doc/hoist/copyright"));
    assertArrayEquals(
        Files.readAllBytes(Path.of("README.md")),
        gunzip(data.get("./usr/share/doc/hoist/README.md.gz").content()));
  }

  @Test
  void everythingIsOwnedByRootAndOnlyTheLauncherIsExecutable() {
    List<String> wrong = new ArrayList<>();
    data.forEach(
        (name, e) -> {
          int expected = name.endsWith("/") || name.equals(LAUNCHER) ? 0755 : 0644;
          if (e.mode() != expected
              || e.uid() != 0
              || e.gid() != 0
              || !e.user().equals("root")
              || !e.group().equals("root")) {
            wrong.add(
                name + " " + Integer.toOctalString(e.mode()) + " " + e.user() + ":" + e.group());
          }
        });
    assertEquals(List.of(), wrong);
  }

  @Test
  void everythingIsUnderUsr() {
    data.keySet().forEach(name -> assertTrue(name.startsWith("./usr/"), name));
  }

  /** Name -> entry of a tar.gz; a directory's name ends with "/". */
  private static Map<String, Entry> untar(byte[] tarGz) throws IOException {
    Map<String, Entry> entries = new LinkedHashMap<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tarGz)))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        entries.put(
            e.getName(),
            new Entry(
                e.getMode() & 07777,
                e.getUserName(),
                e.getGroupName(),
                (int) e.getLongUserId(),
                (int) e.getLongGroupId(),
                e.isDirectory() ? new byte[0] : tar.readAllBytes()));
      }
    }
    return entries;
  }

  /** A control file's fields; a continuation line is appended to its field. */
  private static Map<String, String> fields(String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    String last = null;
    for (String line : text.split("\n")) {
      if (line.startsWith(" ") && last != null) {
        fields.merge(last, "\n" + line, String::concat);
      } else if (!line.isBlank()) {
        int colon = line.indexOf(':');
        last = line.substring(0, colon);
        fields.put(last, line.substring(colon + 1).strip());
      }
    }
    return fields;
  }

  private static String text(Entry entry) {
    assertTrue(entry != null, "no such file in the package");
    return new String(entry.content(), StandardCharsets.UTF_8);
  }

  private static byte[] gunzip(byte[] gz) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }
}
