#!/usr/bin/env bash
# Benchmark: one trivial command on N nodes. `hoist inspect` (one check `true`; and its cheapest
# config, no check) against parallel-ssh, clush, and ansible `-m command` / `-m raw` running `true`,
# with each tool's default key exchange and with all of them pinned to curve25519-sha256, plus the
# floor: N x (client CPU + server CPU of one cold `ssh NODE true`) / nproc. Nodes are OpenSSH sshd
# daemons on 127.0.0.1 high ports (bench/lib.sh), stopped by PID on exit. For each N: one warm-up
# of every tool, then --runs rounds with the tools interleaved (A B C ... A B C ...), each run
# measured by bench/measure.py (wall, client CPU of the whole process tree, sshd CPU, peak RSS of
# the tree) and checked (every node answered). hoist runs with the launcher's JVM options and the
# class-data sharing archive the Debian package makes (bench_cds in lib.sh), as an admin gets it.
# Markdown on stdout. See bench/README.md.
#
# Usage: bench/fanout.sh [--nodes "10 50 100 200"] [--runs 5] [--floor-runs 10] [--tools "..."]
#                        [--jar target/hoist.jar] [--java-opts "..."] [--no-cds] [--keep]
# --tools: a subset of: hoist hoist-min pssh clush ansible-command ansible-raw (default: all)
# --no-cds: hoist without its class-data archive (only the JDK's default one), to compare
set -euo pipefail

nodes_list="10 50 100 200"
runs=5
floor_runs=10
tools="hoist hoist-min pssh clush ansible-command ansible-raw"
jar=target/hoist.jar
# Default: the options the Debian launcher (src/deb/bin/hoist) runs `hoist inspect` with, what an
# admin gets (bench_launcher_opts in lib.sh, after bench_init).
java_opts=""
keep=0
bench_no_cds=0
usage() { sed -n '13,16p' "$0" | sed 's/^# //'; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --nodes) nodes_list=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --floor-runs) floor_runs=$2; shift 2 ;;
    --tools) tools=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --java-opts) java_opts=$2; shift 2 ;;
    --no-cds) bench_no_cds=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
for v in "$runs" "$floor_runs"; do
  case $v in ''|*[!0-9]*|0) echo "--runs and --floor-runs must be positive integers" >&2; exit 2 ;; esac
done
max_n=0
for n in $nodes_list; do
  case $n in ''|*[!0-9]*|0) echo "--nodes: '$n' is not a positive integer" >&2; exit 2 ;; esac
  [ "$n" -le 500 ] || { echo "--nodes: at most 500 nodes" >&2; exit 2; }
  [ "$n" -gt "$max_n" ] && max_n=$n
done
[ "$max_n" -gt 0 ] || { echo "--nodes is empty" >&2; exit 2; }
for t in $tools; do
  case $t in hoist|hoist-min|pssh|clush|ansible-command|ansible-raw) ;;
    *) echo "--tools: unknown tool '$t'" >&2; exit 2 ;; esac
done

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_need "pssh clustershell ansible-core openssh-server openssh-client python3" \
  java python3 parallel-ssh clush ansible /usr/sbin/sshd ssh ssh-keygen ssh-keyscan
[ -f "$jar" ] || { echo "no jar at $jar (mvn -B -q package -DskipTests)" >&2; exit 2; }
jar=$(realpath "$jar")
measure="$bench_dir/measure.py"
pinned_kex=curve25519-sha256
bench_init hoist-fanout
if [ -z "$java_opts" ]; then bench_launcher_opts -c cluster.yaml inspect; java_opts=$launcher_opts; fi
bench_cds "$jar"
jar=$cds_jar                                   # the copy the archive was dumped for
hoist_opts="$java_opts${cds_opts:+ $cds_opts}" # every hoist command line below gets the archive
export HOIST_STATE_DIR="$work/state"
export ANSIBLE_LOCAL_TEMP="$work/ansible-local"
mkdir -p "$work/res" "$work/logs" "$work/repo" "$work/cp"
started=$(date +%s)

