package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KnownHostsTest {

  private static final byte[] K1 = blob("ssh-ed25519", 1);
  private static final byte[] K2 = blob("ssh-ed25519", 2);
  private static final byte[] RSA = blob("rsa-sha2-512", 3);

  /** A fake key blob: the type as an SSH string, then some bytes. */
  private static byte[] blob(String type, int seed) {
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    byte[] blob = new byte[4 + name.length + 32];
    blob[3] = (byte) name.length;
    System.arraycopy(name, 0, blob, 4, name.length);
    for (int i = 0; i < 32; i++) {
      blob[4 + name.length + i] = (byte) (seed * 31 + i);
    }
    return blob;
  }

  private static String line(String hosts, byte[] key) {
    return hosts + " " + KnownHostsRepository.keyType(key) + " " + encode(key);
  }

  private static String encode(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static String hashed(String name, int seed) throws Exception {
    byte[] salt = new byte[20];
    new Random(seed).nextBytes(salt);
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(salt, "HmacSHA1"));
    byte[] hash = mac.doFinal(name.getBytes(StandardCharsets.UTF_8));
    return "|1|" + encode(salt) + "|" + encode(hash);
  }

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "example.com | example.com | true",
        "EXAMPLE.com | example.com | true",
        "example.com | example.org | false",
        "a.com,example.com | example.com | true",
        "*.example.com | db.example.com | true",
        "*.example.com | example.com | false",
        "db?.example.com | db1.example.com | true",
        "db?.example.com | db12.example.com | false",
        "* | anything | true",
        "*,!bad.example.com | bad.example.com | false",
        "!bad.example.com,* | bad.example.com | false",
        "*,!bad.example.com | good.example.com | true",
        "!bad.example.com | good.example.com | false",
        "[127.0.0.?]:2222 | [127.0.0.1]:2222 | true",
        "[127.0.0.?]:2222 | [127.0.0.1]:2223 | false",
        "127.0.0.1 | [127.0.0.1]:2222 | false",
        "[127.0.0.1]:2222 | 127.0.0.1 | false",
        "[127.0.0.1]:22 | 127.0.0.1 | false",
        "[*]:2222 | [10.0.0.1]:2222 | true",
        "a*b*c | aXXbYYc | true",
        "a*b*c | aXXbYY | false",
      })
  void hostPatternsMatchLikeOpenSsh(String hosts, String name, boolean expected) {
    assertEquals(expected, KnownHosts.matchesHosts(hosts, name));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "known key | OK",
        "other key for the name | CHANGED",
        "other key type for the name | CHANGED",
        "nothing for the name | UNKNOWN",
        "only port 22 knows it | UNKNOWN",
        "pattern with another key | CHANGED",
        "pattern with the key | OK",
        "negated pattern | UNKNOWN",
        "revoked by pattern | REVOKED",
        "revoked and also listed | REVOKED",
        "revoked other key | OK",
        "cert authority only | UNKNOWN",
        "hashed with the key | OK",
        "hashed with another key | CHANGED",
        "hashed port 22 name | UNKNOWN",
        "upper-case entry | OK",
        "comments, blanks and junk | OK",
      })
  void lookupsDecideLikeOpenSsh(String scenario, KnownHosts.Status expected) throws Exception {
    String name = "[127.0.0.1]:2222";
    List<String> lines =
        switch (scenario) {
          case "known key" -> List.of(line(name, K1));
          case "other key for the name" -> List.of(line(name, K2));
          case "other key type for the name" -> List.of(line(name, RSA));
          case "nothing for the name" -> List.of(line("[127.0.0.1]:2223", K2));
          case "only port 22 knows it" -> List.of(line("127.0.0.1", K1));
          case "pattern with another key" -> List.of(line("[127.0.0.?]:2222", K2));
          case "pattern with the key" -> List.of(line("other,[127.0.0.*]:2222", K1));
          case "negated pattern" -> List.of(line("[127.0.0.*]:2222,!" + name, K2));
          case "revoked by pattern" -> List.of("@revoked * " + line("", K1).strip());
          case "revoked and also listed" ->
              List.of(line(name, K1), "@revoked [127.0.0.?]:* " + line("", K1).strip());
          case "revoked other key" -> List.of(line(name, K1), "@revoked * " + line("", K2).strip());
          case "cert authority only" -> List.of("@cert-authority * " + line("", K2).strip());
          case "hashed with the key" -> List.of(line(hashed(name, 1), K1));
          case "hashed with another key" -> List.of(line(hashed(name, 2), K2));
          case "hashed port 22 name" -> List.of(line(hashed("127.0.0.1", 3), K2));
          case "upper-case entry" -> List.of(line("[LOCALHOST]:2222,[127.0.0.1]:2222", K1));
          case "comments, blanks and junk" ->
              List.of(
                  "# a comment " + name,
                  "",
                  "   ",
                  name + " ssh-ed25519 not-base64!",
                  name,
                  "@unknown-marker " + line(name, K2),
                  "  " + line(name, K1) + " a comment");
          default -> throw new IllegalArgumentException(scenario);
        };
    assertEquals(expected, KnownHosts.parse(lines).check(name, K1).status(), lines::toString);
  }

  @ParameterizedTest
  @CsvSource({"example.com, 22, example.com", "Example.COM, 2222, [example.com]:2222"})
  void lookupNamesCarryThePortUnless22(String host, int port, String expected) {
    assertEquals(expected, KnownHosts.name(host, port));
  }

  @Test
  void changedReportsEveryOtherKnownKeyWithItsLine() {
    List<String> lines =
        List.of("# header", line("h", K2), line("*", RSA), line("h,!h", K2), line("g", K2));
    KnownHosts.Verdict verdict = KnownHosts.parse(lines).check("h", K1);
    assertEquals(KnownHosts.Status.CHANGED, verdict.status());
    assertEquals(List.of(2, 3), verdict.entries().stream().map(KnownHosts.Entry::line).toList());
  }

  @Test
  void fieldsAreSeparatedByAnyRunOfBlanks() {
    String spaced = "h \t  " + KnownHostsRepository.keyType(K1) + "\t" + encode(K1) + "   comment";
    assertEquals(KnownHosts.Status.OK, KnownHosts.parse(List.of(spaced)).check("h", K1).status());
    assertEquals(
        KnownHosts.Status.REVOKED,
        KnownHosts.parse(List.of("@revoked\t " + line("h", K1))).check("h", K1).status());
  }

  /** {@code path} holding {@code line}, newline-terminated. */
  private static Path write(Path path, String line) throws IOException {
    Files.writeString(path, line + "\n");
    return path;
  }

  /** What the file, as it is now, says about {@code key} for {@code host}. */
  private static KnownHosts.Status lookup(Path file, String host, byte[] key) throws IOException {
    return KnownHosts.current(file).check(host, key).status();
  }

  @Test
  void anUnchangedFileIsParsedOnce(@TempDir Path dir) throws Exception {
    Path file = write(dir.resolve("known_hosts"), line("h", K1));
    KnownHosts first = KnownHosts.current(file);
    assertSame(first, KnownHosts.current(file));
    assertSame(first, KnownHosts.current(dir.resolve(".").resolve("known_hosts")));
    assertEquals(KnownHosts.Status.OK, first.check("h", K1).status());
  }

  @Test
  void anAppendedKeyIsSeenAtTheNextLookup(@TempDir Path dir) throws Exception {
    Path file = write(dir.resolve("known_hosts"), line("h", K1));
    assertEquals(KnownHosts.Status.UNKNOWN, lookup(file, "g", K2));
    Files.writeString(file, line("g", K2) + "\n", StandardOpenOption.APPEND);
    assertEquals(KnownHosts.Status.OK, lookup(file, "g", K2));
  }

  @Test
  void aKeyChangedInPlaceWithItsTimeSetBackIsSeen(@TempDir Path dir) throws Exception {
    // Same size, same modification time: only the change time (or the inode) tells.
    Path file = write(dir.resolve("known_hosts"), line("h", K1));
    FileTime modified = Files.getLastModifiedTime(file);
    KnownHosts before = KnownHosts.current(file);
    assertEquals(KnownHosts.Status.OK, before.check("h", K1).status());
    Thread.sleep(20);
    Files.writeString(file, line("h", K2) + "\n");
    Files.setLastModifiedTime(file, modified);
    assertEquals(Files.size(file), (line("h", K1) + "\n").length());
    KnownHosts after = KnownHosts.current(file);
    assertNotSame(before, after);
    assertEquals(KnownHosts.Status.CHANGED, after.check("h", K1).status());
  }

  @Test
  void aFileReplacedByRenameIsSeen(@TempDir Path dir) throws Exception {
    // What ssh-keygen -R does: a new file renamed over the old one.
    Path file = write(dir.resolve("known_hosts"), line("h", K1));
    assertEquals(KnownHosts.Status.OK, lookup(file, "h", K1));
    Path fresh = write(dir.resolve("known_hosts.new"), line("h", K2));
    Files.setLastModifiedTime(fresh, Files.getLastModifiedTime(file));
    Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    assertEquals(KnownHosts.Status.CHANGED, lookup(file, "h", K1));
  }

  @Test
  void aRemovedFileKnowsNothing(@TempDir Path dir) throws Exception {
    Path file = write(dir.resolve("known_hosts"), line("h", K1));
    assertEquals(KnownHosts.Status.OK, lookup(file, "h", K1));
    Files.delete(file);
    assertEquals(KnownHosts.Status.UNKNOWN, lookup(file, "h", K1));
  }
}
