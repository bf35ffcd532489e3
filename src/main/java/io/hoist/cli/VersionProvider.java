package io.hoist.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code hoist --version}: the version and commit the build recorded, and the JVM. */
final class VersionProvider implements IVersionProvider {

  @Override
  public String[] getVersion() {
    Properties build = buildProperties();
    String commit = build.getProperty("commit", "");
    if (commit.isEmpty() || commit.startsWith("${")) {
      commit = "unknown";
    } else if ("true".equals(build.getProperty("dirty"))) {
      commit += " (modified)";
    }
    return new String[] {
      "hoist " + build.getProperty("version", "unknown") + ", commit " + commit,
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
    };
  }

  static Properties buildProperties() {
    Properties properties = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("/io/hoist/build.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }
}