# --- nodes: n1..nMAX, and one more daemon (kexprobe, LogLevel DEBUG1, not timed) whose log shows
# the key exchange each tool negotiates.
echo "== setting up $max_n sshd nodes (+1 key-exchange probe) in $work" >&2
declare -A port
ports=()
for i in $(seq 1 "$max_n"); do
  bench_sshd_start "$work/nodes/n$i"
  port[n$i]=$sshd_port; ports+=("$sshd_port")
done
probe_dir="$work/probe"
bench_sshd_start "$probe_dir" internal-sftp "LogLevel DEBUG1"
port[kexprobe]=$sshd_port
probe_pid=${pids[-1]}
sed -i "/^$probe_pid\$/d" "$work/sshd.pids"     # the probe's CPU is not the nodes' CPU
bench_sshd_wait "${ports[@]}" "${port[kexprobe]}"

# The OpenSSH-based tools (ssh, parallel-ssh, clush, ansible) find the nodes through one ssh config
# given with -F (ssh reads ~/.ssh from the passwd entry, not $HOME): the same user, key,
# known_hosts and strict host key checking for all; the system-wide /etc/ssh/ssh_config last.
sshcfg="$work/ssh_config"
{
  for n in "${!port[@]}"; do printf 'Host %s\n  HostName 127.0.0.1\n  Port %s\n' "$n" "${port[$n]}"; done
  cat <<CFG
Host *
  User $user
  IdentityFile $key
  IdentitiesOnly yes
  UserKnownHostsFile $kh
  StrictHostKeyChecking yes
  BatchMode yes
CFG
  [ -f /etc/ssh/ssh_config ] && echo "Include /etc/ssh/ssh_config"
} > "$sshcfg"

hoist_kex_ok=0
write_cluster() { # write_cluster FILE MIN|CHECK DEFAULT|PINNED NODE...
  local file=$1 mode=$2 kex=$3 n; shift 3
  {
    cat <<YAML
cluster: fanout
release:
  repository: file:$work/repo
  bundle: bench-\${version}.tar.gz
ssh:
  user: $user
  identity: $key
  known_hosts: $kh
  config: none
YAML
    if [ "$kex" = PINNED ]; then echo "  kex: [$pinned_kex]"; fi
    cat <<YAML
layout: { min_free: 0 }
commands:
  version: "echo 1.0.0"
YAML
    if [ "$mode" = CHECK ]; then printf 'checks:\n  - { name: trivial, run: "true" }\n'; fi
    echo "nodes:"
    for n in "$@"; do
      echo "  - { name: $n, host: 127.0.0.1, ssh: { port: ${port[$n]} }, layout: { home: $work/nodes/$n } }"
    done
  } > "$file"
}
mkdir -p "$work/nodes/kexprobe"
# Can hoist's key exchange be pinned (ssh.kex in the cluster file)? Only if a trial run accepts it.
write_cluster "$work/probe-pinned.yaml" CHECK PINNED kexprobe
# shellcheck disable=SC2086 # hoist_opts is a list of options
if java $hoist_opts -jar "$jar" -q -c "$work/probe-pinned.yaml" inspect >"$work/logs/kex-trial.log" 2>&1; then
  hoist_kex_ok=1
fi
echo "== hoist accepts ssh.kex: $([ "$hoist_kex_ok" = 1 ] && echo yes || echo "no ($(head -1 "$work/logs/kex-trial.log"))")" >&2

