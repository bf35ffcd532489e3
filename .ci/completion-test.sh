#!/usr/bin/env bash
# Tests the bash completion script in real bash: sources it, sets COMP_WORDS/COMP_CWORD as bash
# does on TAB, calls the completion function and checks COMPREPLY. Node and role names come from
# a cluster file through `hoist __complete`, so this runs the hoist given as $1 (a jar or a
# launcher such as /usr/bin/hoist) and the script given as $2 (default: completions/hoist.bash).
set -euo pipefail
cd "$(dirname "$0")/.."
hoist=${1:-target/hoist.jar}
script=${2:-completions/hoist.bash}

work=$(mktemp -d /tmp/hoist-completion.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [[ "$hoist" == *.jar ]]; then
  jar=$(cd "$(dirname "$hoist")" && pwd)/$(basename "$hoist")
  printf '#!/bin/sh\nexec java -XX:TieredStopAtLevel=1 -jar %s "$@"\n' "$jar" > "$work/hoist"
  chmod +x "$work/hoist"
  hoist=$work/hoist
fi
cat > "$work/cluster.yaml" <<'YAML'
cluster: shop
release: { repository: "file:/srv/releases", bundle: "shop-${version}.tar.gz" }
layout: { home: /opt/shop }
role_order: [web, zk]
roles:
  web: { max_parallel: 2 }
  zk: { serial: true }
  batch:
nodes:
  - { name: web-1, host: 127.0.0.1, roles: [web] }
  - { name: web-2, host: 127.0.0.1, roles: [web] }
  - { name: zk-1, host: 127.0.0.1, roles: [zk] }
  - { name: db-1, host: 127.0.0.1, roles: [batch] }
YAML

# shellcheck source=/dev/null
source "$script"
# compopt only works while readline runs a completion; here it would fail and stop the script.
compopt() { :; }
fn=$(complete -p hoist | sed -E 's/.*-F ([^ ]+).*/\1/')
checks=0

# expect "WORDS..." "EXPECTED..." (words of the line, the last being completed; space-separated
# replies, in any order)
expect() {
  local line=$1 want=$2
  read -r -a COMP_WORDS <<< "$line"
  [[ "$line" == *" " ]] && COMP_WORDS+=("")
  COMP_WORDS[0]=$hoist
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMP_LINE="hoist ${line#* }"
  COMPREPLY=()
  "$fn" || true
  local got
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sed 's/ *$//' | sort | tr '\n' ' ' | sed 's/ $//')
  want=$(tr ' ' '\n' <<< "$want" | sort | tr '\n' ' ' | sed 's/ $//')
  if [ "$got" != "$want" ]; then
    echo "FAIL: 'hoist ${line#* }<TAB>' gave [$got], expected [$want]" >&2
    exit 1
  fi
  checks=$((checks + 1))
}

c="-c $work/cluster.yaml"
expect "hoist up" "upgrade"
expect "hoist ver" "version"
expect "hoist version pr" "prepare"
expect "hoist -v up" "upgrade"
expect "hoist --output " "text json"
expect "hoist upgrade --mo" "--mode"
expect "hoist upgrade --mode " "rolling one-shot"
expect "hoist upgrade --on-failure " "rollback skip stop"
expect "hoist $c upgrade " "web-1 web-2 zk-1 db-1"
expect "hoist $c upgrade w" "web-1 web-2"
expect "hoist upgrade $c --dry-run z" "zk-1"
expect "hoist $c rollback d" "db-1"
expect "hoist $c inspect " "web-1 web-2 zk-1 db-1"
expect "hoist $c retire web-" "web-1 web-2"
expect "hoist $c upgrade --role-order " "web zk batch"
expect "hoist $c upgrade --role-order web,z" "web,zk"
expect "hoist demo --fail-at db-" "db-1 db-2 db-3"
# A cluster file that cannot be read completes nothing, and prints no error into the line.
expect "hoist -c $work/missing.yaml upgrade " ""
# Without -c, HOIST_CLUSTER names the file, as for every command.
HOIST_CLUSTER=$work/cluster.yaml expect "hoist upgrade zk" "zk-1"
echo "  $checks completions as expected (bash ${BASH_VERSION})"

# zsh runs the same script through bashcompinit; zsh itself then filters the words by the prefix,
# so check that the words offered include the right ones.
zsh_script=${script%.bash}.zsh
[ "$script" = /usr/share/bash-completion/completions/hoist ] && zsh_script=/usr/share/hoist/completions/hoist.zsh
if command -v zsh >/dev/null && [ -f "$zsh_script" ]; then
  zsh_words() { # zsh_words WORDS...: the completion words offered for the last word
    zsh -fc 'autoload -U +X compinit && compinit -u -d "$1/zcompdump"; source "$2"
      compopt() { :; }
      setopt ksharrays
      shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
      COMP_LINE="hoist ${COMP_WORDS[*]:1}"
      _complete_hoist; print -r -- "${COMPREPLY[@]}"' zsh "$work" "$zsh_script" "$@"
  }
  [[ " $(zsh_words "$hoist" up) " == *" upgrade "* ]] || { echo "FAIL: zsh: no 'upgrade'" >&2; exit 1; }
  nodes=" $(zsh_words "$hoist" -c "$work/cluster.yaml" upgrade zk) "
  [[ "$nodes" == *" zk-1 "* && "$nodes" == *" web-2 "* ]] \
    || { echo "FAIL: zsh: nodes were [$nodes]" >&2; exit 1; }
  modes=" $(zsh_words "$hoist" upgrade --mode "") "
  [[ "$modes" == *" one-shot "* ]] || { echo "FAIL: zsh: --mode gave [$modes]" >&2; exit 1; }
  echo "  3 completions as expected ($(zsh --version | cut -d' ' -f1-2), through bashcompinit)"
else
  echo "  zsh is not installed; its completion was not checked"
fi
