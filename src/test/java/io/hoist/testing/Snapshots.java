package io.hoist.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a directory holds, to assert that it is byte for byte as before: every file and directory
 * under it, by relative path, mapped to its sha256 ({@code dir} for a directory, {@code link
 * TARGET} for a symbolic link).
 */
public final class Snapshots {

  private Snapshots() {}

  /** Every file, directory and link under {@code dir} (itself included as {@code ""}). */
  public static Map<String, String> of(Path dir) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.toList()) {
        String name = dir.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          files.put(name, "link " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          files.put(name, "dir");
        } else {
          files.put(name, sha256(Files.readAllBytes(p)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** The lower-case hex sha256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