for n in $nodes_list kexprobe; do
  names=(); hosts="$work/hosts-$n"; inv="$work/inventory-$n"
  if [ "$n" = kexprobe ]; then names=(kexprobe); else for i in $(seq 1 "$n"); do names+=("n$i"); done; fi
  printf '%s\n' "${names[@]}" > "$hosts"
  { echo "[nodes]"; printf '%s\n' "${names[@]}"; } > "$inv"
  write_cluster "$work/cluster-check-default-$n.yaml" CHECK DEFAULT "${names[@]}"
  write_cluster "$work/cluster-min-default-$n.yaml" MIN DEFAULT "${names[@]}"
  if [ "$hoist_kex_ok" = 1 ]; then
    write_cluster "$work/cluster-check-pinned-$n.yaml" CHECK PINNED "${names[@]}"
    write_cluster "$work/cluster-min-pinned-$n.yaml" MIN PINNED "${names[@]}"
  fi
done

# hoist's inspect maps its classes (JSch's, Bouncy Castle's, its own) from the archive: checked
# once on the probe node, with -Xshare:on (fails when the archive cannot be mapped).
if [ -n "$cds_opts" ]; then
  # shellcheck disable=SC2086 # hoist_opts is a list of options
  java $hoist_opts -Xshare:on -Xlog:class+load -jar "$jar" -q -c "$work/cluster-check-default-kexprobe.yaml" \
    inspect >"$work/logs/cds-check.log" 2>&1 \
    || { echo "hoist inspect with -Xshare:on failed: $(tail -5 "$work/logs/cds-check.log")" >&2; exit 1; }
  grep -q ' com.jcraft.jsch.Session source: shared objects file' "$work/logs/cds-check.log" \
    || { echo "hoist inspect did not load JSch's Session from the archive ($work/logs/cds-check.log)" >&2; exit 1; }
  cds_shared=$(grep -c 'source: shared objects file' "$work/logs/cds-check.log" || true)
  cds_loaded=$(grep -c '\[class,load\]' "$work/logs/cds-check.log" || true)
  cds_note+="; one inspect loaded $cds_shared of its $cds_loaded classes from it"
  echo "== class-data archive: $cds_shared of $cds_loaded classes of one inspect shared" >&2
fi

# ansible: host key checking on (known_hosts from ~/.ssh/config), no facts, a generous timeout;
# its default ssh_args (ControlMaster=auto, ControlPersist=60s) are kept: each run gets a fresh
# control_path_dir, and measure.py ends the persisted masters after the run (counted in its CPU).
# The pinned variant also turns on pipelining and names the interpreter (the tuned setup).
for variant in default pinned; do
  mkdir -p "$work/ansible-$variant"
  {
    cat <<CFG
[defaults]
host_key_checking = True
gathering = explicit
timeout = 60
retry_files_enabled = False
deprecation_warnings = False
CFG
    [ "$variant" = pinned ] && echo "interpreter_python = /usr/bin/python3"
    echo "[ssh_connection]"
    if [ "$variant" = pinned ]; then
      printf 'pipelining = True\nssh_common_args = -F %s -o KexAlgorithms=%s\n' "$sshcfg" "$pinned_kex"
    else
      echo "ssh_common_args = -F $sshcfg"
    fi
  } > "$work/ansible-$variant/ansible.cfg"
done

# --- the tools -------------------------------------------------------------------------------------
# variant names: TOOL (each tool's default key exchange) and TOOL@pinned (curve25519-sha256).
variants=()
for t in $tools; do variants+=("$t"); done
for t in $tools; do
  case $t in hoist|hoist-min) [ "$hoist_kex_ok" = 1 ] && variants+=("$t@pinned") ;;
    *) variants+=("$t@pinned") ;; esac
done
label() {
  case ${1%@*} in
    hoist) echo "hoist inspect (1 check)" ;; hoist-min) echo "hoist inspect (no check)" ;;
    pssh) echo "parallel-ssh" ;; clush) echo clush ;;
    ansible-command) echo "ansible command" ;; ansible-raw) echo "ansible raw" ;;
  esac
}

