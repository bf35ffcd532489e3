# shellcheck shell=bash
# Shared by the bench/*.sh scripts (sourced, not run): an isolated work directory, a client key,
# OpenSSH sshd daemons on 127.0.0.1 high ports as simulated nodes (each stopped by PID on exit),
# the host keys in a known_hosts file, medians and ratios. See bench/README.md.
#
# After `bench_init PREFIX`:  $work (removed on exit unless keep=1), $key (ed25519 client key),
# $kh (known_hosts), $user; HOME and XDG_CACHE_HOME point into $work so the invoking user's ~/.ssh,
# ~/.ansible and caches are never used. Every daemon started by bench_sshd_start is listed in
# $work/sshd.pids (one PID per line) and killed by PID by the EXIT trap.

# shellcheck disable=SC2034 # used by the scripts that source this file
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pids=()
keep=${keep:-0}
bench_cleanups=()

# bench_cds JAR [NAME [LIST]]: the class-data sharing archive an admin gets from the Debian package
# (src/deb/control/postinst), made for JAR and the java on PATH: JAR is copied to $work/cds/NAME.jar
# (an archive records its jar's size and time stamp, and a JVM whose jar changed after the dump
# silently shares nothing: a rebuild of JAR during the run must not do that), then
# `java -Xshare:dump -XX:+UseSerialGC -XX:SharedClassListFile=LIST -XX:SharedArchiveFile=...` dumps
# $work/cds/NAME.jsa from the JDK's class list (JAVA_HOME/lib/classlist) followed by the one the
# build wrote next to the jar (target/deb/hoist.classlist for target/hoist.jar), and a run with
# -Xshare:on checks that the JVM maps it. NAME defaults to hoist; LIST is the class list to use
# when none lies next to JAR (an older build's jar given to overhead.sh --also). Sets cds_jar (the copy: run that
# one), cds_opts (-XX:SharedArchiveFile=...) and cds_note (one sentence for the report). With
# bench_no_cds=1 (the scripts' --no-cds): cds_jar=JAR, no cds_opts; the JVM then maps the JDK's own
# default archive only (-Xshare:auto), as for a jar run by hand. Exits 2 without a class list.
bench_no_cds=${bench_no_cds:-0}
bench_cds() {
  local src=$1 name=${2:-hoist} fallback=${3:-} java home list dir="$work/cds"
  # shellcheck disable=SC2034 # used by the scripts that source this file
  if [ "$bench_no_cds" = 1 ]; then
    cds_jar=$src; cds_opts=""
    cds_note="no class-data archive of hoist's (--no-cds): the JVM maps only the JDK's default one"
    return 0
  fi
  list="$(dirname "$src")/deb/hoist.classlist"
  [ -r "$list" ] || [ -z "$fallback" ] || list=$fallback
  [ -r "$list" ] || { echo "no class list at $list (mvn package writes it), or run with --no-cds" >&2; exit 2; }
  java=$(command -v java)
  home=$(dirname "$(dirname "$(readlink -f "$java")")")
  mkdir -p "$dir"
  cp -p "$src" "$dir/$name.jar"
  if [ -r "$home/lib/classlist" ]; then
    cat "$home/lib/classlist" "$list" > "$dir/$name.classlist"
  else
    cat "$list" > "$dir/$name.classlist"
  fi
  "$java" -Xshare:dump -XX:+UseSerialGC -XX:SharedClassListFile="$dir/$name.classlist" \
    -XX:SharedArchiveFile="$dir/$name.jsa" -cp "$dir/$name.jar" > "$dir/$name.dump.log" 2>&1 \
    || { echo "java -Xshare:dump failed: $(tail -5 "$dir/$name.dump.log")" >&2; exit 1; }
  # -Xshare:on: an archive the JVM cannot map (another jar, another Java) is an error, not a no-op.
  "$java" -XX:+UseSerialGC -Xshare:on -XX:SharedArchiveFile="$dir/$name.jsa" -jar "$dir/$name.jar" \
    --version > "$dir/$name.check.log" 2>&1 \
    || { echo "the archive $dir/$name.jsa does not map: $(tail -5 "$dir/$name.check.log")" >&2; exit 1; }
  # shellcheck disable=SC2034 # used by the scripts that source this file
  cds_jar="$dir/$name.jar"
  # shellcheck disable=SC2034
  cds_opts="-XX:SharedArchiveFile=$dir/$name.jsa"
  # shellcheck disable=SC2034
  cds_note="with the class-data sharing archive the Debian package's postinst makes (\`-Xshare:dump\` of the JDK's class list and \`hoist.classlist\`, $(du -m "$dir/$name.jsa" | cut -f1) MB), dumped for the jar under test; \`--no-cds\` runs without it"
}

# bench_need "apt hint" TOOL...: exits 2 naming the hint when a tool is missing.
# bench_launcher_opts ARGS...: the JVM options the Debian launcher (src/deb/bin/hoist) starts
# `hoist ARGS...` with (the collector, the first heap, the JIT by command: C1 alone and
# -Dhoist.jit=c1 for all but `version` and `demo`), found by running the launcher itself with a
# Java whose bin/java only prints its arguments, so the benchmarks time hoist as the package runs
# it. Not its class-data archive: bench_cds makes one for the jar under test. Sets launcher_opts
# (one string, split on blanks where used).
bench_launcher_opts() {
  local fake="$work/launcher-jdk" line
  local -a opts=()
  if [ ! -x "$fake/bin/java" ]; then
    mkdir -p "$fake/bin"
    echo 'JAVA_VERSION="17"' > "$fake/release"
    printf '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n' > "$fake/bin/java"
    chmod +x "$fake/bin/java"
  fi
  while IFS= read -r line; do
    [ "$line" != -jar ] || break
    opts+=("$line")
  done < <(JAVA_HOME=$fake HOIST_JAVA_OPTS='' sh "$bench_dir/../src/deb/bin/hoist" "$@")
  [ "${#opts[@]}" -gt 0 ] || { echo "bench_launcher_opts: no options from the launcher for: $*" >&2; exit 2; }
  launcher_opts="${opts[*]}"
}

