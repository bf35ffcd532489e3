#!/usr/bin/env bash
# The whole benchmark suite of issue 7: fanout.sh, startup.sh, prepare.sh (50 MB to 20 nodes
# against parallel-scp), overhead.sh and scale.sh (when present), then ONE Markdown report with the
# machine, the versions, every table and the TARGETS table (each target of the issue, the measured
# ratio, pass or fail). Writes bench/results/REPORT-<date>.md and bench/results/latest.md and exits
# 1 when a target is missed (--no-fail: report only).
# --smoke: the short version for .ci/run (fan-out on 10 nodes, 3 rounds, without ansible's
# command module; start-up, 3 rounds; no prepare, overhead or scale): prints the report, writes
# nothing under bench/results unless --out is given, and never fails on a missed target (only
# when a benchmark itself breaks).
#
# Usage: bench/run.sh [--smoke] [--no-fail] [--nodes "10 50 100 200"] [--runs 5]
#                     [--startup-runs 10] [--skip "prepare overhead scale"] [--tools "..."]
#                     [--jar target/hoist.jar] [--no-cds] [--out FILE]
# --tools: the fan-out's tools (bench/fanout.sh --tools); --skip: benchmarks left out; --no-cds:
# hoist without the class-data sharing archive the Debian package makes (passed on to each script).
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
no_fail=0
nodes="10 50 100 200"
runs=5
startup_runs=10
skip=""
jar=target/hoist.jar
out=""
fanout_extra=()
cds_extra=()
usage() { sed -n '12,16p' "$0" | sed 's/^# //'; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) smoke=1; shift ;;
    --no-fail) no_fail=1; shift ;;
    --nodes) nodes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --startup-runs) startup_runs=$2; shift 2 ;;
    --skip) skip=$2; shift 2 ;;
    --tools) fanout_extra+=(--tools "$2"); shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --no-cds) cds_extra=(--no-cds); shift ;;
    --out) out=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
if [ "$smoke" = 1 ]; then
  nodes=10; runs=3; startup_runs=3; skip="prepare overhead scale"; no_fail=1
  fanout_extra=(--tools "hoist pssh clush ansible-raw" --floor-runs 3)
fi
[ -f "$jar" ] || { echo "no jar at $jar (mvn -B -q package -DskipTests)" >&2; exit 2; }
jar=$(realpath "$jar")
skipped() { [[ " $skip " == *" $1 "* ]]; }