cmd=()
tool_cmd() { # tool_cmd VARIANT N CONTROL_DIR: sets cmd
  local v=$1 n=$2 cp=$3 t=${1%@*} lo=default x="-F $sshcfg"
  if [ "$v" != "$t" ]; then lo=pinned; x+=" -o KexAlgorithms=$pinned_kex"; fi
  case $t in
    hoist|hoist-min)
      local mode=check; [ "$t" = hoist-min ] && mode=min
      # shellcheck disable=SC2206 # hoist_opts is a list of options
      cmd=(java $hoist_opts -jar "$jar" -q -c "$work/cluster-$mode-$lo-$n.yaml" inspect --max-parallel "$(max_par "$n")") ;;
    pssh)
      cmd=(parallel-ssh -h "$work/hosts-$n" -p "$(max_par "$n")" -t 60 -x "$x" true) ;;
    clush)
      cmd=(clush -w "$(nodeset "$n")" -f "$(max_par "$n")" -S -t 60 -u 120 -o "$x" true) ;;
    ansible-command|ansible-raw)
      cmd=(env "ANSIBLE_CONFIG=$work/ansible-$lo/ansible.cfg" "ANSIBLE_SSH_CONTROL_PATH_DIR=$cp"
           ansible all -i "$work/inventory-$n" -f "$(max_par "$n")" -m "${t#ansible-}" -a true) ;;
  esac
}
max_par() { if [ "$1" = kexprobe ]; then echo 1; else echo "$1"; fi; }
nodeset() { if [ "$1" = kexprobe ]; then echo kexprobe; else echo "n[1-$1]"; fi; }

accepted() { # accepted N -> one count of "Accepted publickey" per node n1..nN
  local i
  for i in $(seq 1 "$1"); do grep -c 'Accepted publickey' "$work/nodes/n$i/etc/sshd.log" || true; done
}

# run_one VARIANT N TAG: one measured run; its line goes to res/VARIANT-N.tsv (TAG run) or
# res/VARIANT-N.warm (warm-up); a run that lost a node goes to res/VARIANT-N.lost with the reason.
run_seq=0
run_one() {
  local v=$1 n=$2 tag=$3 log out why="" before after ok_lines
  run_seq=$((run_seq + 1))
  log="$work/logs/$v-$n-$tag.log"; out="$work/last.tsv"; : > "$out"
  tool_cmd "$v" "$n" "$work/cp/$run_seq"
  mkdir -p "$work/cp/$run_seq"
  before=$(accepted "$n")
  python3 "$measure" --sshd-pids "$work/sshd.pids" --out "$out" --log "$log" --timeout 900 -- "${cmd[@]}" || true
  after=$(accepted "$n")
  rm -rf "$work/cp/$run_seq"
  read -r rc _ _ _ _ _ _ leftovers idle < "$out" || { rc="no measurement"; leftovers=0; idle=1; }
  [ "$rc" = 0 ] || why="exit $rc"
  case ${v%@*} in
    pssh) ok_lines=$(grep -c '\[SUCCESS\]' "$log" || true)
          [ "$ok_lines" = "$n" ] || why="${why:+$why, }$ok_lines of $n [SUCCESS]" ;;
    ansible-*) ok_lines=$(grep -cE '^n[0-9]+ \| (CHANGED|SUCCESS) ' "$log" || true)
          [ "$ok_lines" = "$n" ] || why="${why:+$why, }$ok_lines of $n CHANGED/SUCCESS" ;;
  esac
  local silent
  silent=$(paste -d' ' <(echo "$before") <(echo "$after") | awk '$2 <= $1' | wc -l)
  [ "$silent" = 0 ] || why="${why:+$why, }$silent nodes without a new SSH login"
  [ "$idle" = 1 ] || why="${why:+$why, }sshd children still running 10 s after the run"
  if [ -z "$why" ]; then
    cat "$out" >> "$work/res/$v-$n.$tag"
  else
    echo "$why" >> "$work/res/$v-$n.lost"
    echo "   LOST: $v N=$n ($why); log: $(tail -3 "$log" | tr '\n' ' ' | cut -c1-300)" >&2
  fi
  [ "$leftovers" = 0 ] || echo "$leftovers" >> "$work/res/$v-$n.leftovers"
}
floor_one() { # floor_one default|pinned NODE: one cold `ssh NODE true`
  local o=(-F "$sshcfg")
  [ "$1" = pinned ] && o+=(-o "KexAlgorithms=$pinned_kex")
  python3 "$measure" --sshd-pids "$work/sshd.pids" --out "$work/res/floor-$1.tsv" \
    --log "$work/logs/floor.log" -- ssh "${o[@]}" "$2" true \
    || { echo "cold ssh to $2 failed: $(cat "$work/logs/floor.log")" >&2; exit 1; }
}

