#!/usr/bin/env bash
# Benchmark: hoist's orchestration overhead on a rolling upgrade. Every phase command is a fixed
# sleep; the plan (hoist --output json upgrade --cluster --dry-run) gives the critical path those
# sleeps imply (batches one after another, a batch costs its slowest node's phase sleeps, plus the
# serial role's settle waits). The release is staged beforehand, so the timed
# `hoist upgrade --cluster --yes` measures the switch, JVM start included, with the JVM options the
# Debian launcher gives that command (bench_launcher_opts in lib.sh: C1 alone, the serial collector).
# The peer, timed in the same run, is a plain bash runbook: the same commands, one `ssh` per
# command, the same batch order. Runs are interleaved (hoist, peer, hoist, peer, ...); the result
# is medians and the ratio of medians. Nodes are OpenSSH sshd daemons on 127.0.0.1 high ports (as
# in bench/prepare.sh), stopped by PID on exit. Every build of hoist maps a class-data sharing
# archive made for it as the Debian package makes one (bench_cds in lib.sh). See bench/README.md.
#
# Usage: bench/overhead.sh [--nodes 20] [--runs 5] [--db 4] [--parallel 4] [--unit 0.4]
#                          [--settle 1] [--jar target/hoist.jar] [--java-opts "..."] [--keep]
#                          [--no-trace] [--no-cds] [--also LABEL=JAR]... [--also-opts LABEL=OPTS]...
# --also times another build of hoist (an older commit's jar, say) in the same rounds, interleaved
# with the others, so that two builds are compared under the same load (its archive is dumped from
# the class list next to it, else from the one of the jar under test). --also-opts times the jar
# under test with other JVM options (the full JIT, say) the same way.
# --no-cds: no class-data archive of hoist's (only the JDK's default one), to compare.
# After the timed runs, one traced run (not in the medians) stamps the start and end of every
# phase command on the node, to split hoist's overhead into start-up, per-phase, between-batch and
# tail time; `hoist upgrade --dry-run` and `hoist version prepare` (the no-op) are timed alone.
set -euo pipefail

n_nodes=20
runs=5
n_db=4
parallel=4
unit=0.4          # seconds; stop, start and health sleep 2 units, retire, migrate and rejoin 1
settle=1          # seconds, the serial role's settle
jar=target/hoist.jar
java_opts=""
java_opts_given=0
keep=0
trace=1
also_label=()
also_jar=()
declare -A opts_of
bench_no_cds=0
usage() { sed -n '14,21p' "$0" | sed 's/^# //'; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --nodes) n_nodes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --db) n_db=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --unit) unit=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --java-opts) java_opts=$2; java_opts_given=1; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-trace) trace=0; shift ;;
    --no-cds) bench_no_cds=1; shift ;;
    --also)
      [[ ${2:-} =~ ^([a-z0-9][a-z0-9._-]*)=(.+)$ ]] || { echo "--also wants LABEL=JAR (label: a-z 0-9 . _ -)" >&2; exit 2; }
      [ "${BASH_REMATCH[1]}" != hoist ] || { echo "--also: the label hoist is taken" >&2; exit 2; }
      [ -f "${BASH_REMATCH[2]}" ] || { echo "--also: no jar at ${BASH_REMATCH[2]}" >&2; exit 2; }
      also_label+=("${BASH_REMATCH[1]}"); also_jar+=("$(realpath "${BASH_REMATCH[2]}")"); shift 2 ;;
    --also-opts)
      [[ ${2:-} =~ ^([a-z0-9][a-z0-9._-]*)=(.*)$ ]] || { echo "--also-opts wants LABEL=OPTS (label: a-z 0-9 . _ -)" >&2; exit 2; }
      [ "${BASH_REMATCH[1]}" != hoist ] || { echo "--also-opts: the label hoist is taken" >&2; exit 2; }
      also_label+=("${BASH_REMATCH[1]}"); also_jar+=(""); opts_of[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
int() { case $2 in ''|*[!0-9]*) echo "$1 must be a non-negative integer" >&2; exit 2 ;; esac; }
int --nodes "$n_nodes"; int --runs "$runs"; int --db "$n_db"; int --parallel "$parallel"; int --settle "$settle"
[ "$runs" -ge 1 ] || { echo "--runs must be at least 1" >&2; exit 2; }
[ "$parallel" -ge 1 ] || { echo "--parallel must be at least 1" >&2; exit 2; }
if [ "$n_nodes" -lt $((n_db + 2)) ] || [ "$n_nodes" -gt 100 ]; then
  echo "--nodes must be between --db + 2 and 100" >&2; exit 2