tmp=$(mktemp -d /tmp/hoist-bench-run.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export BENCH_RESULTS="$tmp/results"
: > "$BENCH_RESULTS"
stamp=$(date -u +%Y-%m-%dT%H%MZ)
started=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
broken=()
hoist_commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD -- src pom.xml 2>/dev/null || hoist_commit+=" (with uncommitted changes)"

# section NAME TITLE FENCE -- COMMAND...: runs one benchmark, its stdout into the report (in a code
# block when FENCE is 1), its stderr (progress) to ours.
section() {
  local name=$1 title=$2 fence=$3 rc=0; shift 4
  echo "== $title: $*" >&2
  "$@" > "$tmp/$name.md" || rc=$?
  {
    if [ "$fence" = 1 ]; then echo "## $title"; echo; echo '```'; cat "$tmp/$name.md"; echo '```'
    else cat "$tmp/$name.md"; fi
    if [ "$rc" != 0 ]; then echo; echo "**$name failed (exit $rc); its numbers are missing.**"; fi
    echo
  } >> "$tmp/body.md"
  [ "$rc" = 0 ] || broken+=("$name (exit $rc)")
}

: > "$tmp/body.md"
section fanout "Fan-out" 0 -- bench/fanout.sh --nodes "$nodes" --runs "$runs" --jar "$jar" "${fanout_extra[@]}" "${cds_extra[@]}"
section startup "Start-up" 0 -- bench/startup.sh --runs "$startup_runs" --jar "$jar" "${cds_extra[@]}"
if skipped prepare; then echo "## Prepare"$'\n\n'"skipped"$'\n' >> "$tmp/body.md"
else section prepare "Prepare: hoist version prepare vs parallel-scp (50 MB, 20 nodes)" 1 -- \
  bench/prepare.sh --nodes 20 --runs 3 --size-mb 50 --jar "$jar" "${cds_extra[@]}"; fi
if skipped overhead; then echo "## Orchestration overhead"$'\n\n'"skipped"$'\n' >> "$tmp/body.md"
else section overhead "Orchestration overhead (rolling upgrade of 20 nodes, phase commands are sleeps)" 1 -- \
  bench/overhead.sh --jar "$jar" "${cds_extra[@]}"; fi
if skipped scale; then echo "## Scale"$'\n\n'"skipped"$'\n' >> "$tmp/body.md"
elif [ -x bench/scale.sh ]; then section scale "Scale (simulated nodes, in-process)" 1 -- bench/scale.sh
else echo "## Scale"$'\n\n'"not available (bench/scale.sh is not in this tree)"$'\n' >> "$tmp/body.md"; fi

# --- TARGETS ---------------------------------------------------------------------------------------
get() { awk -v k="$1" '$1 == k { v = $2 } END { if (v != "" && v != "nan") print v }' "$BENCH_RESULTS"; }
div() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a != "" && b != "" && b + 0 > 0) printf "%.3f", a / b }'; }
largest_n=$(tr ' ' '\n' <<<"$nodes" | sort -n | tail -1)
missed=0; unmeasured=0
rows=()
# check TARGET CHECK VALUE OP LIMIT [NOTE]: one row; VALUE empty = not measured.
check() {
  local target=$1 what=$2 value=$3 op=$4 limit=$5 note=${6:-} verdict
  if [ -z "$value" ]; then
    verdict="not measured"; unmeasured=$((unmeasured + 1)); value="–"
  elif awk -v v="$value" -v l="$limit" -v op="$op" 'BEGIN { exit !((op == "<=" && v <= l) || (op == "<" && v < l) || (op == "==" && v == l)) }'; then
    verdict=pass
  else
    verdict="**FAIL**"; missed=$((missed + 1))
  fi
  rows+=("| $target | $what | $value${note:+ $note} | $op $limit | $verdict |")
}
# fan_n WANTED: the N to read fan-out results at; in --smoke the largest measured N stands in (the
# row then says so).
fan_n() { if [ "$smoke" = 1 ] && [ -z "$(get "fanout.pinned.$1.hoist.wall")" ]; then echo "$largest_n"; else echo "$1"; fi; }
t1="fan-out, same key exchange for all tools, N = 100 and 200: hoist at most 1.0 x the best peer and at most 1.15 x the floor; at most 0.15 x ansible \`command\`; no node lost or timed out at 200;"
t2="fan-out, each tool's defaults (what an admin gets), N = 100: hoist at most 0.5 x parallel-ssh;"
t3="start-up: \`hoist --version\` at most 1.2 x \`clush --version\` (class-data sharing archives built at package time and used by the launcher, \`-XX:TieredStopAtLevel=1\`, lazy initialisation; see ../shared/DEPENDENCIES.md);"
t4="prepare: at most 1.0 x parallel-scp;"
t5="orchestration overhead: under 5% above the critical path, JVM start included;"
t6="scale: 10,000 simulated nodes planned in under 1 s, run overhead growing linearly (10x nodes, at most 12x time), heap under 512 MB;"
t7="peak memory of a 100-node fan-out at most 150 MB for the whole process."
kexnote=""
[ "$(get fanout.hoist_kex_pinnable)" = 0 ] && kexnote=" (hoist: its default, curve25519-sha256, since it has no ssh.kex yet)"
for want in 100 200; do
  n=$(fan_n "$want"); at="N=$n"; [ "$n" = "$want" ] || at="N=$n, standing in for N=$want (smoke)"
  hw=$(get "fanout.pinned.$n.hoist.wall"); hmin=$(get "fanout.pinned.$n.hoist-min.wall")
  best=$(get "fanout.pinned.$n.best_peer"); fl=$(get "fanout.pinned.$n.floor")
  ac=$(get "fanout.pinned.$n.ansible-command.wall")
  nc() { local r; r=$(div "$hmin" "$1"); [ -z "$r" ] || echo "(no check: $r)"; }
  tt=$t1; [ "$want" = 100 ] || tt=""
  check "$tt" "$at, pinned$kexnote: hoist / best peer" "$(div "$hw" "$best")" "<=" 1.0 "$(nc "$best")"
  check "" "$at, pinned: hoist / floor" "$(div "$hw" "$fl")" "<=" 1.15 "$(nc "$fl")"
  check "" "$at, pinned: hoist / ansible command" "$(div "$hw" "$ac")" "<=" 0.15 "$(nc "$ac")"
  if [ "$want" = 200 ]; then
    l1=$(get "fanout.default.$n.hoist.lost"); l2=$(get "fanout.pinned.$n.hoist.lost")
    lost=""; [ -n "$l1" ] && lost=$((l1 + ${l2:-0}))
    [ -n "$(get "fanout.default.$n.hoist.runs")" ] || lost=""
    check "" "$at: hoist runs that lost a node or timed out" "$lost" "==" 0
  fi
