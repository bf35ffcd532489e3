package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.transport.SecretVariables;
import io.hoist.transport.ssh.SshContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A password or secret never travels in argv (where {@code ps} and shell history show it): no
 * option or parameter of any command takes one; the SSH password comes from {@code
 * HOIST_SSH_PASSWORD} only, and cluster secrets from environment variables the cluster file names.
 */
class SecretOptionsTest {

  private static final Pattern SECRET_WORD =
      Pattern.compile("pass|secret|token|credential", Pattern.CASE_INSENSITIVE);

  @Test
  void noOptionOrParameterOfAnyCommandTakesAPasswordASecretOrAToken() {
    CommandLine root =
        Cli.commandLine(new Environment(Map.of(), Path.of("."), Path.of("."), false, false));
    List<String> offending = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    visit(root.getCommandSpec(), offending, seen);

    assertEquals(List.of(), offending);
    // The walk reached the commands that log in to nodes.
    assertTrue(seen.contains("hoist upgrade --accept-new-host-keys"), seen.toString());
    assertTrue(seen.contains("hoist inspect --accept-new-host-keys"), seen.toString());
  }

  private static void visit(CommandSpec spec, List<String> offending, List<String> seen) {
    for (OptionSpec option : spec.options()) {
      for (String name : option.names()) {
        seen.add(spec.qualifiedName() + " " + name);
        if (SECRET_WORD.matcher(name).find() || SECRET_WORD.matcher(option.paramLabel()).find()) {
          offending.add(spec.qualifiedName() + " " + name + " " + option.paramLabel());
        }
      }
    }
    for (PositionalParamSpec parameter : spec.positionalParameters()) {
      if (SECRET_WORD.matcher(parameter.paramLabel()).find()) {
        offending.add(spec.qualifiedName() + " " + parameter.paramLabel());
      }
    }
    spec.subcommands().values().forEach(sub -> visit(sub.getCommandSpec(), offending, seen));
  }

  @Test
  void theSshPasswordComesOnlyFromItsVariableWhichNoCommandRunByHoistSees() {
    assertEquals("HOIST_SSH_PASSWORD", SshContext.PASSWORD_VARIABLE);
    assertEquals(Set.of("HOIST_SSH_PASSWORD"), SecretVariables.ALL);
    assertEquals(
        Map.of("PATH", "/bin"),
        SecretVariables.without(Map.of("PATH", "/bin", "HOIST_SSH_PASSWORD", "pw")));
  }
}
