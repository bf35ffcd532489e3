#!/usr/bin/env bash
# Benchmark: `hoist version prepare` (upload + verify + unpack a release bundle on N nodes) against
# parallel-scp (pssh) copying the same bundle to the same nodes, plus hoist's no-op rerun.
# Nodes are OpenSSH sshd daemons on 127.0.0.1 high ports (as in .ci/e2e-openssh.sh), stopped by
# PID on exit. Runs are interleaved (hoist, pscp, hoist, pscp, ...) after one warm-up of each;
# the verdict is the ratio of medians measured in the same run. hoist maps the class-data sharing
# archive the Debian package makes (bench_cds in lib.sh; --no-cds: without). See bench/README.md.
#
# Usage: bench/prepare.sh [--nodes "10 20"] [--runs 3] [--size-mb 50] [--jar target/hoist.jar]
#                         [--java-opts "..."] [--no-cds] [--keep]
set -euo pipefail

nodes_list="10 20"
runs=3
size_mb=50
jar=target/hoist.jar
java_opts=""
keep=0
bench_no_cds=0
usage() { sed -n '9,10p' "$0" | sed 's/^# //'; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --nodes) nodes_list=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --size-mb) size_mb=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --java-opts) java_opts=$2; shift 2 ;;
    --no-cds) bench_no_cds=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
case $runs in ''|*[!0-9]*|0) echo "--runs must be a positive integer" >&2; exit 2 ;; esac
case $size_mb in ''|*[!0-9]*|0) echo "--size-mb must be a positive integer" >&2; exit 2 ;; esac
max_n=0
for n in $nodes_list; do
  case $n in ''|*[!0-9]*|0) echo "--nodes: '$n' is not a positive integer" >&2; exit 2 ;; esac
  [ "$n" -le 100 ] || { echo "--nodes: at most 100 nodes" >&2; exit 2; }
  [ "$n" -gt "$max_n" ] && max_n=$n
done
[ "$max_n" -gt 0 ] || { echo "--nodes is empty" >&2; exit 2; }

for tool in java parallel-scp parallel-ssh /usr/sbin/sshd ssh-keygen ssh-keyscan /usr/bin/time; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "missing $tool (apt-get install -y pssh openssh-server openssh-client time)" >&2; exit 2; }
done
[ -f "$jar" ] || { echo "no jar at $jar (mvn -B -o -q package -DskipTests)" >&2; exit 2; }
jar=$(realpath "$jar")

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init hoist-bench
# Default: the options the Debian launcher gives `version prepare` (bench_launcher_opts in lib.sh).
if [ -z "$java_opts" ]; then bench_launcher_opts -c cluster.yaml version prepare 1.0.1; java_opts=$launcher_opts; fi
java_opts_shown=$java_opts
bench_cds "$jar"
jar=$cds_jar                                   # the copy the archive was dumped for
java_opts="$java_opts${cds_opts:+ $cds_opts}" # the timed hoist command lines get the archive

echo "== setting up $max_n sshd nodes in $work" >&2
ports=()
for i in $(seq 1 "$max_n"); do
  node="$work/nodes/n$i"
  mkdir -p "$node/releases/1.0.0" "$node/pscp"
  echo "1.0.0" > "$node/releases/1.0.0/VERSION"
  ln -s releases/1.0.0 "$node/current"
  # internal-sftp -d: the SFTP session starts in the node's own pscp/ directory, so scp (SFTP
  # protocol, the default of OpenSSH >= 9.0) writes a relative path into a distinct file per node.
  bench_sshd_start "$node" "internal-sftp -d $node/pscp"
  ports+=("$sshd_port")
done
bench_sshd_wait "${ports[@]}"

echo "== packing a ${size_mb} MiB release" >&2
rel="$work/build/bench"
mkdir -p "$rel" "$work/repo"
head -c "$((size_mb * 1024 * 1024))" /dev/urandom > "$rel/data.bin"
echo "1.0.1" > "$rel/VERSION"
java -jar "$jar" -q version pack "$rel" --version 1.0.1 --product bench --into "$work/repo" >/dev/null
bundle="$work/repo/bench-1.0.1.tar.gz"
[ -f "$bundle" ] || { echo "pack did not write $bundle" >&2; ls -l "$work/repo" >&2; exit 1; }
bundle_bytes=$(stat -c %s "$bundle")

