#!/usr/bin/env bash
# Benchmark: start-up. `java -jar hoist.jar --version` and `--help` (plain, and with
# -XX:TieredStopAtLevel=1 -Xshare:auto) against `clush --version` and `ansible --version`: one
# warm-up each, then --runs rounds with the commands interleaved, each measured by
# bench/measure.py (wall, CPU of the process tree, peak RSS). Every hoist command line maps the
# class-data sharing archive the Debian package makes (bench_cds in lib.sh; --no-cds: without).
# Markdown on stdout; the verdict is the ratio of medians taken in the same rounds. See
# bench/README.md.
#
# Usage: bench/startup.sh [--runs 10] [--jar target/hoist.jar] [--no-cds] [--keep]
set -euo pipefail

runs=10
jar=target/hoist.jar
keep=0
bench_no_cds=0
usage() { sed -n '10p' "$0" | sed 's/^# //'; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --no-cds) bench_no_cds=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
case $runs in ''|*[!0-9]*|0) echo "--runs must be a positive integer" >&2; exit 2 ;; esac

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_need "clustershell ansible-core python3" java python3 clush ansible
[ -f "$jar" ] || { echo "no jar at $jar (mvn -B -q package -DskipTests)" >&2; exit 2; }
jar=$(realpath "$jar")
c1=(-XX:TieredStopAtLevel=1 -Xshare:auto)
work=$(mktemp -d /tmp/hoist-startup.XXXXXX)
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
export HOME="$work/home" XDG_CACHE_HOME="$work/cache" ANSIBLE_LOCAL_TEMP="$work/ansible-local"
mkdir -p "$HOME" "$work/res"
bench_cds "$jar"
jar=$cds_jar # the copy the archive was dumped for
# shellcheck disable=SC2206 # cds_opts is empty or one option
cds=($cds_opts)
shown=""; [ -z "$cds_opts" ] || shown=" -XX:SharedArchiveFile=hoist.jsa"

ids=(hoist-version hoist-help hoist-c1-version hoist-c1-help clush-version ansible-version)
declare -A label=(
  [hoist-version]="\`java$shown -jar hoist.jar --version\`"
  [hoist-help]="\`java$shown -jar hoist.jar --help\`"
  [hoist-c1-version]="\`java ${c1[*]}$shown -jar hoist.jar --version\`"
  [hoist-c1-help]="\`java ${c1[*]}$shown -jar hoist.jar --help\`"
  [clush-version]="\`clush --version\`"
  [ansible-version]="\`ansible --version\`")
declare -A expect=([hoist-version]=hoist [hoist-help]=Usage [hoist-c1-version]=hoist [hoist-c1-help]=Usage
                   [clush-version]=clush [ansible-version]=ansible)
cmd_of() {
  case $1 in
    hoist-version) cmd=(java "${cds[@]}" -jar "$jar" --version) ;;
    hoist-help) cmd=(java "${cds[@]}" -jar "$jar" --help) ;;
    hoist-c1-version) cmd=(java "${c1[@]}" "${cds[@]}" -jar "$jar" --version) ;;
    hoist-c1-help) cmd=(java "${c1[@]}" "${cds[@]}" -jar "$jar" --help) ;;
    clush-version) cmd=(clush --version) ;;
    ansible-version) cmd=(ansible --version) ;;
  esac
}
run_one() { # run_one ID warm|tsv
  local log="$work/$1.log" rc=""
  cmd_of "$1"
  python3 "$bench_dir/measure.py" --out "$work/last" --log "$log" --timeout 120 -- "${cmd[@]}" || true
  read -r rc _ < "$work/last" || rc=none
  if [ "$rc" != 0 ] || ! grep -q "${expect[$1]}" "$log"; then
    echo "FAILED: $1 (exit $rc): $(head -3 "$log")" >&2; exit 1
  fi
  cat "$work/last" >> "$work/res/$1.$2"; : > "$work/last"
}

started=$(date +%s)
echo "== start-up: one warm-up each, then $runs interleaved rounds" >&2
for id in "${ids[@]}"; do run_one "$id" warm; done
for r in $(seq 1 "$runs"); do
  for id in "${ids[@]}"; do run_one "$id" tsv; done
  [ $((r % 5)) -ne 0 ] || echo "   round $r done" >&2
done

med() { bench_median "$work/res/$1.tsv" "$2"; }
fmt() { awk -v v="${1:-}" 'BEGIN { if (v == "") print "–"; else printf "%.3f", v }'; }
cw=$(med clush-version 2); cc=$(med clush-version 3)
echo "## Start-up"
echo
echo "$(date -u +%Y-%m-%dT%H:%MZ); $runs interleaved rounds after one warm-up each; medians; load average at the end" \
  "$(cut -d' ' -f1-3 /proc/loadavg); took $(( $(date +%s) - started )) s. hoist: **$cds_note**."
echo "(\`-Xshare:auto\` is the JVM's default; without \`-XX:SharedArchiveFile\` it maps the JDK's own archive.)"
echo
echo "| command | wall s | CPU s (user+sys) | peak RSS MiB | wall / clush --version | CPU / clush --version |"
echo "|---|---|---|---|---|---|"
for id in "${ids[@]}"; do
  w=$(med "$id" 2); c=$(med "$id" 3); m=$(med "$id" 5)
  echo "| ${label[$id]} | $(fmt "$w") | $(fmt "$c") | $(awk -v v="$m" 'BEGIN { printf "%.0f", v / 1024 }') |" \
    "$(bench_ratio "$w" "$cw") | $(bench_ratio "$c" "$cc") |"
  bench_result "startup.$id.wall" "$w"
  bench_result "startup.$id.cpu" "$c"
done
echo
echo "<details><summary>Raw wall times per run (s)</summary>"
echo
for id in "${ids[@]}"; do echo "* $id: $(cut -d' ' -f2 "$work/res/$id.tsv" | tr '\n' ' ')"; done
echo
echo "</details>"
