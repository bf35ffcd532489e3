package io.hoist.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The bash (and zsh, through bashcompinit) completion script: picocli's, completed where picocli
 * cannot know the words. An argument labelled {@code NODE}, {@code ROLE} or {@code RUN} completes
 * the cluster file's node names, role names or the recorded run ids (asked of {@code hoist
 * __complete}, with the {@code -c} given on the command line); {@code -c} completes file names; and
 * {@code -v}, which picocli takes for an option with a value (it may be repeated), is a flag.
 */
final class Completions {

  /** Asks hoist itself, so the words come from the same loader that runs the upgrade. */
  static final String WORDS_FUNCTION =
      """

      # _hoist_words KIND prints the cluster's node names, role names (KIND nodes, roles) or the
      # recorded run ids (runs), read by `hoist __complete` from the cluster file named on the
      # command line with -c (else $HOIST_CLUSTER, ./cluster.yaml, /etc/hoist/cluster.yaml).
      function _hoist_words() {
        local file="" i word
        for ((i = 1; i < COMP_CWORD; i++)); do
          word=${COMP_WORDS[i]}
          case ${word} in
            -c|--cluster-file) file=${COMP_WORDS[i+1]} ;;
            --cluster-file=*|-c=*) file=${word#*=} ;;
          esac
        done
        file=${file/#\\~/$HOME}
        if [ -n "${file}" ]; then
          "${COMP_WORDS[0]}" __complete "$1" --cluster-file "${file}" 2>/dev/null
        else
          "${COMP_WORDS[0]}" __complete "$1" 2>/dev/null
        fi
      }

      # _hoist_list_words KIND completes a comma-separated list (--role-order a,b,c).
      function _hoist_list_words() {
        local curr_word=${COMP_WORDS[COMP_CWORD]}
        local prefix="" IFS=$'\\n'
        [[ "${curr_word}" == *,* ]] && prefix="${curr_word%,*},"
        COMPREPLY=( $(compgen -P "${prefix}" -W "$(_hoist_words "$1")" -- "${curr_word##*,}") )
        type compopt &>/dev/null && compopt -o nospace
        return 0
      }
      """;

  private static final Pattern FUNCTION =
      Pattern.compile("(?s)function (_picocli_[a-z_]+)\\(\\) \\{\\n.*?\\n}\\n");

  private Completions() {}

  static String bash(CommandLine commandLine) {
    String script = AutoComplete.bash("hoist", commandLine);
    List<CommandSpec> specs = new ArrayList<>();
    collect(commandLine, specs);
    StringBuilder out = new StringBuilder();
    Matcher function = FUNCTION.matcher(script);
    int at = 0;
    while (function.find()) {
      out.append(script, at, function.start());
      out.append(complete(function.group(), spec(specs, function.group(1))));
      at = function.end();
    }
    out.append(script.substring(at));
    String result = out.toString();
    int entry = result.indexOf("\n# Bash completion entry point function.");
    if (entry < 0) {
      throw new IllegalStateException("picocli's script changed: no entry point comment");
    }
    return result.substring(0, entry) + WORDS_FUNCTION + result.substring(entry);
  }

  private static void collect(CommandLine commandLine, List<CommandSpec> specs) {
    if (commandLine.getCommandSpec().usageMessage().hidden()) {
      return;
    }
    specs.add(commandLine.getCommandSpec());
    commandLine.getSubcommands().values().forEach(sub -> collect(sub, specs));
  }

  private static CommandSpec spec(List<CommandSpec> specs, String functionName) {
    for (CommandSpec spec : specs) {
      if (("_picocli_" + spec.qualifiedName("_")).equals(functionName)) {
        return spec;
      }
    }
    throw new IllegalStateException("no command for completion function " + functionName);
  }

  private static String complete(String function, CommandSpec spec) {
    String result = function;
    for (PositionalParamSpec positional : spec.positionalParameters()) {
      String kind = kind(positional);
      if (kind != null) {
        result =
            replaceOnce(
                result,
                "    local positionals=\"\"\n",
                "    local positionals=$(_hoist_words " + kind + ")\n");
      }
    }
    for (OptionSpec option : spec.options()) {
      String kind = kind(option);
      String names = caseLabel(option);
      if (option.names()[0].equals("-c")) {
        result =
            replaceOnce(
                result,
                "    " + names + ")\n      return\n",
                "    "
                    + names
                    + ")\n"
                    + "      local IFS=$'\\n'\n"
                    + "      type compopt &>/dev/null && compopt -o filenames\n"
                    + "      COMPREPLY=( $( compgen -f -- \"${curr_word}\" ) ) # files\n"
                    + "      return $?\n");
      } else if (option.names()[0].equals("-v")) {
        result =
            replaceOnce(result, "    '-v'|'--verbose')\n      return\n      ;;\n", "")
                .replace(" '-v' '--verbose'", "")
                .replace("local flag_opts=\"", "local flag_opts=\"'-v' '--verbose' ");
      } else if (kind != null && option.completionCandidates() == null) {
        String words =
            option.splitRegex().isEmpty()
                ? "      local IFS=$'\\n'\n"
                    + "      COMPREPLY=( $(compgen -W \"$(_hoist_words "
                    + kind
                    + ")\" -- \"${curr_word}\") )\n"
                    + "      return 0\n"
                : "      _hoist_list_words " + kind + "\n      return 0\n";
        result =
            replaceOnce(
                result, "    " + names + ")\n      return\n", "    " + names + ")\n" + words);
      }
    }
    return result;
  }

  /** The completion kind of an argument, from its label; null for none. */
  private static String kind(ArgSpec arg) {
    return switch (arg.paramLabel()) {
      case "NODE" -> "nodes";
      case "ROLE" -> "roles";
      case "RUN" -> "runs";
      default -> null;
    };
  }

  private static String caseLabel(OptionSpec option) {
    List<String> quoted = new ArrayList<>();
    for (String name : option.names()) {
      quoted.add("'" + name + "'");
    }
    return String.join("|", quoted);
  }

  private static String replaceOnce(String text, String target, String replacement) {
    int at = text.indexOf(target);
    if (at < 0) {
      throw new IllegalStateException("picocli's script changed: no '" + target.strip() + "'");
    }
    return text.substring(0, at) + replacement + text.substring(at + target.length());
  }
}