bench_need() {
  local hint=$1 tool; shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "missing $tool (apt-get install -y $hint)" >&2; exit 2; }
  done
}

bench_cleanup() {
  local pid f
  for f in "${bench_cleanups[@]}"; do "$f" || true; done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${work:-}" ] && [ -d "$work" ]; then
    if [ "$keep" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
  fi
}

# bench_init PREFIX: the work directory /tmp/PREFIX.XXXXXX, the EXIT trap, HOME isolation, the
# client key.
bench_init() {
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  [ -d /run/sshd ] || { mkdir -p /run/sshd && chmod 0755 /run/sshd; }
  # shellcheck disable=SC2034 # used by the scripts that source this file
  user=$(id -un)
  export HOME="$work/home"            # isolate: never the invoking user's ~/.ssh or cache
  export XDG_CACHE_HOME="$work/cache"
  mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh"
  key="$work/client_key"
  kh="$work/known_hosts"
  : > "$kh"
  : > "$work/sshd.pids"
  ssh-keygen -q -t ed25519 -N '' -f "$key" -C "$1"
}

# bench_free_port [COUNT]: COUNT (default 1) distinct free ports on 127.0.0.1, one per line (bound
# together, then released).
bench_free_port() {
  python3 - "${1:-1}" 2>/dev/null <<'PY' || echo $((20000 + RANDOM % 20000))
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
PY
}
bench_port_pool=()

# bench_sshd_start NODE_DIR [SFTP_SUBSYSTEM [EXTRA_CONFIG]]: one daemon on 127.0.0.1:$sshd_port,
# its files in NODE_DIR/etc (host key, sshd_config, sshd.pid, sshd.log). The node's commands see
# HOME=NODE_DIR and NODE_DIR=NODE_DIR. SFTP_SUBSYSTEM defaults to internal-sftp; EXTRA_CONFIG
# (lines) is appended to the config. Sets sshd_port; does not wait (see bench_sshd_wait).
bench_sshd_start() {
  local node=$1 sftp=${2:-internal-sftp} extra=${3:-}
  mkdir -p "$node/etc"
  ssh-keygen -q -t ed25519 -N '' -f "$node/etc/host_key"
  # ports come from a pool filled 64 at a time (one python3 start instead of one per daemon)
  [ "${#bench_port_pool[@]}" -gt 0 ] || mapfile -t bench_port_pool < <(bench_free_port 64)
  sshd_port=${bench_port_pool[0]}
  bench_port_pool=("${bench_port_pool[@]:1}")
  cat > "$node/etc/sshd_config" <<CFG
ListenAddress 127.0.0.1:$sshd_port
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
Subsystem sftp $sftp
SetEnv NODE_DIR=$node HOME=$node
$extra
CFG
  /usr/sbin/sshd -f "$node/etc/sshd_config" -D -e 2>"$node/etc/sshd.log" &
  pids+=($!)
  echo "$!" >> "$work/sshd.pids"
}

# bench_sshd_wait PORT...: waits (bounded, 10 s per daemon) until each daemon answers, appending
# its ed25519 host key to $kh. All daemons are asked at once first; the ones not up yet are then
# retried one by one.
bench_sshd_wait() {
  local port pid
  local -a scans=()
  mkdir -p "$work/keyscan"
  for port in "$@"; do
    ssh-keyscan -T 5 -t ed25519 -p "$port" 127.0.0.1 >"$work/keyscan/$port" 2>/dev/null &
    scans+=($!)
  done
  for pid in "${scans[@]}"; do wait "$pid" || true; done
  for port in "$@"; do
    for _ in $(seq 1 100); do
      [ ! -s "$work/keyscan/$port" ] || break
      ssh-keyscan -T 2 -t ed25519 -p "$port" 127.0.0.1 >"$work/keyscan/$port" 2>/dev/null || sleep 0.1
    done
    [ -s "$work/keyscan/$port" ] || { echo "sshd on port $port did not come up" >&2; exit 1; }
    cat "$work/keyscan/$port" >> "$kh"
  done
}

# bench_median FILE [COLUMN]: the median of a column of numbers (blank when there are none).
bench_median() {
  awk -v c="${2:-1}" '$c != "" {print $c}' "$1" 2>/dev/null | sort -g | awk '{a[NR] = $1} END {
    if (NR == 0) exit
    if (NR % 2) print a[(NR + 1) / 2]; else printf "%.4g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# bench_ratio A B: A/B with 2 decimals, blank when either is missing or B is 0.
bench_ratio() {
  awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a != "" && b != "" && b + 0 > 0) printf "%.2f", a / b }'
}

# bench_result KEY VALUE: appends "KEY VALUE" to $BENCH_RESULTS when set (read by bench/run.sh).
bench_result() {
  if [ -n "${BENCH_RESULTS:-}" ]; then echo "$1 $2" >> "$BENCH_RESULTS"; fi
}
