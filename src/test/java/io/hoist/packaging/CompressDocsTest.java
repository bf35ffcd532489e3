package io.hoist.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompressDocsTest {

  @TempDir Path root;

  @Test
  void pagesGoToTheSectionOfTheirExtension() throws IOException {
    Path man = Files.createDirectories(root.resolve("man"));
    Files.writeString(man.resolve("hoist.1"), ".TH HOIST 1\n");
    Files.writeString(man.resolve("hoist-cluster.yaml.5"), ".TH HOIST-CLUSTER.YAML 5\n");
    Files.writeString(man.resolve("hoist.adoc"), "= not a page\n");

    List<Path> written = CompressDocs.compressManPages(man, root.resolve("out"));

    assertEquals(
        List.of(
            root.resolve("out/man5/hoist-cluster.yaml.5.gz"), root.resolve("out/man1/hoist.1.gz")),
        written);
    assertEquals(".TH HOIST 1\n", gunzip(root.resolve("out/man1/hoist.1.gz")));
    assertFalse(Files.exists(root.resolve("out/man1/hoist.adoc.gz")));
  }

  @Test
  void compressedLikeGzip9nWithoutNameOrTime() throws IOException {
    Path page = Files.writeString(root.resolve("hoist.1"), ".TH HOIST 1\n".repeat(100));
    Path first = root.resolve("a/hoist.1.gz");
    Path second = root.resolve("b/hoist.1.gz");

    CompressDocs.gzip(page, first);
    CompressDocs.gzip(page, second);

    byte[] bytes = Files.readAllBytes(first);
    // RFC 1952 header: magic, deflate, no flags (so no name), mtime 0, XFL 2 (maximum), OS 3 (Unix)
    assertArrayEquals(
        new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3}, Arrays.copyOf(bytes, 10));
    assertArrayEquals(bytes, Files.readAllBytes(second), "two runs give the same bytes");
    assertEquals(Files.readString(page), gunzip(first));
  }

  @Test
  void staleOutputIsReplaced() throws IOException {
    Path man = Files.createDirectories(root.resolve("man"));
    Files.writeString(man.resolve("hoist.1"), ".TH HOIST 1\n");
    Path out = root.resolve("out");
    Files.createDirectories(out.resolve("man1"));
    Files.writeString(out.resolve("man1/hoist-removed.1.gz"), "stale");

    CompressDocs.compressManPages(man, out);

    assertFalse(Files.exists(out.resolve("man1/hoist-removed.1.gz")));
    assertTrue(Files.exists(out.resolve("man1/hoist.1.gz")));
  }

  @Test
  void noPagesFails() throws IOException {
    Path man = Files.createDirectories(root.resolve("man"));

    IOException e =
        assertThrows(
            IOException.class, () -> CompressDocs.compressManPages(man, root.resolve("out")));
    assertTrue(e.getMessage().contains(man.toString()), e.getMessage());
  }

  private static String gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
