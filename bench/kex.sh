#!/usr/bin/env bash
# Benchmark: what the post-quantum key exchange costs. `hoist inspect` of N OpenSSH nodes with
# hoist's default offer (sntrup761x25519 against OpenSSH 9.2) against `ssh.kex: [curve25519-sha256]`,
# interleaved, with client CPU (/usr/bin/time) and the sshd daemons' CPU; then, unless --no-micro,
# the per-connection client cost in one warmed-up JVM (KexBenchmark, test scope). Nodes are OpenSSH
# sshd daemons on 127.0.0.1 high ports (as in bench/prepare.sh), stopped by PID on exit.
# See bench/README.md, "Key exchange".
#
# Usage: bench/kex.sh [--nodes 50] [--runs 5] [--sessions 200] [--jar target/hoist.jar] [--keep]
#                     [--no-micro]
set -euo pipefail

nodes=50
runs=5
sessions=200
jar=target/hoist.jar
keep=0
micro=1
usage() { sed -n '9,10p' "$0" | sed 's/^# //'; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --nodes) nodes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --sessions) sessions=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-micro) micro=0; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
for v in "$nodes" "$runs" "$sessions"; do
  case $v in ''|*[!0-9]*|0) echo "--nodes, --runs and --sessions take positive integers" >&2; exit 2 ;; esac
done
[ "$nodes" -le 100 ] || { echo "--nodes: at most 100" >&2; exit 2; }
for tool in java /usr/sbin/sshd ssh-keygen ssh-keyscan /usr/bin/time python3; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "missing $tool (apt-get install -y openssh-server openssh-client time python3)" >&2; exit 2; }
done
[ -f "$jar" ] || { echo "no jar at $jar (mvn -B -o -q package -DskipTests)" >&2; exit 2; }
jar=$(realpath "$jar")
classpath=""
if [ "$micro" = 1 ]; then
  [ -d target/test-classes ] || { echo "no target/test-classes (mvn -B -o -q test-compile), or --no-micro" >&2; exit 2; }
  deps=$(mktemp)
  mvn -B -o -q org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$deps" >/dev/null
  classpath="$(realpath target/test-classes):$(realpath target/classes):$(cat "$deps")"
  rm -f "$deps"
fi

