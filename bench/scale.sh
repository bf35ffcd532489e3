#!/usr/bin/env bash
# Benchmark: planning and a full simulated rolling upgrade of 100, 1,000 and 10,000 nodes,
# in-process, over a wire that answers every command after a fixed delay (no SSH). Prints a
# Markdown table (plan time, run time, critical path, overhead, heap) and the ratios 10k/1k on
# stdout; exits 1 when a target is missed, unless --no-fail. See bench/README.md.
#
# Usage: bench/scale.sh [--nodes 100,1000,10000] [--delay-ms 2] [--max-parallel 50] [--plan-runs 5]
#                       [--heap 1g] [--java-opts "..."] [--work DIR] [--keep] [--plan-only] [--no-fail]
set -euo pipefail

cd "$(dirname "$0")/.."
for arg in "$@"; do
  case $arg in -h|--help) sed -n '7,8p' "$0" | sed 's/^# //'; exit 0 ;; esac
done
command -v java >/dev/null || { echo "missing java" >&2; exit 2; }
command -v mvn >/dev/null || { echo "missing mvn" >&2; exit 2; }

# Compile when a source is newer than the compiled benchmark (or it is missing).
marker=target/test-classes/io/hoist/bench/ScaleBench.class
if [ ! -f "$marker" ] || [ -n "$(find src pom.xml -newer "$marker" -type f -print -quit)" ]; then
  echo "compiling (mvn -B -q -o test-compile)" >&2
  mvn -B -q -o test-compile >&2
fi
# The test classpath; Maven 3.8 binds dependency: to an old plugin, so the version is explicit.
classpath=target/scale-classpath.txt
if [ ! -f "$classpath" ] || [ pom.xml -nt "$classpath" ]; then
  mvn -B -q -o org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$classpath" >&2
fi

heap=1g
prev=
for arg in "$@"; do
  [ "$prev" = --heap ] && heap=$arg
  prev=$arg
done
exec java -Xmx"$heap" -cp "target/test-classes:target/classes:$(cat "$classpath")" \
  io.hoist.bench.ScaleBench "$@"
