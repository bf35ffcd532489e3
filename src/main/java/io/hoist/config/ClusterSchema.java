package io.hoist.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON Schema (draft 2020-12) of the cluster file, for editors: written by hand beside the
 * loader as the resource {@code cluster.schema.json}, and held to the loader's key lists and rules
 * by {@code ClusterSchemaTest}. Its description lists what the loader checks that it cannot.
 */
public final class ClusterSchema {

  /** The resource, next to this class. */
  static final String RESOURCE = "cluster.schema.json";

  private ClusterSchema() {}

  /**
   * The schema exactly as shipped: JSON in ASCII, ending with a newline.
   *
   * @throws IllegalStateException when the build left the resource out (a bug)
   * @throws UncheckedIOException when the resource cannot be read
   */
  public static String text() {
    try (InputStream in = ClusterSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the build left out the resource " + RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the resource " + RESOURCE, e);
    }
  }
}