work=$(mktemp -d /tmp/hoist-kex.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$keep" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -d /run/sshd ] || { mkdir -p /run/sshd && chmod 0755 /run/sshd; }
user=$(id -un)
export HOME="$work/home"            # isolate: never the invoking user's ~/.ssh or cache
export XDG_CACHE_HOME="$work/cache"
export HOIST_STATE_DIR="$work/state"
mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh"
key="$work/client_key"
kh="$work/known_hosts"
ssh-keygen -q -t ed25519 -N '' -f "$key" -C hoist-bench

free_port() {
  python3 - 2>/dev/null <<'PY' || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

echo "== setting up $nodes sshd nodes in $work" >&2
ports=()
for i in $(seq 1 "$nodes"); do
  node="$work/nodes/n$i"
  mkdir -p "$node/releases/1.0.0" "$node/etc"
  echo "1.0.0" > "$node/releases/1.0.0/VERSION"
  ln -s releases/1.0.0 "$node/current"
  ssh-keygen -q -t ed25519 -N '' -f "$node/etc/host_key"
  port=$(free_port)
  ports+=("$port")
  # n1 logs at DEBUG: its log says which key exchange each run negotiated.
  level=INFO
  [ "$i" = 1 ] && level=DEBUG
  cat > "$node/etc/sshd_config" <<CFG
ListenAddress 127.0.0.1:$port
HostKey $node/etc/host_key
PidFile $node/etc/sshd.pid
AuthorizedKeysFile $key.pub
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
MaxStartups 200:30:400
MaxSessions 100
LogLevel $level
SetEnv NODE_DIR=$node HOME=$node
CFG
  /usr/sbin/sshd -f "$node/etc/sshd_config" -D -e 2>"$node/etc/sshd.log" &
  pids+=($!)
done

: > "$kh"
for port in "${ports[@]}"; do
  got=0
  for _ in $(seq 1 50); do
    if ssh-keyscan -T 2 -t ed25519 -p "$port" 127.0.0.1 >>"$kh" 2>/dev/null; then got=1; break; fi
    sleep 0.1
  done
  [ "$got" = 1 ] || { echo "sshd on port $port did not come up" >&2; exit 1; }
done

cluster_file() { # cluster_file NAME KEX_LINE
  local f="$work/cluster-$1.yaml" i
  {
    cat <<YAML
cluster: bench
release: { repository: "file:$work/repo", bundle: "bench-\${version}.tar.gz" }
ssh:
  user: $user
  identity: $key
  known_hosts: $kh
  config: none
  connect_timeout: 120s
$2
layout: { min_free: 1MiB }
commands:
  version: "cat \${home}/current/VERSION"
nodes:
YAML
    for i in $(seq 1 "$nodes"); do
      echo "  - { name: n$i, host: 127.0.0.1, ssh: { port: ${ports[$((i - 1))]} }, layout: { home: $work/nodes/n$i } }"
    done
  } > "$f"
  echo "$f"
}
default_cluster=$(cluster_file default "")
curve_cluster=$(cluster_file curve25519 "  kex: [curve25519-sha256]")

hz=$(getconf CLK_TCK)
server_ticks() { # the daemons' reaped children: user + sys clock ticks, summed
  local pid total=0 stat
  for pid in "${pids[@]}"; do
    stat=$(cut -d')' -f2- "/proc/$pid/stat")
    # after "pid (comm)": field 14 and 15 of the rest are cutime and cstime
    total=$((total + $(echo "$stat" | awk '{print $14 + $15}')))
  done
  echo "$total"
}

timed() { # timed NAME CLUSTER: one inspect of every node; appends "wall client_cpu server_cpu"
  local t="$work/last.time" before after
  before=$(server_ticks)
  if ! /usr/bin/time -f "%e %U %S" -o "$t" \
      java -jar "$jar" -q -c "$2" inspect --max-parallel "$nodes" >>"$work/$1.log" 2>&1; then
    echo "FAILED: $1" >&2; tail -20 "$work/$1.log" >&2; exit 1
  fi
  sleep 0.5 # let the daemons reap their last children
  after=$(server_ticks)
  awk -v s=$((after - before)) -v hz="$hz" '{printf "%s %.2f %.2f\n", $1, $2 + $3, s / hz}' "$t" \
    >> "$work/$1.times"
}
negotiated() { grep -o 'kex: algorithm: [^ ]*' "$work/nodes/n1/etc/sshd.log" | tail -1 | cut -d' ' -f3; }

echo "== warm-up, then $runs interleaved rounds" >&2
timed warm-default "$default_cluster"; kex_default=$(negotiated)
timed warm-curve "$curve_cluster"; kex_curve=$(negotiated)
for r in $(seq 1 "$runs"); do
  if [ $((r % 2)) = 1 ]; then
    timed default "$default_cluster"; timed curve25519 "$curve_cluster"
  else
    timed curve25519 "$curve_cluster"; timed default "$default_cluster"
  fi
  echo "   round $r: default $(tail -1 "$work/default.times" | cut -d' ' -f1)s," \
    "curve25519 $(tail -1 "$work/curve25519.times" | cut -d' ' -f1)s" >&2
done

median() { # median FILE COLUMN
  awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{a[NR]=$1} END {
    if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

echo
echo "# hoist inspect, key exchange — $(date -u +%Y-%m-%dT%H:%MZ)"
echo "env: nproc=$(nproc), loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "     $(ssh -V 2>&1)"
echo "     $(java -version 2>&1 | head -2 | tr '\n' ' ')"
echo "     $(java -jar "$jar" --version 2>/dev/null | head -1)"
echo "nodes: $nodes, runs: $runs (+1 warm-up each), interleaved"
echo
printf '%-12s %-36s %8s %12s %12s\n' offer negotiated "wall s" "client cpu s" "server cpu s"
for name in default curve25519; do
  kex=$kex_default; [ "$name" = curve25519 ] && kex=$kex_curve
  printf '%-12s %-36s %8s %12s %12s\n' "$name" "$kex" "$(median "$work/$name.times" 1)" \
    "$(median "$work/$name.times" 2)" "$(median "$work/$name.times" 3)"
done
echo "(medians; client cpu = user + sys of the java process; server cpu = user + sys of the sshd"
echo " processes that served the run, all $nodes daemons)"
echo
echo "raw runs (wall client_cpu server_cpu):"
for name in default curve25519; do
  printf '  %-12s %s\n' "$name" "$(tr '\n' ';' < "$work/$name.times")"
done

if [ "$micro" = 1 ]; then
  echo
  echo "# per connection, one JVM (KexBenchmark against n2, $sessions connections per way)"
  target=2; [ "$nodes" -lt 2 ] && target=1
  java -cp "$classpath" io.hoist.transport.ssh.KexBenchmark 127.0.0.1 "${ports[$((target - 1))]}" \
    "$user" "$key" "$kh" "$sessions" 50 10
fi
