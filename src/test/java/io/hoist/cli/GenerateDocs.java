package io.hoist.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Generates the man page sources (AsciiDoc, one page per command, plus {@code
 * hoist-cluster.yaml(5)}) and the shell completion scripts from the picocli model. Run by the build
 * (exec-maven-plugin, process-test-classes); Asciidoctor then renders the pages to troff. Failures
 * fail the build.
 *
 * <p>A page is picocli's generated sections put into a hand-written template from {@code
 * src/docs/man/NAME.adoc} when there is one (lines {@code include::generated[tag=SECTION]} take the
 * generated section), else into {@link #DEFAULT_TEMPLATE}. The cluster-file page takes its
 * reference from the README's "The cluster file" chapter ({@code include::readme[]}), so the two
 * cannot drift.
 */
public final class GenerateDocs {

  static final String CLUSTER_PAGE = "hoist-cluster.yaml";

  /** Every generated section, then a pointer to the main page and the cluster file. */
  static final String DEFAULT_TEMPLATE =
      """
      include::generated[tag=picocli-generated-man-section-header]
      include::generated[tag=picocli-generated-man-section-name]
      include::generated[tag=picocli-generated-man-section-synopsis]
      include::generated[tag=picocli-generated-man-section-description]
      include::generated[tag=picocli-generated-man-section-options]
      include::generated[tag=picocli-generated-man-section-arguments]
      include::generated[tag=picocli-generated-man-section-commands]
      include::generated[tag=picocli-generated-man-section-exit-status]
      include::generated[tag=picocli-generated-man-section-footer]
      == See Also

      *hoist*(1), *hoist-cluster.yaml*(5); FILES and ENVIRONMENT in *hoist*(1).
      """;

  private static final Pattern INCLUDE = Pattern.compile("include::generated\\[tag=([a-z-]+)]");
  private static final Pattern TAG =
      Pattern.compile("(?s)// tag::([a-z-]+)\\[]\\n(.*?)// end::\\1\\[]\\n");

  private GenerateDocs() {}

  /** {@code GenerateDocs ADOC_DIR COMPLETIONS_DIR TEMPLATE_DIR README}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      throw new IllegalArgumentException(
          "usage: GenerateDocs ADOC_DIR COMPLETIONS_DIR TEMPLATE_DIR README");
    }
    CommandLine commandLine = Cli.commandLine(fixedEnvironment());
    // The pages name the version, not the commit: they must not change with every commit.
    String version = "hoist " + BuildInfo.properties().getProperty("version");
    commandLine.getCommandSpec().versionProvider(() -> new String[] {version});
    Path adoc = Files.createDirectories(Path.of(args[0]));
    Path templates = Path.of(args[2]);
    writeManPages(commandLine, adoc, templates);
    writeClusterPage(adoc, templates, Path.of(args[3]), version);
    writeCompletions(commandLine, Files.createDirectories(Path.of(args[1])));
  }

  /** Documentation must not depend on who builds it. */
  static Environment fixedEnvironment() {
    return new Environment(Map.of(), Path.of("/"), Path.of("/home/admin"), false, false);
  }

  static void writeManPages(CommandLine commandLine, Path dir, Path templates) throws IOException {
    CommandSpec spec = commandLine.getCommandSpec();
    StringWriter page = new StringWriter();
    try (PrintWriter writer = new PrintWriter(page)) {
      ManPageGenerator.writeSingleManPage(writer, spec);
    }
    String name = spec.qualifiedName("-");
    Path template = templates.resolve(name + ".adoc");
    String text =
        Files.exists(template) ? Files.readString(template, StandardCharsets.UTF_8) : null;
    Files.writeString(
        dir.resolve(name + ".adoc"),
        assemble(page.toString(), text != null ? text : DEFAULT_TEMPLATE),
        StandardCharsets.UTF_8);
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      if (!sub.getCommandSpec().usageMessage().hidden()) {
        writeManPages(sub, dir, templates);
      }
    }
  }

  /** Puts picocli's sections into the template, with man-page headings. */
  static String assemble(String generated, String template) {
    Map<String, String> sections = new LinkedHashMap<>();
    Matcher tag = TAG.matcher(generated);
    int from = 0;
    // Tags nest (the full page holds every section): look for the next one inside the last.
    while (tag.find(from)) {
      sections.put(tag.group(1), manHeadings(tag.group(2)));
      from = tag.start(2);
    }
    StringBuilder page = new StringBuilder();
    for (String line : template.split("\n", -1)) {
      Matcher include = INCLUDE.matcher(line);
      if (include.matches()) {
        String section = sections.get(include.group(1));
        if (section == null) {
          throw new IllegalStateException("picocli generated no section " + include.group(1));
        }
        page.append(section);
      } else {
        page.append(line).append('\n');
      }
    }
    return page.toString().stripTrailing() + "\n";
  }

  /** {@code EXIT STATUS} and {@code EXAMPLES}, as man pages name them; links as man references. */
  private static String manHeadings(String section) {
    return section
        .replace("==  Exit Codes:", "== Exit Status")
        .replace("==  Examples:", "== Examples")
        .replaceAll("xref:(hoist[a-z-]*)\\.adoc\\[\\*([a-z-]+)\\*]", "*$2*, see *$1*(1)");
  }

  static void writeClusterPage(Path dir, Path templates, Path readme, String version)
      throws IOException {
    String template =
        Files.readString(templates.resolve(CLUSTER_PAGE + ".adoc"), StandardCharsets.UTF_8)
            .replace("{hoist-version}", version);
    String chapter = MarkdownToAsciiDoc.chapter(Files.readString(readme), "The cluster file");
    String page = template.replace("include::readme[]", MarkdownToAsciiDoc.convert(chapter));
    Files.writeString(dir.resolve(CLUSTER_PAGE + ".adoc"), page, StandardCharsets.UTF_8);
  }

  static void writeCompletions(CommandLine commandLine, Path dir) throws IOException {
    String script = Completions.bash(commandLine);
    Files.writeString(dir.resolve("hoist.bash"), script, StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("hoist.zsh"),
        "# zsh: source this file from ~/.zshrc (it enables bash completion emulation).\n" + script,
        StandardCharsets.UTF_8);
  }
}
