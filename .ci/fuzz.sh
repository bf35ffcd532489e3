#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer: libFuzzer inside the JVM) of the two parsers that read files
# hoist did not write: the cluster-file loader and the bundle verifier, for a bounded time each.
#
# Each target is a JUnit @FuzzTest (ClusterFileFuzzTest, BundleFuzzTest) run by Jazzer's own
# driver, starting from the corpus kept in the repository (src/test/resources/io/hoist/**/
# *FuzzTestInputs/METHOD, which every test run replays). Inputs that reach new coverage go to
# target/fuzz/NAME/corpus. Any exception other than the loader's ConfigException or the verifier's
# ValidationException, an error (stack overflow, out of memory) or an input running over 30 s is a
# finding: written to target/fuzz/NAME/, and the script exits 1. Once it is fixed, copy the input
# into the corpus as finding-WHAT so that every test run replays it.
#
# Usage: .ci/fuzz.sh [--seconds N] [--only NAME] [--offline] [--merge]
#   --seconds N  fuzzing time per target, JVM start included (default 90)
#   --only NAME  fuzz one target: cluster-file or bundle
#   --offline    run Maven offline (-o)
#   --merge      then add the new inputs that reach coverage the repository's corpus does not
#                (libFuzzer -merge=1) to that corpus, to be committed
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=90
mvn_flags=(-B -q)
merge=false
only=
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --only) only=${2:?--only needs cluster-file or bundle}; shift 2 ;;
    --offline) mvn_flags+=(-o); shift ;;
    --merge) merge=true; shift ;;
    *) echo "usage: $0 [--seconds N] [--only NAME] [--offline] [--merge]" >&2; exit 2 ;;
  esac
done
case "$seconds" in '' | *[!0-9]*) echo "--seconds: not a number: $seconds" >&2; exit 2 ;; esac

out=target/fuzz
mkdir -p "$out"
# Compiles what is stale and lists the test classpath (Jazzer, JUnit and hoist's dependencies).
mvn "${mvn_flags[@]}" test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$out/classpath.txt"
classpath="target/test-classes:target/classes:$(cat "$out/classpath.txt")"

failed=0
# fuzz NAME CLASS METHOD INSTRUMENTED-PACKAGES DICTIONARY
fuzz() {
  local name=$1 class=$2 method=$3 packages=$4 dict=$5
  [ -z "$only" ] || [ "$only" = "$name" ] || return 0
  local dir="$out/$name" inputs
  inputs="src/test/resources/$(dirname "${class//.//}")/$(basename "${class//.//}")Inputs/$method"
  rm -rf "$dir"
  mkdir -p "$dir/corpus"
  local jazzer=(java -Xmx1g -cp "$classpath" com.code_intelligence.jazzer.Jazzer
    --target_class="$class" --target_method="$method" --instrumentation_includes="$packages")
  local started status=0
  started=$(date +%s)
  # Jazzer adds the repository's corpus (its copy in target/test-classes) to the corpus dirs.
  # libFuzzer stops after -max_total_time; the outer timeout only guards against a stuck JVM.
  # The first inputs run while classes load and are instrumented: slow units are no finding.
  timeout $((seconds + 300)) "${jazzer[@]}" -max_total_time="$seconds" -timeout=30 \
    -report_slow_units=100000 -rss_limit_mb=4096 -print_final_stats=1 -dict="$dict" \
    -artifact_prefix="$dir/" "$dir/corpus" >"$dir/log" 2>&1 || status=$?
  local took=$(( $(date +%s) - started ))
  local runs cov new repo findings
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  runs=${runs:-0}
  cov=$(sed -n 's/^#[0-9]*[[:space:]]*DONE[[:space:]]*cov: \([0-9]*\).*/\1/p' "$dir/log" | tail -1)
  new=$(find "$dir/corpus" -type f | wc -l)
  repo=$(find "$inputs" -type f | wc -l)
  findings=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) | wc -l)
  echo "  $name: ${took}s, $runs executions ($(( runs / (took > 0 ? took : 1) ))/s of wall" \
    "time), coverage ${cov:-?} edges, corpus $repo inputs in the repository + $new new," \
    "findings $findings"
  if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
    failed=1
    echo "  $name: FINDING (exit $status); log: $dir/log"
    grep -E -A 12 '^== Java Exception|^==[0-9]+== ERROR|^INFO: .*(timeout|out-of-memory)' \
      "$dir/log" | head -40 | sed 's/^/    /' || true
    find "$dir" -maxdepth 1 -type f ! -name log ! -name 'slow-unit-*' | sed 's/^/    input: /'
  elif [ "$merge" = true ]; then
    "${jazzer[@]}" -merge=1 "$inputs" "$dir/corpus" >"$dir/merge.log" 2>&1
    echo "  $name: corpus in the repository now $(find "$inputs" -type f | wc -l) inputs," \
      "$(cat "$inputs"/* | wc -c) bytes"
  fi
}

fuzz cluster-file io.hoist.config.ClusterFileFuzzTest loadsOrRefuses \
  'io.hoist.**:com.fasterxml.jackson.**:org.yaml.snakeyaml.**' \
  src/test/resources/io/hoist/config/cluster-file.dict
fuzz bundle io.hoist.release.BundleFuzzTest verifiesOrRefuses \
  'io.hoist.**:org.apache.commons.compress.**:com.fasterxml.jackson.**:org.semver4j.**' \
  src/test/resources/io/hoist/release/bundle.dict

if [ "$failed" -ne 0 ]; then
  echo "== fuzzing found a bug: see the inputs above; copied into the corpus as finding-WHAT," \
    "mvn test -Dtest=CLASS replays it" >&2
  exit 1
fi
