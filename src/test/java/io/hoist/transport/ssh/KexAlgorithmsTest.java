package io.hoist.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jcraft.jsch.JSch;
import io.hoist.model.KeyExchange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The key exchange names hoist knows are JSch's, and {@code KexAlgorithms} from the ssh config is
 * read as {@code ssh} reads it, over hoist's default.
 */
class KexAlgorithmsTest {

  private static List<String> defaultWith(List<String> head, List<String> tail) {
    List<String> all = new ArrayList<>(head);
    KeyExchange.DEFAULT.stream()
        .filter(n -> !head.contains(n) && !tail.contains(n))
        .forEach(all::add);
    all.addAll(tail);
    return all;
  }

  private static boolean isKeyExchange(String className) {
    try {
      return com.jcraft.jsch.KeyExchange.class.isAssignableFrom(
          Class.forName(className, false, JSch.class.getClassLoader()));
    } catch (ClassNotFoundException | LinkageError e) {
      return false; // an optional part of JSch (Unix sockets, ...): not a key exchange anyway
    }
  }

  @Test
  void namesHoistKnowsAreExactlyJschsKeyExchanges() {
    Set<String> jsch = new TreeSet<>();
    for (Map.Entry<String, String> entry : JSch.getConfig().entrySet()) {
      if (entry.getValue().startsWith("com.jcraft.jsch.") && isKeyExchange(entry.getValue())) {
        jsch.add(entry.getKey());
      }
    }
    assertEquals(jsch, new TreeSet<>(KeyExchange.SUPPORTED));
    assertEquals(KeyExchange.SUPPORTED.size(), Set.copyOf(KeyExchange.SUPPORTED).size());
  }

  @Test
  void defaultComesFirstInTheSupportedNames() {
    assertEquals(KeyExchange.DEFAULT, KeyExchange.SUPPORTED.subList(0, KeyExchange.DEFAULT.size()));
    assertEquals(
        List.of("mlkem768x25519-sha256", "sntrup761x25519-sha512"),
        KeyExchange.DEFAULT.subList(0, 2));
  }

  @Test
  void listReplacesTheDefault() {
    assertEquals(
        List.of("curve25519-sha256", "ecdh-sha2-nistp256"),
        KexAlgorithms.fromSshConfig(" curve25519-sha256 ,ecdh-sha2-nistp256,curve25519-sha256"));
  }

  @Test
  void plusAppendsToTheDefault() {
    assertEquals(
        defaultWith(List.of(), List.of("curve448-sha512", "diffie-hellman-group14-sha1")),
        KexAlgorithms.fromSshConfig("+curve448-sha512,diffie-hellman-group14-sha1"));
  }

  @Test
  void caretPutsTheListFirst() {
    assertEquals(
        defaultWith(List.of("curve25519-sha256", "curve448-sha512"), List.of()),
        KexAlgorithms.fromSshConfig("^curve25519-sha256,curve448-sha512"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          -mlkem768x25519-sha256                 | sntrup761x25519-sha512
          -mlkem*,sntrup*                        | curve25519-sha256
          -*25519*                               | ecdh-sha2-nistp256
          -mlkem768x25519-sha25?,sntrup761x25519-sha512 | sntrup761x25519-sha512@openssh.com
          """)
  void minusRemovesMatchingNamesFromTheDefault(String value, String first) {
    List<String> result = KexAlgorithms.fromSshConfig(value);
    assertEquals(first, result.get(0));
    assertTrue(KeyExchange.DEFAULT.containsAll(result), result.toString());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          curve25519-sha265                | hoist does not know the key exchange algorithm 'curve25519-sha265'
          +curve25519-sha256,x             | hoist does not know the key exchange algorithm 'x'
          -*                               | no key exchange algorithm is left
          ','                              | no key exchange algorithm is left
          """)
  void unknownNamesAndNothingLeftAreRefused(String value, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> KexAlgorithms.fromSshConfig(value));
    assertEquals(message, e.getMessage());
  }
}