fi
[[ $unit =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "--unit must be a number of seconds" >&2; exit 2; }
for tool in java jq python3 /usr/sbin/sshd ssh ssh-keygen ssh-keyscan; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "missing $tool (apt-get install -y openssh-server openssh-client jq python3)" >&2; exit 2; }
done
[ -f "$jar" ] || { echo "no jar at $jar (mvn -B -o -q package -DskipTests)" >&2; exit 2; }
jar=$(realpath "$jar")

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init hoist-overhead
# Each build runs as the copy its archive was dumped for; the timed command lines get the archive.
list_of_jar="$(dirname "$jar")/deb/hoist.classlist"
declare -A cds_of
for i in "${!also_jar[@]}"; do
  [ -n "${also_jar[$i]}" ] || continue # --also-opts: the jar under test
  bench_cds "${also_jar[$i]}" "also-${also_label[$i]}" "$list_of_jar"
  also_jar[i]=$cds_jar; cds_of[${also_label[$i]}]=$cds_opts
done
bench_cds "$jar"
jar=$cds_jar; cds_of[hoist]=$cds_opts
for i in "${!also_jar[@]}"; do
  [ -n "${also_jar[$i]}" ] || { also_jar[i]=$jar; cds_of[${also_label[$i]}]=$cds_opts; }
done
export HOIST_STATE_DIR="$work/state"  # never the invoking user's state
# The JVM options: the launcher's for each command (--java-opts: these instead, for every command).
bench_launcher_opts -c cluster.yaml upgrade --cluster --yes; upgrade_opts=$launcher_opts
bench_launcher_opts -c cluster.yaml version prepare 1.1.0; prepare_opts=$launcher_opts
if [ "$java_opts_given" = 1 ]; then upgrade_opts=$java_opts; prepare_opts=$java_opts; fi
java_opts=$upgrade_opts
for l in "${also_label[@]}"; do [ -n "${opts_of[$l]+set}" ] || opts_of[$l]=$java_opts; done
opts_of[hoist]=$java_opts

# Nodes: edge-* and app-* (max_parallel --parallel each), db-* (serial, settle, leader db-1).
names=()
declare -A port role
n_rest=$((n_nodes - n_db))
for i in $(seq 1 $(((n_rest + 1) / 2))); do names+=("edge-$i"); role[edge-$i]=edge; done
for i in $(seq 1 $((n_rest / 2))); do names+=("app-$i"); role[app-$i]=app; done
for i in $(seq 1 "$n_db"); do names+=("db-$i"); role[db-$i]=db; done

echo "== setting up $n_nodes sshd nodes in $work" >&2
for n in "${names[@]}"; do
  home="$work/nodes/$n"
  mkdir -p "$home/releases/1.0.0"
  echo 1.0.0 > "$home/releases/1.0.0/VERSION"
  ln -s releases/1.0.0 "$home/current"
  bench_sshd_start "$home"
  port[$n]=$sshd_port
done
touch "$work/nodes/db-1/leader"
ports=()
for n in "${names[@]}"; do ports+=("${port[$n]}"); done
bench_sshd_wait "${ports[@]}"

# The sleeps of each phase command, in seconds.
s_big=$(awk -v u="$unit" 'BEGIN { printf "%g", 2 * u }')
s_small=$(awk -v u="$unit" 'BEGIN { printf "%g", u }')
declare -A sleep_of=([retire]=$s_small [stop]=$s_big [start]=$s_big [migrate]=$s_small
                     [post-validate]=$s_big [rejoin]=$s_small)

echo "== packing and staging release 1.1.0" >&2
mkdir -p "$work/build/1.1.0" "$work/repo"
echo 1.1.0 > "$work/build/1.1.0/VERSION"
java -jar "$jar" -q version pack "$work/build/1.1.0" --version 1.1.0 --product bench --into "$work/repo" >/dev/null

