package io.hoist.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.Properties;

/**
 * What the build recorded ({@code io/hoist/build.properties}: version, commit, whether the tree was
 * modified) and the {@code --version} text made from it.
 *
 * <p>This class uses nothing of picocli: {@code Main} answers {@code hoist --version} with it
 * before the command line is built, because building it (every command's model, by reflection over
 * picocli's annotations) is most of hoist's start-up. The text is what picocli prints for {@code
 * --version}; a test compares both byte for byte.
 */
public final class BuildInfo {

  private BuildInfo() {}

  /**
   * Whether {@code args} only ask for the version: {@code --version} or {@code -V} as the only
   * argument. Anything else (with other options, after a command) goes through picocli.
   */
  public static boolean isVersionRequest(String[] args) {
    return args.length == 1 && ("--version".equals(args[0]) || "-V".equals(args[0]));
  }

  /** Prints the version text to stdout, as picocli would; returns the exit code (0). */
  public static int printVersion() {
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, Charset.defaultCharset()), true);
    printVersion(out);
    return ExitCode.OK.code();
  }

  static void printVersion(PrintWriter out) {
    for (String line : versionLines()) {
      out.println(line);
    }
    out.flush();
  }

  /** The lines of {@code hoist --version}: hoist's version and commit, then the JVM. */
  static String[] versionLines() {
    // String.join, not "+": javac compiles "+" to invokedynamic, whose first use spins method
    // handle classes: about 0.03 s of CPU, a third of what "hoist --version" costs without it.
    Properties build = properties();
    String commit = build.getProperty("commit", "");
    if (commit.isEmpty() || commit.startsWith("${")) {
      commit = "unknown";
    } else if ("true".equals(build.getProperty("dirty"))) {
      commit = commit.concat(" (modified)");
    }
    return new String[] {
      String.join("", "hoist ", build.getProperty("version", "unknown"), ", commit ", commit),
      String.join(
          "",
          "Java ",
          System.getProperty("java.version"),
          " (",
          System.getProperty("java.vm.name"),
          ")")
    };
  }

  /** The build's properties (empty when the resource is missing). */
  static Properties properties() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/io/hoist/build.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }
}