# --- which key exchange each tool negotiates (from the probe daemon's debug log) -----------------
echo "== key exchange of each tool (probe daemon)" >&2
declare -A kex_of
for v in "${variants[@]}"; do
  tool_cmd "$v" kexprobe "$work/cp/probe"
  mkdir -p "$work/cp/probe"
  : > "$probe_dir/etc/sshd.log.mark"
  lines_before=$(wc -l < "$probe_dir/etc/sshd.log")
  python3 "$measure" --out "$work/probe.tsv" --log "$work/logs/probe-$v.log" -- "${cmd[@]}" \
    || { echo "$v failed on the probe node: $(tail -5 "$work/logs/probe-$v.log")" >&2; exit 1; }
  kex_of[$v]=$(tail -n +"$((lines_before + 1))" "$probe_dir/etc/sshd.log" \
    | sed -n 's/.*kex: algorithm: \([^ ]*\).*/\1/p' | sort | uniq -c | awk '{printf "%s%s", (NR > 1 ? ", " : ""), $2}')
  rm -rf "$work/cp/probe"
  echo "   $v: ${kex_of[$v]}" >&2
done
if [ "$hoist_kex_ok" = 0 ]; then
  for t in hoist hoist-min; do kex_of[$t@pinned]=${kex_of[$t]:-}; done
fi

# --- the runs ------------------------------------------------------------------------------------
per_round=$(( (floor_runs + runs - 1) / runs ))
for n in $nodes_list; do
  echo "== N=$n: warm-up of each, then $runs interleaved rounds (${#variants[@]} tools + $per_round cold ssh pairs each)" >&2
  for v in "${variants[@]}"; do run_one "$v" "$n" warm; done
  floor_one default n1; floor_one pinned n1
  : > "$work/res/floor-default.tsv"; : > "$work/res/floor-pinned.tsv"
  k=0
  for r in $(seq 1 "$runs"); do
    line=""
    for v in "${variants[@]}"; do
      run_one "$v" "$n" tsv
      line+="$v $(tail -1 "$work/res/$v-$n.tsv" 2>/dev/null | cut -d' ' -f2)s "
    done
    for _ in $(seq 1 "$per_round"); do
      node="n$(( k % (n < 10 ? n : 10) + 1 ))"; k=$((k + 1))
      floor_one default "$node"; floor_one pinned "$node"
    done
    echo "   round $r: $line" >&2
  done
  cp "$work/res/floor-default.tsv" "$work/res/floor-default-$n.tsv"
  cp "$work/res/floor-pinned.tsv" "$work/res/floor-pinned-$n.tsv"
done

