package io.hoist.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "3.6.1 | 3.6.1",
        "/opt/acme | /opt/acme",
        "a b | 'a b'",
        "it's | 'it'\\''s'",
        "$(reboot) | '$(reboot)'",
        "; rm -rf / | '; rm -rf /'",
        "x`y` | 'x`y`'"
      })
  void valuesAreShellQuoted(String value, String quoted) {
    assertEquals(quoted, ShellQuote.quote(value));
  }

  @Test
  void emptyValueIsAnEmptyWord() {
    assertEquals("''", ShellQuote.quote(""));
  }

  @Test
  void referencesAreReplacedQuotedAndLiteralsKept() {
    ShellCommand command =
        Template.parse("cd ${home} && echo $HOME $${NODE} ${node}")
            .render(Map.of("home", Value.plain("/opt/my app"), "node", Value.plain("dea-1")));
    assertEquals("cd '/opt/my app' && echo $HOME ${NODE} dea-1", command.script());
    assertEquals(command.script(), command.display());
  }

  @Test
  void secretsAreMaskedInTheDisplayOnly() {
    ShellCommand command =
        Template.parse("login --password ${secret.DB_PASS} ${node}")
            .render(Map.of("secret.DB_PASS", Value.secret("hunter 2"), "node", Value.plain("n1")));
    assertEquals("login --password 'hunter 2' n1", command.script());
    assertEquals("login --password '***' n1", command.display());
    assertEquals("login --password '***' n1", command.toString());
  }

  @Test
  void unknownNamesAreFoundWithTheirOffset() {
    Template template = Template.parse("echo ${node} ${verison}");
    assertEquals(13, template.firstUnknown(Set.of("node", "version"), Set.of()));
    assertEquals(-1, Template.parse("echo ${secret.A}").firstUnknown(Set.of(), Set.of("A")));
    assertEquals(5, Template.parse("echo ${secret.B}").firstUnknown(Set.of(), Set.of("A")));
  }

  @Test
  void unclosedReferenceReportsItsOffset() {
    TemplateException e =
        assertThrows(TemplateException.class, () -> Template.parse("echo ${node"));
    assertEquals(5, e.offset());
  }

  @Test
  void invalidNameSuggestsTheShellEscape() {
    TemplateException e =
        assertThrows(TemplateException.class, () -> Template.parse("echo ${PATH}"));
    assertEquals(5, e.offset());
    assertEquals(true, e.getMessage().contains("$${PATH}"));
  }

  @Test
  void bindingFixesOneNameAndKeepsTheRest() {
    Template bound =
        Template.parse("drain ${role} --node ${node} $${KEEP} $$x").bind("role", "dea");
    assertEquals("drain dea --node ${node} $${KEEP} $$x", bound.source());
    assertEquals(Set.of("node"), bound.variables());
    assertEquals(
        "drain dea --node n1 ${KEEP} $$x",
        bound.render(Map.of("node", Value.plain("n1"))).script());
    assertEquals(bound.source(), Template.parse(bound.source()).source());
  }

  @Test
  void aReferenceWithoutValueIsRefusedNotLeftRaw() {
    assertThrows(TemplateException.class, () -> Template.parse("echo ${version}").render(Map.of()));
  }

  static Stream<Arguments> quotedReferences() {
    return Stream.of(
        arguments("cat ${home}/VERSION", -1),
        arguments("test -d ${home} && echo \"ok\" ${node}", -1),
        arguments("printf '%s\\n' ${node}", -1),
        arguments("echo \"$(cat ${home}/VERSION)\"", -1),
        arguments("x=$( (cd ${home}) ); echo \"$x\" ${node}", -1),
        arguments("echo \\\" ${node}", -1),
        arguments("echo $${HOME} \"$${PATH}\" ${node}", -1),
        arguments("echo \"${home}\"", 6),
        arguments("echo \"at ${home}/bin\"", 9),
        arguments("echo '${node}'", 6),
        arguments("echo $'x ${node}'", 9),
        arguments("echo `cat ${home}/VERSION`", 10),
        arguments("echo \"$(echo \"${home}\")\"", 14),
        arguments("echo \"$(true)\" \"${node}\"", 16),
        arguments("echo \"it's\" '${node}'", 13));
  }

  @ParameterizedTest
  @MethodSource("quotedReferences")
  void referencesInsideShellQuotesAreFound(String source, int offset) {
    assertEquals(offset, Template.parse(source).firstQuotedReference(), source);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "; rm -rf /tmp/x",
        "$(touch /tmp/pwned)",
        "`touch /tmp/pwned`",
        "a\nb",
        "'",
        "\"",
        "\\",
        "$HOME",
        "--help",
        "-rf",
        "a b  c",
        "*",
        "x\u202ey"
      })
  void aValueIsOneLiteralWordForBash(String value) throws Exception {
    String script =
        Template.parse("f() { printf '%s|' \"$#\"; printf '%s' \"$1\"; }; f ${v}")
            .render(Map.of("v", Value.plain(value)))
            .script();
    Process bash = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
    assertEquals("1|" + value, out);
  }
}