write_cluster() { # write_cluster FILE [trace]: with "trace", every phase command stamps its start and end
  local file=$1 t=${2:-} n
  c() { if [ -n "$t" ]; then echo "date +%s%N >&2; $1; date +%s%N >&2"; else echo "$1"; fi; }
  {
    cat <<YAML
cluster: overhead
release:
  repository: file:$work/repo
  bundle: bench-\${version}.tar.gz
  cache: $work/cache/hoist
ssh:
  user: $user
  identity: $key
  known_hosts: $kh
  config: none
layout: { min_free: 1MiB }
role_order: [edge, app, db]
roles:
  edge: { max_parallel: $parallel, retire: "$(c "sleep $s_small")", rejoin: "$(c "sleep $s_small")" }
  app: { max_parallel: $parallel, retire: "$(c "sleep $s_small")", rejoin: "$(c "sleep $s_small")" }
  db: { serial: true, settle: ${settle}s, leader: "test -f \${home}/leader" }
commands:
  version: "$(c "cat \${home}/current/VERSION")"
  stop: "$(c "sleep $s_big")"
  start: "$(c "sleep $s_big")"
  migrate: "$(c "sleep $s_small")"
  health: { run: "$(c "sleep $s_big")", retries: 0, interval: 1s }
nodes:
YAML
    for n in "${names[@]}"; do
      echo "  - { name: $n, host: 127.0.0.1, ssh: { port: ${port[$n]} }, roles: [${role[$n]}], layout: { home: $work/nodes/$n } }"
    done
  } > "$file"
}
cluster="$work/cluster.yaml"
write_cluster "$cluster"
# shellcheck disable=SC2086 # the options are lists of words
hoist_q() { java $java_opts $cds_opts -jar "$jar" -q -c "$cluster" "$@"; }
# shellcheck disable=SC2086
hoist_prepare() { java $prepare_opts $cds_opts -jar "$jar" -q -c "$cluster" version prepare "$@"; }
hoist_prepare 1.1.0 --max-parallel "$n_nodes" >/dev/null
for n in "${names[@]}"; do
  [ -f "$work/nodes/$n/releases/1.1.0/.hoist-staged" ] || { echo "1.1.0 not staged on $n" >&2; exit 1; }
done