# --- the report ------------------------------------------------------------------------------------
nproc_=$(nproc)
med() { bench_median "$work/res/$1-$2.tsv" "$3"; }                 # med VARIANT N COLUMN
fmt() { awk -v v="${1:-}" -v d="${2:-2}" 'BEGIN { if (v == "") print "–"; else printf "%.*f", d, v }'; }
mib() { awk -v v="${1:-}" 'BEGIN { if (v == "") print "–"; else printf "%.0f", v / 1024 }'; }
lost() { if [ -f "$work/res/$1-$2.lost" ]; then wc -l < "$work/res/$1-$2.lost"; else echo 0; fi; }
okruns() { if [ -f "$work/res/$1-$2.tsv" ]; then wc -l < "$work/res/$1-$2.tsv"; else echo 0; fi; }
floor_of() { # floor_of default|pinned N -> seconds: N x (median client + median server CPU) / nproc
  local c s
  c=$(bench_median "$work/res/floor-$1-$2.tsv" 3); s=$(bench_median "$work/res/floor-$1-$2.tsv" 4)
  awk -v n="$2" -v c="$c" -v s="$s" -v p="$nproc_" 'BEGIN { printf "%.3f", n * (c + s) / p }'
}
# The variant that stands for tool T in the table of a key exchange: TOOL or TOOL@pinned; hoist's
# default runs stand in the pinned table when its key exchange cannot be pinned.
vof() { # vof TOOL default|pinned
  if [ "$2" = default ] || { [[ $1 == hoist* ]] && [ "$hoist_kex_ok" = 0 ]; }; then echo "$1"; else echo "$1@pinned"; fi
}

echo "## Fan-out: one trivial command on N nodes"
echo
echo "$(date -u +%Y-%m-%dT%H:%MZ); $runs interleaved rounds after one warm-up per tool and N; medians;" \
  "load average at the end $(cut -d' ' -f1-3 /proc/loadavg); took $(( $(date +%s) - started )) s."
echo "hoist: \`java${java_opts:+ $java_opts}${cds_opts:+ -XX:SharedArchiveFile=hoist.jsa} -jar hoist.jar -q -c cluster.yaml inspect --max-parallel N\`,"
echo "**$cds_note.** Version command"
echo "\`echo 1.0.0\`, \`layout.min_free: 0\` (the disk check is skipped: no \`df\`); **\"1 check\", the issue's set-up, runs"
echo "2 commands per node (version, \`true\`) in one batch on one SSH connection**; \"no check\" runs the version command"
echo "alone (in the node's remote shell, not a batch). Peers run \`true\` once per node. Key exchange negotiated (probe daemon's log):"
echo
echo "| tool | default | pinned |"
echo "|---|---|---|"
for t in $tools; do
  p=${kex_of[$t@pinned]:-}
  if [ "$hoist_kex_ok" = 0 ] && [[ $t == hoist* ]]; then p="$p (cannot be pinned: this build has no \`ssh.kex\`)"; fi
  echo "| $(label "$t") | ${kex_of[$t]:-} | $p |"
done
echo
for variant in default pinned; do
  if [ "$variant" = default ]; then
    echo "### Each tool's default key exchange: wall time, s (median)"
  else
    echo "### All pinned to $pinned_kex: wall time, s (median)"
  fi
  echo
  hdr="| N |"; sep="|---|"
  for t in $tools; do hdr+=" $(label "$t") |"; sep+="---|"; done
  echo "$hdr floor | hoist / best peer | hoist / floor | hoist / ansible command | hoist / parallel-ssh |"
  echo "$sep---|---|---|---|---|"
  for n in $nodes_list; do
    row="| $n |"; best=""
    for t in $tools; do
      v=$(vof "$t" "$variant")
      w=$(med "$v" "$n" 2); l=$(lost "$v" "$n")
      cell=$(fmt "$w"); [ "$l" = 0 ] || cell+=" (**$l lost**)"
      row+=" $cell |"
      bench_result "fanout.$variant.$n.$t.wall" "${w:-nan}"
      bench_result "fanout.$variant.$n.$t.lost" "$l"
      bench_result "fanout.$variant.$n.$t.runs" "$(okruns "$v" "$n")"
      bench_result "fanout.$variant.$n.$t.client" "$(med "$v" "$n" 3)"
      bench_result "fanout.$variant.$n.$t.server" "$(med "$v" "$n" 4)"
      bench_result "fanout.$variant.$n.$t.peak_kib" "$(med "$v" "$n" 5)"
      if [[ $t != hoist* ]] && [ -n "$w" ]; then
        best=$(awk -v a="$w" -v b="$best" 'BEGIN { print (b == "" || a < b) ? a : b }')
      fi
    done
    hw=$(med "$(vof hoist "$variant")" "$n" 2)
    f=$(floor_of "$variant" "$n")
    bench_result "fanout.$variant.$n.floor" "$f"
    bench_result "fanout.$variant.$n.best_peer" "${best:-nan}"
    echo "$row $(fmt "$f") | $(bench_ratio "$hw" "$best") | $(bench_ratio "$hw" "$f") |" \
      "$(bench_ratio "$hw" "$(med "$(vof ansible-command "$variant")" "$n" 2)") |" \
      "$(bench_ratio "$hw" "$(med "$(vof pssh "$variant")" "$n" 2)") |"
  done
  echo
