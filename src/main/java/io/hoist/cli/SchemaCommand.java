package io.hoist.cli;

import io.hoist.config.ClusterSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hoist schema}: the JSON Schema of the cluster file, for editors. */
@Command(
    name = "schema",
    mixinStandardHelpOptions = true,
    header = "Print the JSON Schema of the cluster file, for editors.",
    description = {
      "Prints the JSON Schema (draft 2020-12) of the cluster file to stdout, exactly as hoist"
          + " carries it: it is JSON, so --output json prints the same. Editors with a YAML"
          + " language server (the YAML extension of VS Code, Neovim's yamlls, Helix) use it to"
          + " complete keys, show each key's description and flag mistakes while cluster.yaml is"
          + " typed. Save it once, then point the editor at the file: a first line"
          + " '# yaml-language-server: $schema=PATH' in cluster.yaml, or the editor's"
          + " yaml.schemas setting (see the README).",
      "",
      "The schema says what it cannot check (duplicate node names, undeclared roles, version"
          + " ranges...): 'hoist inspect' reads the file as hoist will. Reads no cluster file."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  mkdir -p ~/.config/hoist && hoist schema > ~/.config/hoist/cluster.schema.json",
      "  hoist schema | jq '.properties | keys'"
    })
final class SchemaCommand implements Callable<Integer> {

  @ParentCommand HoistCommand parent;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Console.of(spec, parent.global).document(ClusterSchema.text());
    return ExitCode.OK.code();
  }
}
