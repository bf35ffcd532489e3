package io.hoist.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code hoist --version}: the version and commit the build recorded, and the JVM. */
final class VersionProvider implements IVersionProvider {

  @Override
  public String[] getVersion() {
    return BuildInfo.versionLines();
  }
}