done
bench_result fanout.hoist_kex_pinnable "$hoist_kex_ok"
bench_result fanout.hoist_cds "$([ -n "$cds_opts" ] && echo 1 || echo 0)"

echo "### Cost of each run (medians): client CPU (user+sys of the whole process tree), server CPU"
echo "### (all sshd daemons and what they ran), peak RSS (sum over the tree, sampled every 20 ms)"
echo
echo "| N | key exchange | tool | runs ok / lost | wall s | client CPU s | server CPU s | peak tree MiB | largest process MiB | sampler CPU s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in $nodes_list; do
  for v in "${variants[@]}"; do
    kx=default; [ "$v" != "${v%@pinned}" ] && kx=pinned
    echo "| $n | $kx | $(label "$v") | $(okruns "$v" "$n") / $(lost "$v" "$n") | $(fmt "$(med "$v" "$n" 2)") |" \
      "$(fmt "$(med "$v" "$n" 3)") | $(fmt "$(med "$v" "$n" 4)") | $(mib "$(med "$v" "$n" 5)") |" \
      "$(mib "$(med "$v" "$n" 6)") | $(fmt "$(med "$v" "$n" 7)") |"
  done
  for kx in default pinned; do
    fc=$(bench_median "$work/res/floor-$kx-$n.tsv" 3); fs=$(bench_median "$work/res/floor-$kx-$n.tsv" 4)
    echo "| $n | $kx | one cold \`ssh NODE true\` ($(wc -l < "$work/res/floor-$kx-$n.tsv") runs) | | $(fmt "$(bench_median "$work/res/floor-$kx-$n.tsv" 2)" 3) |" \
      "$(fmt "$fc" 3) | $(fmt "$fs" 3) | $(mib "$(bench_median "$work/res/floor-$kx-$n.tsv" 5)") | | |"
    bench_result "fanout.floor_ssh.$kx.$n.client" "$fc"
    bench_result "fanout.floor_ssh.$kx.$n.server" "$fs"
  done
done
echo
echo "floor = N x (client CPU + server CPU of one cold \`ssh NODE true\`, medians of the cold runs taken in"
echo "the same rounds) / $nproc_ cores. A lost run (a node did not answer, a non-zero exit, a timeout) is"
echo "not in the medians; its reason is listed below."
echo
lostfiles=("$work"/res/*.lost)
if [ -e "${lostfiles[0]}" ]; then
  echo "Lost runs:"
  for f in "${lostfiles[@]}"; do echo "* $(basename "$f" .lost): $(sort "$f" | uniq -c | awk '{c=$1; $1=""; printf "%s%d x%s", (NR > 1 ? "; " : ""), c, $0}')"; done
  echo
fi
echo "<details><summary>Raw wall times per run (s)</summary>"
echo
for n in $nodes_list; do
  for v in "${variants[@]}"; do
    [ -f "$work/res/$v-$n.tsv" ] && echo "* N=$n $v: $(cut -d' ' -f2 "$work/res/$v-$n.tsv" | tr '\n' ' ')"
  done
done
echo
echo "</details>"
