package io.hoist.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Generates the man page sources (AsciiDoc, one page per command) and the shell completion script
 * from the picocli model. Run by the build (exec-maven-plugin, process-test-classes); Asciidoctor
 * then renders the pages to troff. Failures fail the build.
 */
public final class GenerateDocs {

  private GenerateDocs() {}

  /** {@code GenerateDocs ADOC_DIR COMPLETIONS_DIR}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: GenerateDocs ADOC_DIR COMPLETIONS_DIR");
    }
    CommandLine commandLine = Cli.commandLine(fixedEnvironment());
    // The pages name the version, not the commit: they must not change with every commit.
    String version = "hoist " + VersionProvider.buildProperties().getProperty("version");
    commandLine.getCommandSpec().versionProvider(() -> new String[] {version});
    writeManPages(commandLine, Files.createDirectories(Path.of(args[0])));
    writeCompletions(commandLine, Files.createDirectories(Path.of(args[1])));
  }

  /** Documentation must not depend on who builds it. */
  static Environment fixedEnvironment() {
    return new Environment(Map.of(), Path.of("/"), Path.of("/home/admin"), false, false);
  }

  static void writeManPages(CommandLine commandLine, Path dir) throws IOException {
    CommandSpec spec = commandLine.getCommandSpec();
    StringWriter page = new StringWriter();
    try (PrintWriter writer = new PrintWriter(page)) {
      ManPageGenerator.writeSingleManPage(writer, spec);
    }
    String name = spec.qualifiedName("-");
    Files.writeString(dir.resolve(name + ".adoc"), page.toString(), StandardCharsets.UTF_8);
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      if (!sub.getCommandSpec().usageMessage().hidden()) {
        writeManPages(sub, dir);
      }
    }
  }

  static void writeCompletions(CommandLine commandLine, Path dir) throws IOException {
    String script = AutoComplete.bash("hoist", commandLine);
    Files.writeString(dir.resolve("hoist.bash"), script, StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("hoist.zsh"),
        "# zsh: source this file from ~/.zshrc (it enables bash completion emulation).\n" + script,
        StandardCharsets.UTF_8);
  }
}