cluster="$work/cluster.yaml"
{
  cat <<YAML
cluster: bench
release:
  repository: file:$work/repo
  bundle: bench-\${version}.tar.gz
  cache: $work/cache/hoist
  keep: 3
ssh:
  user: $user
  identity: $key
  known_hosts: $kh
  config: none
layout: { min_free: 1MiB }
commands:
  version: "cat \${home}/current/VERSION"
nodes:
YAML
  for i in $(seq 1 "$max_n"); do
    echo "  - { name: n$i, host: 127.0.0.1, ssh: { port: ${ports[$((i - 1))]} }, layout: { home: $work/nodes/n$i } }"
  done
} > "$cluster"

hosts_file() { # hosts_file N -> path of a pssh hosts file for the first N nodes
  local f="$work/hosts-$1" i
  : > "$f"
  for i in $(seq 1 "$1"); do echo "127.0.0.1:${ports[$((i - 1))]}" >> "$f"; done
  echo "$f"
}
ssh_extra="-i $key -o UserKnownHostsFile=$kh -o StrictHostKeyChecking=yes -o BatchMode=yes"

# timed NAME -- command...: runs it under /usr/bin/time, appends "wall cpu maxrss_kib" to
# $work/NAME.times; its output goes to $work/NAME.log. Fails the benchmark if it fails.
timed() {
  local name=$1; shift 2
  local t="$work/last.time"
  if ! /usr/bin/time -f "%e %U %S %M" -o "$t" "$@" >>"$work/$name.log" 2>&1; then
    echo "FAILED: $name: $*" >&2; tail -20 "$work/$name.log" >&2; exit 1
  fi
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$t" >> "$work/$name.times"
}

hoist_cmd() { # hoist_cmd N
  local names=() i
  for i in $(seq 1 "$1"); do names+=("n$i"); done
  # shellcheck disable=SC2086 # java_opts is a list of options
  echo java $java_opts -jar "$jar" -q -c "$cluster" version prepare 1.0.1 "${names[@]}" --max-parallel "$1"
}

reset_hoist() { # removes the staged release (outside the timing)
  local i
  for i in $(seq 1 "$max_n"); do
    rm -rf "$work/nodes/n$i/releases/1.0.1" "$work/nodes/n$i/releases/1.0.1.partial" \
      "$work/nodes/n$i/releases/.1.0.1.bundle"*
  done
}
check_hoist() { # check_hoist N
  local i
  for i in $(seq 1 "$1"); do
    if [ ! -f "$work/nodes/n$i/releases/1.0.1/.hoist-staged" ] \
      || [ "$(stat -c %s "$work/nodes/n$i/releases/1.0.1/data.bin")" != "$((size_mb * 1048576))" ]; then
      echo "hoist did not stage 1.0.1 on n$i" >&2; exit 1
    fi
  done
}
reset_pscp() { rm -f "$work"/nodes/n*/pscp/dest-bench-1.0.1.tar.gz; }
check_pscp() { # check_pscp N
  local i
  for i in $(seq 1 "$1"); do
    [ "$(stat -c %s "$work/nodes/n$i/pscp/dest-bench-1.0.1.tar.gz" 2>/dev/null)" = "$bundle_bytes" ] \
      || { echo "parallel-scp did not copy the bundle to n$i" >&2; exit 1; }
  done
}

run_hoist() { # run_hoist N NAME
  reset_hoist; sync
  # shellcheck disable=SC2046
  timed "$2" -- $(hoist_cmd "$1")
  check_hoist "$1"
}
run_pscp() { # run_pscp N NAME
  local hosts; hosts=$(hosts_file "$1")
  reset_pscp; sync
  timed "$2" -- parallel-scp -h "$hosts" -l "$user" -x "$ssh_extra" -p "$1" -t 600 \
    "$bundle" dest-bench-1.0.1.tar.gz
  check_pscp "$1"
}

median() { # median FILE COLUMN
  awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{a[NR]=$1} END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }

# Warm the hoist cache (file: repository -> cache copy, done once per cache) outside every run.
java -jar "$jar" -q -c "$cluster" version get 1.0.1 >/dev/null