done
n=$(fan_n 100); at="N=$n"; [ "$n" = 100 ] || at="N=$n, standing in for N=100 (smoke)"
check "$t2" "$at, defaults: hoist / parallel-ssh" \
  "$(div "$(get "fanout.default.$n.hoist.wall")" "$(get "fanout.default.$n.pssh.wall")")" "<=" 0.5 \
  "$(r=$(div "$(get "fanout.default.$n.hoist-min.wall")" "$(get "fanout.default.$n.pssh.wall")"); [ -z "$r" ] || echo "(no check: $r)")"
check "$t3" "wall, medians: hoist --version / clush --version" \
  "$(div "$(get startup.hoist-version.wall)" "$(get startup.clush-version.wall)")" "<=" 1.2 \
  "$(r=$(div "$(get startup.hoist-c1-version.wall)" "$(get startup.clush-version.wall)"); [ -z "$r" ] || echo "(with -XX:TieredStopAtLevel=1: $r)")"
check "$t4" "N=20, 50 MB: hoist version prepare / parallel-scp" "$(get prepare.20.ratio)" "<=" 1.0
check "$t5" "20 nodes: % over the critical path" "$(get overhead.pct)" "<" 5
check "$t6" "planning 10,000 nodes, s" "$(get scale.plan_10000_s)" "<" 1
check "" "run time 10,000 / 1,000 nodes" "$(get scale.run_ratio_10x)" "<=" 12
check "" "heap, MB" "$(get scale.heap_mb)" "<" 512
n=$(fan_n 100); at="N=$n"; [ "$n" = 100 ] || at="N=$n, standing in for N=100 (smoke)"
pk=$(get "fanout.default.$n.hoist.peak_kib")
check "$t7" "$at: hoist's peak RSS (process tree), MB" \
  "$(awk -v k="${pk:-}" 'BEGIN { if (k != "") printf "%.0f", k * 1024 / 1e6 }')" "<=" 150

# --- the report ------------------------------------------------------------------------------------
report="$tmp/report.md"
{
  echo "# hoist benchmarks — $stamp"
  echo
  [ "$smoke" = 1 ] && { echo "**Smoke run** (\`bench/run.sh --smoke\`): 10 nodes, 3 rounds; indicative only."; echo; }
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
  echo "$(uname -sr); load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end;"
  echo "the machine is shared, so compare ratios within this run, not absolute times across runs."
  echo
  echo "Versions: $(ssh -V 2>&1); $(java -version 2>&1 | head -1);"
  echo "parallel-ssh $(parallel-ssh --version 2>/dev/null || echo '?'); $(clush --version 2>/dev/null || echo 'clush ?');"
  echo "$(ansible --version 2>/dev/null | sed -n 1p); $(java -jar "$jar" --version 2>/dev/null | sed -n 1p)"
  echo "(tree at $hoist_commit). hoist runs $([ "${#cds_extra[@]}" = 0 ] && echo "with the class-data sharing archive the Debian package makes (bench/lib.sh bench_cds)" || echo "without a class-data archive of its own (--no-cds)")."
  echo
  echo "Command: \`bench/run.sh$([ "$smoke" = 1 ] && echo " --smoke" || echo " --nodes \"$nodes\" --runs $runs${skip:+ --skip \"$skip\"}")${cds_extra[*]:+ ${cds_extra[*]}}\`;" \
    "took $(awk -v s="$(( $(date +%s) - started ))" 'BEGIN { printf "%.1f", s / 60 }') min."
  echo
  echo "## TARGETS (issue 7, item 3)"
  echo
  echo "| target | check | measured | limit | result |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "$missed missed, $unmeasured not measured."
  [ "${#broken[@]}" = 0 ] || echo "Benchmarks that broke: ${broken[*]}."
  echo
  cat "$tmp/body.md"
} > "$report"

if [ -n "$out" ]; then
  cp "$report" "$out"; echo "== report: $out" >&2
elif [ "$smoke" = 0 ]; then
  mkdir -p bench/results
  cp "$report" "bench/results/REPORT-$stamp.md"; cp "$report" bench/results/latest.md
  echo "== report: bench/results/REPORT-$stamp.md (and latest.md)" >&2
fi
cat "$report"
[ "${#broken[@]}" = 0 ] || { echo "== broken: ${broken[*]}" >&2; exit 1; }
if [ "$missed" -gt 0 ] && [ "$no_fail" = 0 ]; then echo "== $missed target(s) missed" >&2; exit 1; fi
exit 0