# The plan, and the critical path it implies.
hoist_q --output json upgrade --cluster --dry-run --to 1.1.0 > "$work/plan.json"
sleeps_json=$(for p in "${!sleep_of[@]}"; do echo "\"$p\": ${sleep_of[$p]}"; done | paste -sd, | sed 's/^/{/; s/$/}/')
# One line per batch: "HOP BATCH SERIAL_ROLE NODES COST_S node,node,..."
jq -r --argjson s "$sleeps_json" '
  .hops[] | .hop as $h | .batches[] |
  [ $h, .batch, (.serial_role // "-"), (.nodes | length),
    ([.nodes[] | [.steps[].phase | $s[.] // 0] | add] | max),
    ([.nodes[].node] | join(",")) ] | @tsv' "$work/plan.json" > "$work/batches.tsv"
# Settle: after a serial batch that another batch of its role follows in the same hop.
critical=$(awk -F'\t' -v settle="$settle" '
  { hop[NR] = $1; role[NR] = $3; cost[NR] = $5; total += $5 }
  END {
    for (i = 1; i <= NR; i++) if (role[i] != "-")
      for (j = i + 1; j <= NR; j++) if (hop[j] == hop[i] && role[j] == role[i]) { total += settle; settles++; break }
    printf "%.3f %d\n", total, settles }' "$work/batches.tsv")
settles=${critical#* }
critical=${critical% *}
n_batches=$(wc -l < "$work/batches.tsv")
echo "   plan: $n_batches batches, $settles settle waits, critical path ${critical}s" >&2

# --- the runs ------------------------------------------------------------------------------------
reset_nodes() { # back to 1.0.0 (outside the timing; hoist never downgrades)
  local n
  for n in "${names[@]}"; do ln -sfn releases/1.0.0 "$work/nodes/$n/current"; done
}
check_nodes() { # check_nodes WHO: every node on 1.1.0
  local n link
  for n in "${names[@]}"; do
    link=$(readlink "$work/nodes/$n/current")
    case $link in */releases/1.1.0|releases/1.1.0) ;;
      *) echo "$1 left $n on $link" >&2; exit 1 ;; esac
  done
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

run_hoist() { # run_hoist I [LABEL JAR]: the jar under test, or the --also build LABEL
  local t0 code=0 label=${2:-hoist} with=${3:-$jar}
  reset_nodes; sync
  t0=$(date +%s%N)
  # shellcheck disable=SC2086 # the options are lists of words
  java ${opts_of[$label]} ${cds_of[$label]} -jar "$with" -c "$cluster" --output json upgrade --cluster --yes --to 1.1.0 \
    > "$work/$label-$1.json" 2> "$work/$label-$1.err" || code=$?
  ms_since "$t0" >> "$work/$label.ms"
  [ "$code" = 0 ] || { echo "$label run $1 exited $code" >&2; tail -20 "$work/$label-$1.err" >&2; exit 1; }
  check_nodes "$label"
}

# The peer: what a hand-written runbook does, one ssh per command.
sshn() { # sshn NODE COMMAND
  ssh -n -q -p "${port[$1]}" -i "$key" -o UserKnownHostsFile="$kh" -o StrictHostKeyChecking=yes \
    -o BatchMode=yes -o ConnectTimeout=10 "$user@127.0.0.1" "$2"
}
peer_node() { # peer_node NODE: the node's steps, in hoist's phase order
  local n=$1 home="$work/nodes/$1" r=${role[$1]}
  [ "$(sshn "$n" "cat $home/current/VERSION")" = 1.0.0 ] || { echo "peer: $n not on 1.0.0" >&2; return 1; }
  if [ "$r" != db ]; then sshn "$n" "sleep $s_small"; fi
  sshn "$n" "sleep $s_big"
  sshn "$n" "test -d $home/releases/1.1.0 && ln -sfn $home/releases/1.1.0 $home/.current.tmp && mv -Tf $home/.current.tmp $home/current"
  sshn "$n" "sleep $s_big"
  sshn "$n" "sleep $s_small"
  sshn "$n" "sleep $s_big"
  if [ "$r" != db ]; then sshn "$n" "sleep $s_small"; fi
}
peer() {
  local n leader batch nodes_csv left pid
  local -a order=() running=()
  # Pre-flight: every node's version, in parallel (as hoist's plan reads them).
  for n in "${names[@]}"; do sshn "$n" "cat $work/nodes/$n/current/VERSION" >/dev/null & running+=($!); done
  for pid in "${running[@]}"; do wait "$pid"; done
  # The batches in plan order; the serial role's leader (asked on each db node) moved last.
  leader=""
  for n in "${names[@]}"; do
    if [ "${role[$n]}" = db ] && sshn "$n" "test -f $work/nodes/$n/leader"; then leader=$n; fi
  done
  while IFS=$'\t' read -r _ _ _ _ _ nodes_csv; do
    [ "$nodes_csv" = "$leader" ] || order+=("$nodes_csv")
  done < "$work/batches.tsv"
  [ -z "$leader" ] || order+=("$leader")
  left=$n_db
  for batch in "${order[@]}"; do
    running=()
    for n in ${batch//,/ }; do peer_node "$n" & running+=($!); done
    for pid in "${running[@]}"; do wait "$pid"; done
    # the serial role's settle, before the next db node goes down
    if [ "${role[${batch%%,*}]}" = db ]; then
      left=$((left - 1))
      if [ "$left" -gt 0 ]; then sleep "$settle"; fi
    fi
  done
}
run_peer() {
  local t0
  reset_nodes; sync
  t0=$(date +%s%N)
  peer
  ms_since "$t0" >> "$work/peer.ms"
  check_nodes peer
}
jvm_only() {
  local t0; t0=$(date +%s%N)
  # shellcheck disable=SC2086
  java $java_opts $cds_opts -jar "$jar" --version >/dev/null
  ms_since "$t0" >> "$work/jvm.ms"
}

echo "== warm-up (a dry run and one ssh per node), then $runs interleaved runs" >&2
hoist_q upgrade --cluster --dry-run --to 1.1.0 >/dev/null
for n in "${names[@]}"; do sshn "$n" true; done
start_all=$(date +%s)
labels=(hoist "${also_label[@]}")
jars=("$jar" "${also_jar[@]}")
for r in $(seq 1 "$runs"); do
  # The builds take turns going first (round r starts with build r mod count).
  for k in "${!labels[@]}"; do
    i=$(( (k + r - 1) % ${#labels[@]} ))
    run_hoist "$r" "${labels[$i]}" "${jars[$i]}"
  done
  run_peer; jvm_only
  line=""
  for l in "${labels[@]}"; do line+="$l $(tail -1 "$work/$l.ms") ms, "; done
  echo "   run $r: ${line}peer $(tail -1 "$work/peer.ms") ms" >&2
done

# --- the report ----------------------------------------------------------------------------------
median() { sort -g "$1" | awk '{a[NR] = $1} END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
hw=$(median "$work/hoist.ms"); pw=$(median "$work/peer.ms"); jw=$(median "$work/jvm.ms")
cp_ms=$(awk -v c="$critical" 'BEGIN { printf "%d", c * 1000 }')
pct() { awk -v a="$1" -v c="$cp_ms" 'BEGIN { printf "%.1f", (a - c) * 100 / c }'; }
per() { awk -v a="$1" -v c="$cp_ms" -v d="$2" 'BEGIN { printf "%.0f", (a - c) / d }'; }

# Where hoist's time goes, from its JSON (all runs): each phase's duration minus its sleep, and the
# time outside the phases (JVM, plan, staging check, leader probe, report).
for l in "${labels[@]}"; do
  for f in "$work/$l"-*.json; do
    jq -r --argjson s "$sleeps_json" '.nodes[] | .node as $n | .phases[] | select(.undo | not) |
      [$n, .phase, .duration_ms, (.duration_ms - (($s[.phase] // 0) * 1000))] | @tsv' "$f"
  done > "$work/$l.phases.tsv"
done
# In-phase path of a run: per batch the slowest node's phase total, plus the settle waits.
inphase() { # inphase RUN_JSON -> ms
  jq -r '.nodes[] | [.node, ([.phases[] | select(.undo | not) | .duration_ms] | add)] | @tsv' "$1" \
    | awk -F'\t' -v settle="$settle" -v settles="$settles" '
        FNR == NR { d[$1] = $2; next }
        { split($6, ns, ","); m = 0; for (k in ns) if (d[ns[k]] > m) m = d[ns[k]]; t += m }
        END { printf "%d\n", t + settle * 1000 * settles }' - "$work/batches.tsv"
}
for l in "${labels[@]}"; do
  : > "$work/$l.inphase.ms"
  for f in "$work/$l"-*.json; do inphase "$f" >> "$work/$l.inphase.ms"; done
done

echo
echo "# hoist rolling-upgrade overhead — $(date -u +%Y-%m-%dT%H:%MZ)"
echo "env: nproc=$(nproc), loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "     $(ssh -V 2>&1)"
echo "     $(java -version 2>&1 | head -2 | tr '\n' ' ')"
echo "     $(java -jar "$jar" --version 2>/dev/null | head -1); $cds_note"
echo "     JVM options (the launcher's unless --java-opts): upgrade: $upgrade_opts; version prepare: $prepare_opts"
for l in "${also_label[@]}"; do
  [ "${opts_of[$l]}" = "$java_opts" ] || echo "     $l (--also-opts): the jar under test with: ${opts_of[$l]}"
done
echo "nodes: $n_nodes (edge $(((n_rest + 1) / 2)), app $((n_rest / 2)), max_parallel $parallel; db $n_db serial, settle ${settle}s)"
echo "sleeps: stop/start/health ${s_big}s, retire/migrate/rejoin ${s_small}s; runs: $runs, interleaved; $(( $(date +%s) - start_all ))s"
echo "plan: $n_batches batches, $settles settle waits -> critical path ${critical}s"
echo
printf '%-22s %9s %9s %10s %12s\n' "" "median s" "over cp" "per batch" "per node"
printf '%-22s %9s %8s%% %8s ms %9s ms\n' "hoist upgrade --yes" "$(awk -v v="$hw" 'BEGIN{printf "%.2f", v/1000}')" \
  "$(pct "$hw")" "$(per "$hw" "$n_batches")" "$(per "$hw" "$n_nodes")"
for l in "${also_label[@]}"; do
  w=$(median "$work/$l.ms")
  printf '%-22s %9s %8s%% %8s ms %9s ms\n' "$l (--also)" "$(awk -v v="$w" 'BEGIN{printf "%.2f", v/1000}')" \
    "$(pct "$w")" "$(per "$w" "$n_batches")" "$(per "$w" "$n_nodes")"
done
printf '%-22s %9s %8s%% %8s ms %9s ms\n' "peer (ssh runbook)" "$(awk -v v="$pw" 'BEGIN{printf "%.2f", v/1000}')" \
  "$(pct "$pw")" "$(per "$pw" "$n_batches")" "$(per "$pw" "$n_nodes")"
echo "ratio hoist/peer (medians): $(awk -v a="$hw" -v b="$pw" 'BEGIN { printf "%.3f", a / b }')"
bench_result overhead.hoist_ms "$hw"; bench_result overhead.critical_ms "$cp_ms"
bench_result overhead.pct "$(pct "$hw")"; bench_result overhead.peer_ms "$pw"
for l in "${also_label[@]}"; do
  w=$(median "$work/$l.ms")
  echo "ratio $l/peer: $(awk -v a="$w" -v b="$pw" 'BEGIN { printf "%.3f", a / b }');" \
    "hoist - $l: $(awk -v a="$hw" -v b="$w" 'BEGIN { printf "%+.0f", a - b }') ms (medians);" \
    "per round: $(paste -d' ' "$work/hoist.ms" "$work/$l.ms" | awk '{ printf "%+d ", $1 - $2 }')ms"
done
echo "JVM alone (hoist --version): $(awk -v v="$jw" 'BEGIN{printf "%.2f", v/1000}')s median"
echo
for l in "${labels[@]}"; do
  lw=$(median "$work/$l.ms"); li=$(median "$work/$l.inphase.ms")
  echo "where $l's time goes (medians over all runs):"
  echo "  in-phase path (slowest node per batch + settles): $(awk -v v="$li" 'BEGIN{printf "%.2f", v/1000}')s," \
    "i.e. $(awk -v v="$li" -v c="$cp_ms" 'BEGIN{printf "%.0f", v - c}') ms over the critical path;" \
    "outside the phases (JVM, plan, staging check, leader probe, report): $(awk -v v="$li" -v h="$lw" 'BEGIN{printf "%.0f", h - v}') ms"
  printf '  %-14s %8s %8s %8s   (phase duration minus its sleep, ms, per node)\n' phase median p90 max
  for p in version-check retire stop install start migrate post-validate rejoin; do
    awk -F'\t' -v p="$p" '$2 == p {print $4}' "$work/$l.phases.tsv" | sort -g | awk -v p="$p" '
      { a[NR] = $1 }
      END { if (!NR) exit; q = int(NR * 0.9 + 0.5); if (q < 1) q = 1
            printf "  %-14s %8d %8d %8d\n", p, a[int((NR + 1) / 2)], a[q], a[NR] }'
  done
done
echo
raw=""
for l in "${labels[@]}"; do raw+="$l $(paste -sd' ' "$work/$l.ms"); $l in-phase $(paste -sd' ' "$work/$l.inphase.ms"); "; done
echo "raw runs (ms): ${raw}peer $(paste -sd' ' "$work/peer.ms"); jvm $(paste -sd' ' "$work/jvm.ms")"

[ "$trace" = 1 ] || exit 0
# --- the traced run: where the overhead goes ------------------------------------------------------
echo >&2
echo "== traced run (not in the medians) and the start-up steps alone" >&2
write_cluster "$work/cluster-trace.yaml" trace
: > "$work/dry.ms"; : > "$work/prep.ms"
for _ in 1 2 3; do
  t0=$(date +%s%N); hoist_q --output json upgrade --cluster --dry-run --to 1.1.0 >/dev/null; ms_since "$t0" >> "$work/dry.ms"
  t0=$(date +%s%N); hoist_prepare 1.1.0 --max-parallel "$n_nodes" >/dev/null; ms_since "$t0" >> "$work/prep.ms"
done
reset_nodes; sync
before_runs=$(ls "$HOIST_STATE_DIR/runs")   # a run's id gets -2, -3... within one second
accepted() { cat "$work"/nodes/*/etc/sshd.log | grep -c 'Accepted publickey' || true; }
accepted_before=$(accepted)
launch=$(date +%s%N)
# -v: each command hoist runs is logged on stderr (plan, staging check, run), each line stamped here
# with the milliseconds since the launch, to split the start-up.
# shellcheck disable=SC2016 # a python program
java $java_opts $cds_opts -jar "$jar" -v -c "$work/cluster-trace.yaml" --output json upgrade --cluster --yes --to 1.1.0 \
  2>&1 > "$work/trace.json" | python3 -u -c '
import sys, time
t0 = int(sys.argv[1])
for line in sys.stdin:
    print("%d %s" % ((time.time_ns() - t0) // 1000000, line), end="")' "$launch" > "$work/trace.err" \
  || { tail -20 "$work/trace.err" >&2; exit 1; }
ended=$(date +%s%N)
check_nodes traced
echo "SSH connections opened by the traced upgrade: $(( $(accepted) - accepted_before )) for $n_nodes nodes (sshd logs)"
logdir=$(comm -13 <(echo "$before_runs") <(ls "$HOIST_STATE_DIR/runs") | tail -1)
[ -n "$logdir" ] || { echo "no log directory for the traced run" >&2; exit 1; }

python3 - "$launch" "$ended" "$HOIST_STATE_DIR/runs/$logdir" "$work/trace.json" "$work/batches.tsv" \
  "$settle" "$(median "$work/jvm.ms")" "$(median "$work/dry.ms")" "$(median "$work/prep.ms")" "$work/trace.err" <<'PY'
import json, re, statistics as st, sys
from pathlib import Path
launch, ended = int(sys.argv[1]), int(sys.argv[2])
logs, run, batches = Path(sys.argv[3]), json.load(open(sys.argv[4])), sys.argv[5]
settle_ms, jvm, dry, prep = float(sys.argv[6]) * 1000, float(sys.argv[7]), float(sys.argv[8]), float(sys.argv[9])
ms = lambda ns: ns / 1e6

# Per node and phase: [begin, end] of the command on the node (epoch ns), from the node log.
stamps = {}
for f in logs.glob("*.log"):
    node, seen = f.stem, {}
    for line in f.read_text().splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4 and parts[2] == "stderr" and parts[3].isdigit():
            seen.setdefault(parts[1], []).append(int(parts[3]))
    stamps[node] = {p: (v[0], v[-1]) for p, v in seen.items() if len(v) >= 2}
dur = {n["node"]: {p["phase"]: p["duration_ms"] for p in n["phases"] if not p["undo"]} for n in run["nodes"]}

# Engine time per phase: the phase's duration in hoist minus the time its command ran on the node.
per_phase = {}
for node, phases in dur.items():
    for phase, d in phases.items():
        b = stamps.get(node, {}).get(phase)
        per_phase.setdefault(phase, []).append(d - (ms(b[1] - b[0]) if b else 0))
# Per node: from its first command's start to its last command's end, minus the commands' run time.
in_node = {}
for node, ph in stamps.items():
    spans = sorted(ph.values())
    in_node[node] = ms(spans[-1][1] - spans[0][0]) - sum(ms(e - b) for b, e in spans)
order = [l.rstrip("\n").split("\t") for l in open(batches)]
# Batches in run order: by their first command's start (the leader moves last).
bs = []
for row in order:
    nodes = row[5].split(",")
    first = min(stamps[n]["version-check"][0] for n in nodes)
    last = max(max(e for _, e in stamps[n].values()) for n in nodes)
    bs.append((first, last, row[2], nodes))
bs.sort()
gaps = []
for i in range(1, len(bs)):
    g = ms(bs[i][0] - bs[i - 1][1])
    if bs[i][2] != "-" and bs[i - 1][2] == bs[i][2]:
        g -= settle_ms
    gaps.append(g)
startup, tail = ms(bs[0][0] - launch), ms(ended - bs[-1][1])
total = ms(ended - launch)
crit_nodes = [max(bs_i[3], key=lambda n: ms(max(e for _, e in stamps[n].values()) - stamps[n]["version-check"][0])) for bs_i in bs]
in_batches = sum(in_node[n] for n in crit_nodes)
cmd_path = sum(ms(max(max(e for _, e in stamps[n].values()) for n in b[3]) - min(stamps[n]["version-check"][0] for n in b[3])) for b in bs) \
    - in_batches
print()
print(f"where the time of a traced run goes ({total / 1000:.2f} s; {len(bs)} batches, {len(dur)} nodes):")
print(f"  start-up to the first node's first command   {startup:8.0f} ms   (JVM alone {jvm:.0f} ms;"
      f" a dry run alone {dry:.0f} ms; a no-op prepare alone {prep:.0f} ms)")
# The start-up from hoist's -v log (ms since the launch): the plan's version reads (the first one
# starts once its node's connection is up), the gap to the staging note (lock, journal, live view),
# the staging (its own version read and the staged check per node), then the run.
log = []
for line in open(sys.argv[10]):
    t, _, text = line.partition(" ")
    if t.isdigit():
        log.append((int(t), text.rstrip("\n")))
cmd = re.compile(r"\[INFO\] (\w+) - [\w.-]+: (\$|exit)")
staging = next((t for t, x in log if re.search(r"hop 1 of \d+: staging", x)), None)
if staging is not None:
    before = [(t, m.group(1), m.group(2)) for t, x in log if t <= staging and (m := cmd.search(x))]
    after = [(t, m.group(1), m.group(2)) for t, x in log if t > staging and (m := cmd.search(x))]
    plan_first = min((t for t, w, k in before if k == "$"), default=staging)
    plan_last = max((t for t, w, k in before if k == "exit"), default=plan_first)
    first_cmd = ms(bs[0][0] - launch)
    stage_last = max((t for t, w, k in after if w in ("Inspector", "Stager") and k == "exit" and t < first_cmd),
                     default=staging)
    print("  start-up split (hoist -v, ms since launch):")
    print(f"    JVM, cluster file, the first connection up (first plan command)  {plan_first:6d}")
    print(f"    the plan's version reads, to the last answer                      {plan_last - plan_first:6d}")
    print(f"    plan to the staging note (lock, journal, live view)               {staging - plan_last:6d}")
    print(f"    staging check (version re-read, staged check, per node)           {stage_last - staging:6.0f}")
    print(f"    staging done to the first node's first command                    {first_cmd - stage_last:6.0f}")
print(f"  between batches, settle excluded            {sum(gaps):8.0f} ms   ({len(gaps)} gaps, median {st.median(gaps):.0f} ms, max {max(gaps):.0f} ms)")
print(f"  inside batches, between a node's commands   {in_batches:8.0f} ms   (slowest node of each batch; median per node {st.median(in_node.values()):.0f} ms)")
print(f"  after the last command to the exit          {tail:8.0f} ms")
print(f"  commands on the node (sleeps, cat, settles) {total - startup - sum(gaps) - in_batches - tail:8.0f} ms")
print("  engine time per phase (hoist's duration minus the command's time on the node), ms:")
print(f"    {'phase':14} {'median':>7} {'max':>7} {'nodes':>6}")
for phase in ["version-check", "retire", "stop", "install", "start", "migrate", "post-validate", "rejoin"]:
    v = per_phase.get(phase)
    if v:
        print(f"    {phase:14} {st.median(v):7.0f} {max(v):7.0f} {len(v):6d}")
# The version-check of a node in the run: on the connection the plan opened (one per node for the
# whole command); the db nodes' also after the leader probe used it.
vc = lambda pred: [d["version-check"] - ms(stamps[n]["version-check"][1] - stamps[n]["version-check"][0])
                   for n, d in dur.items() if pred(n) and "version-check" in d]
first, probed = vc(lambda n: not n.startswith("db-")), vc(lambda n: n.startswith("db-"))
if first and probed:
    print(f"  version-check engine time: edge and app {st.median(first):.0f} ms, db (after the leader"
          f" probe) {st.median(probed):.0f} ms (medians)")
PY