for n in $nodes_list; do
  echo "== N=$n: warm-up, then $runs interleaved runs" >&2
  run_hoist "$n" "warm-hoist-$n"; run_pscp "$n" "warm-pscp-$n"
  for r in $(seq 1 "$runs"); do
    run_hoist "$n" "hoist-$n"; run_pscp "$n" "pscp-$n"
    echo "   run $r: hoist $(tail -1 "$work/hoist-$n.times" | cut -d' ' -f1)s," \
      "pscp $(tail -1 "$work/pscp-$n.times" | cut -d' ' -f1)s" >&2
  done
  reset_pscp
done

# No-op rerun on the largest N: the release is staged (the last hoist run left it), so each node
# costs one probe round trip. Peers: one `true` per node with parallel-ssh, and the JVM alone.
n=$max_n
echo "== no-op rerun on N=$n" >&2
check_hoist "$n"
hosts=$(hosts_file "$n")
noop_peer() {
  timed "$1" -- parallel-ssh -h "$hosts" -l "$user" -x "$ssh_extra" -p "$n" -t 60 true
}
# shellcheck disable=SC2086 # java_opts is a list of options
jvm_only() { timed "$1" -- java $java_opts -jar "$jar" --version; }
# shellcheck disable=SC2046
timed warm-noop -- $(hoist_cmd "$n"); noop_peer warm-pssh; jvm_only warm-jvm
for r in $(seq 1 "$runs"); do
  # shellcheck disable=SC2046
  timed noop -- $(hoist_cmd "$n"); noop_peer pssh-true; jvm_only jvm
done
check_hoist "$n"

echo
echo "# hoist version prepare vs parallel-scp — $(date -u +%Y-%m-%dT%H:%MZ)"
echo "env: nproc=$(nproc), loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "     $(ssh -V 2>&1)"
echo "     $(java -version 2>&1 | head -2 | tr '\n' ' ')"
echo "     $(java -jar "$jar" --version 2>/dev/null | head -1); $cds_note"
echo "     JVM options of hoist's runs: $java_opts_shown"
echo "     parallel-scp $(dpkg-query -W -f '${Version}' pssh 2>/dev/null || echo '?') (scp -qC)"
echo "bundle: $(awk -v b="$bundle_bytes" 'BEGIN { printf "%.1f MiB", b / 1048576 }'), runs: $runs (+1 warm-up), interleaved"
echo
printf '%-4s | %-9s %-9s %-6s | %-9s %-9s | %-9s %-9s\n' \
  N "hoist s" "pscp s" ratio "hoist cpu" "pscp cpu" "hoist MiB" "pscp MiB"
printf '%s\n' "-----+--------------------------+---------------------+--------------------"
for n in $nodes_list; do
  hw=$(median "$work/hoist-$n.times" 1); pw=$(median "$work/pscp-$n.times" 1)
  hc=$(median "$work/hoist-$n.times" 2); pc=$(median "$work/pscp-$n.times" 2)
  hm=$(median "$work/hoist-$n.times" 3); pm=$(median "$work/pscp-$n.times" 3)
  printf '%-4s | %-9s %-9s %-6s | %-9s %-9s | %-9s %-9s\n' "$n" "$hw" "$pw" "$(ratio "$hw" "$pw")" \
    "$hc" "$pc" "$((${hm%.*} / 1024))" "$((${pm%.*} / 1024))"
  bench_result "prepare.$n.hoist" "$hw"; bench_result "prepare.$n.pscp" "$pw"
  bench_result "prepare.$n.ratio" "$(ratio "$hw" "$pw")"
done
echo "(wall and client CPU (user+sys) in seconds, medians; MiB = peak RSS of the largest client"
echo " process; ratio = hoist/pscp; node-side sshd/tar/sha256sum CPU is not in 'cpu')"
echo
nw=$(median "$work/noop.times" 1); sw=$(median "$work/pssh-true.times" 1); jw=$(median "$work/jvm.times" 1)
echo "no-op rerun, N=$max_n: hoist ${nw}s (cpu $(median "$work/noop.times" 2)s);" \
  "parallel-ssh true ${sw}s (ratio $(ratio "$nw" "$sw")); JVM alone (hoist --version) ${jw}s"
echo
echo "raw runs (wall cpu maxrss_kib):"
for f in "$work"/*.times; do printf '  %-16s %s\n' "$(basename "$f" .times)" "$(cut -d' ' -f1 "$f" | tr '\n' ' ')"; done
