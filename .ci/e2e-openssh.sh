#!/usr/bin/env bash
# End-to-end runs of the built jar against three OpenSSH sshd daemons on 127.0.0.1 high ports,
# each with its own host key, config and node directory; stopped by PID at the end.
# Usage: e2e-openssh.sh path/to/hoist.jar
set -euo pipefail
jar=$(realpath "$1")
work=$(mktemp -d /tmp/hoist-e2e.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "E2E FAIL: $*" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); echo "  ok: $*"; }

[ -d /run/sshd ] || { mkdir -p /run/sshd && chmod 0755 /run/sshd; }
user=$(id -un)
export HOME="$work/home"          # isolate: never the invoking user's ~/.ssh
export HOIST_STATE_DIR="$work/state"   # backups and node logs stay in the sandbox, also as root
mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh"
ssh-keygen -q -t ed25519 -N '' -f "$work/client_key" -C hoist-e2e

free_port() {
  python3 - 2>/dev/null <<'PY' || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

ports=()
for i in 1 2 3; do
  node="$work/nodes/n$i"
  mkdir -p "$node/releases/1.0.0" "$node/etc"
  echo "1.0.0" > "$node/releases/1.0.0/VERSION"
  ln -s releases/1.0.0 "$node/current"
  ssh-keygen -q -t ed25519 -N '' -f "$node/etc/host_key"
  port=$(free_port)
  ports+=("$port")
  cat > "$node/etc/sshd_config" <<CFG
ListenAddress 127.0.0.1:$port
HostKey $node/etc/host_key
PidFile $node/etc/sshd.pid
AuthorizedKeysFile $work/client_key.pub
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
MaxStartups 100:30:200
MaxSessions 50
Subsystem sftp internal-sftp
SetEnv NODE_DIR=$node HOME=$node
CFG
  /usr/sbin/sshd -f "$node/etc/sshd_config" -D -e 2>"$node/etc/sshd.log" &
  pids+=($!)
done

# Wait (bounded) until every daemon accepts connections.
for port in "${ports[@]}"; do
  for _ in $(seq 1 50); do
    if ssh-keyscan -T 1 -p "$port" 127.0.0.1 >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
done

cluster="$work/cluster.yaml"
mkdir -p "$work/repo"
# Real bundles, packed by the jar as a release engineer would (with 1 MiB of payload each).
for v in 1.0.0 1.1.0 1.2.0; do
  mkdir -p "$work/build/$v/bin"
  echo "$v" > "$work/build/$v/VERSION"
  printf '#!/bin/sh\necho acme %s\n' "$v" > "$work/build/$v/bin/acme"
  chmod 755 "$work/build/$v/bin/acme"
  head -c 1048576 /dev/urandom > "$work/build/$v/payload"
  java -jar "$jar" version pack "$work/build/$v" --version "$v" --product acme --into "$work/repo" >/dev/null
done
cat > "$cluster" <<YAML
cluster: e2e
release:
  repository: file:$work/repo
  bundle: acme-\${version}.tar.gz
  max_step: minor
  cache: $work/cache
ssh:
  user: $user
  identity: $work/client_key
  known_hosts: $HOME/.ssh/known_hosts
layout: { min_free: 1MiB }
role_order: [worker, db]
roles:
  worker: { max_parallel: 2 }
  db: { serial: true, leader: "test -f \${home}/leader" }
commands:
  version: "cat \${home}/current/VERSION"
  stop: "echo stopping \${node}"
  start: "echo starting \${node}"
  health: { run: "test -f \${home}/current/VERSION", retries: 3, interval: 1s }
checks:
  - { name: marker, run: "test -f \${home}/marker && echo marker present" }
nodes:
  - { name: n1, host: 127.0.0.1, ssh: { port: ${ports[0]} }, roles: [db], layout: { home: $work/nodes/n1 } }
  - { name: n2, host: 127.0.0.1, ssh: { port: ${ports[1]} }, roles: [worker], layout: { home: $work/nodes/n2 } }
  - { name: n3, host: 127.0.0.1, ssh: { port: ${ports[2]} }, roles: [worker], layout: { home: $work/nodes/n3 } }
YAML

hoist() { java -jar "$jar" -c "$cluster" --no-color "$@"; }
expect() { # expect CODE DESCRIPTION -- command...
  local want=$1 what=$2; shift 3
  set +e; out=$("$@" 2>"$work/stderr"); got=$?; set -e
  err=$(cat "$work/stderr")
  [ "$got" -eq "$want" ] || { echo "$out"; echo "$err" >&2; fail "$what: exit $got, expected $want"; }
}

echo "-- version"
expect 0 "--version" -- java -jar "$jar" --version
echo "$out" | grep -q "^hoist .*commit" || fail "--version does not name the commit: $out"
ok "hoist --version: $(echo "$out" | head -1)"

echo "-- unknown host keys are refused by default"
expect 3 "inspect with empty known_hosts" -- hoist inspect
echo "$out" | grep -q "not in known_hosts\|unknown host key\|host key" || { echo "$out"; fail "no host key message"; }
ok "unknown host key refused, exit 3"

echo "-- --accept-new-host-keys records them"
expect 3 "inspect accepting new keys (marker missing on all)" -- hoist inspect --accept-new-host-keys
[ "$(grep -c . "$HOME/.ssh/known_hosts")" -ge 3 ] || fail "known_hosts not written"
ok "host keys recorded in known_hosts"

echo "-- inspect: one failing check on n3"
touch "$work/nodes/n1/marker" "$work/nodes/n2/marker"
expect 3 "inspect with n3 failing" -- hoist inspect
echo "$out" | grep -E "^n3 " >/dev/null || { echo "$out"; fail "n3 not in table"; }
echo "$out" | grep -q "2 of 3 nodes passed every check; failed: n3" || { echo "$out"; fail "summary"; }
ok "inspect exit 3, n3 reported failing"

touch "$work/nodes/n3/marker"
expect 0 "inspect all passing" -- hoist inspect
echo "$out" | grep -q "All 3 nodes passed every check" || { echo "$out"; fail "all-pass summary"; }
ok "inspect exit 0 when every check passes"

expect 0 "inspect json" -- hoist --output json inspect
echo "$out" | grep -q '"ok" : true' || { echo "$out"; fail "json ok"; }
echo "$out" | grep -q '"status" : "pass"' || fail "json status"
ok "inspect --output json"

echo "-- a check that times out is stopped on the node, and the node stays usable"
slow="$work/cluster-slow.yaml"
# A sleep of its own length (300.PID seconds), so that only this run's process is looked for: the
# machine may run other sleeps.
slow_sleep="sleep 300.$$"
sed "s|^checks:\$|checks:\\n  - { name: slow, run: \"$slow_sleep\", timeout: 1s }|" "$cluster" > "$slow"
grep -q 'name: slow' "$slow" || fail "could not add the slow check"
expect 3 "inspect with a check that times out" -- java -jar "$jar" -c "$slow" --no-color inspect n1
echo "$out$err" | grep -q "timed out" || { echo "$out"; echo "$err" >&2; fail "no timeout reported"; }
# The node's timeout sends SIGTERM at 1s (SIGKILL 5s later): wait for that, bounded (20 s).
for _ in $(seq 1 200); do pgrep -f "$slow_sleep" >/dev/null || break; sleep 0.1; done
if pgrep -af "$slow_sleep"; then fail "$slow_sleep still runs after its check timed out"; fi
expect 0 "inspect n1 after the timeout" -- hoist inspect n1
ok "timed-out check reported, its process gone, the node still inspectable"

echo "-- a changed host key is refused"
sed -i "s|^\[127.0.0.1\]:${ports[1]} ssh-ed25519 .*|[127.0.0.1]:${ports[1]} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl|" "$HOME/.ssh/known_hosts"
expect 3 "inspect with a changed key" -- hoist inspect --accept-new-host-keys n2
echo "$out" | grep -qi "changed" || { echo "$out"; fail "changed key not reported"; }
ok "changed host key refused even with --accept-new-host-keys"
ssh-keyscan -p "${ports[1]}" 127.0.0.1 2>/dev/null > "$work/n2.keys"
grep -v "^\[127.0.0.1\]:${ports[1]} " "$HOME/.ssh/known_hosts" > "$work/kh" || true
cat "$work/kh" "$work/n2.keys" > "$HOME/.ssh/known_hosts"

echo "-- upgrade --cluster --dry-run"
before=$(find "$work/nodes" -path '*/etc' -prune -o -printf '%p %s %l %T@\n' | sort | sha256sum)
expect 0 "dry run" -- hoist upgrade --cluster --dry-run
echo "$out" | grep -q "upgrade to 1.2.0" || { echo "$out"; fail "target not 1.2.0"; }
echo "$out" | grep -q "Hop 1 of 2: to 1.1.0" || { echo "$out"; fail "hop 1"; }
echo "$out" | grep -q "Hop 2 of 2: to 1.2.0" || { echo "$out"; fail "hop 2"; }
echo "$out" | grep -q "\$ cat $work/nodes/n2/current/VERSION" || { echo "$out"; fail "rendered command"; }
# workers (n2, n3) come before the serial db role (n1)
order=$(echo "$out" | grep -E "^    n[0-9] " | head -3 | awk '{print $1}' | tr '\n' ' ')
[ "$order" = "n2 n3 n1 " ] || { echo "$out"; fail "order was '$order'"; }
after=$(find "$work/nodes" -path '*/etc' -prune -o -printf '%p %s %l %T@\n' | sort | sha256sum)
[ "$before" = "$after" ] || fail "the dry run changed a node"
ok "dry run: 2 hops, workers before db, commands rendered, nothing changed"

expect 0 "dry run json" -- hoist --output json upgrade --cluster --dry-run --to 1.1.0
echo "$out" | grep -q '"target" : "1.1.0"' || { echo "$out"; fail "json target"; }
ok "dry run --output json --to 1.1.0"

echo "-- version prepare stages a release on every node, switching nothing"
expect 0 "prepare 1.1.0" -- hoist version prepare 1.1.0
for i in 1 2 3; do
  d="$work/nodes/n$i"
  [ "$(cat "$d/releases/1.1.0/VERSION")" = "1.1.0" ] || fail "n$i: 1.1.0 not unpacked"
  [ -x "$d/releases/1.1.0/bin/acme" ] || fail "n$i: bin/acme lost its mode"
  cmp -s "$d/releases/1.1.0/payload" "$work/build/1.1.0/payload" || fail "n$i: payload differs"
  [ "$(cat "$d/releases/1.1.0/.hoist-staged")" = "$(cut -c1-64 "$work/repo/acme-1.1.0.tar.gz.sha256")" ] || fail "n$i: marker"
  [ "$(readlink "$d/current")" = "releases/1.0.0" ] || fail "n$i: current was touched"
  if find "$d/releases" -mindepth 1 -maxdepth 1 \( -name '*partial*' -o -name '*bundle*' \) | grep -q .; then
    fail "n$i: leftovers in releases/"
  fi
done
echo "$out" | grep -q "All 3 nodes hold release 1.1.0." || { echo "$out"; fail "prepare summary"; }
ok "prepare: 1.1.0 unpacked on 3 OpenSSH nodes, modes and bytes intact, current untouched"

expect 0 "prepare again" -- hoist --output json version prepare 1.1.0
[ "$(echo "$out" | grep -c '"status" : "already-staged"')" -eq 3 ] || { echo "$out"; fail "rerun not a no-op"; }
echo "$out" | grep -q '"bytes_sent" : [1-9]' && { echo "$out"; fail "rerun sent bytes"; }
ok "prepare again: every node already-staged, nothing sent"

expect 0 "quiet prepare-only for cron" -- hoist -q --log-file "$work/hoist.log" upgrade --cluster --prepare-only
[ -z "$out$err" ] || { echo "$out$err"; fail "-q printed something on success"; }
[ -f "$work/nodes/n1/releases/1.2.0/.hoist-staged" ] || fail "--prepare-only did not stage 1.2.0"
grep -q "end: exit 0" "$work/hoist.log" || { cat "$work/hoist.log"; fail "log file"; }
ok "upgrade --prepare-only -q stages every hop silently; --log-file records it"

expect 0 "version list" -- hoist --output json version list
echo "$out" | grep -q '"current" : "1.0.0"' || { echo "$out"; fail "list current"; }
ok "version list"

echo "-- upgrade switches every node (1.1.0 staged by the prepare above)"
expect 2 "upgrade without --yes off a terminal" -- hoist upgrade --cluster --to 1.1.0
echo "$err" | grep -q "add --yes" || { echo "$err"; fail "no --yes hint"; }
expect 0 "upgrade --cluster --yes" -- hoist upgrade --cluster --yes --to 1.1.0
for i in 1 2 3; do
  [ "$(readlink "$work/nodes/n$i/current")" = "$work/nodes/n$i/releases/1.1.0" ] \
    || [ "$(readlink "$work/nodes/n$i/current")" = "releases/1.1.0" ] \
    || fail "n$i: current not switched: $(readlink "$work/nodes/n$i/current")"
done
echo "$out" | grep -q "Every node is at 1.1.0." || { echo "$out"; fail "upgrade summary"; }
logs=$(echo "$err" | sed -n "s/^node logs and the run's journal: //p")
[ -s "$logs/n1.log" ] || { echo "$err"; fail "no node log in '$logs'"; }
ok "upgrade --cluster --yes: 3 OpenSSH nodes switched to 1.1.0, node logs written"

echo "-- kill -9 in the middle of an upgrade, then --resume"
killable="$work/cluster-killable.yaml"
# n1 (the serial db node, last in the order) waits in its start until the gate file exists.
sed "s|^  start: \"echo starting \\\${node}\"|  start: \"if [ \\\${node} = n1 ] \\&\\& [ ! -f $work/gate ]; then touch $work/at-gate; while [ ! -f $work/gate ]; do sleep 0.1; done; fi; echo starting \\\${node}\"|" \
  "$cluster" > "$killable"
grep -q "at-gate" "$killable" || fail "could not make n1's start wait"
java -jar "$jar" -c "$killable" --no-color upgrade --cluster --yes --to 1.2.0 >"$work/killed.out" 2>&1 &
victim=$!
for _ in $(seq 1 600); do [ -f "$work/at-gate" ] && break; kill -0 "$victim" 2>/dev/null || break; sleep 0.1; done
[ -f "$work/at-gate" ] || { cat "$work/killed.out"; fail "the upgrade never reached n1's start"; }
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
touch "$work/gate"
expect 0 "status after the kill" -- java -jar "$jar" -c "$killable" --no-color --output json status
echo "$out" | grep -q '"ended" : false' || { echo "$out"; fail "status: the killed run looks ended"; }
echo "$out" | tr -d '\n ' | grep -q '"node":"n1","from":"1.1.0","target":"1.2.0","reached":"1.1.0","state":"in-progress"' \
  || { echo "$out"; fail "status: n1 not in-progress"; }
expect 6 "a prepare while the killed run's lock is stale" -- java -jar "$jar" -c "$killable" --no-color version prepare 1.2.0
echo "$err" | grep -q "is stale" || { echo "$err"; fail "no stale-lock message"; }
expect 0 "a new upgrade: every node reports 1.2.0" -- java -jar "$jar" -c "$killable" --no-color upgrade --cluster --yes --to 1.2.0
echo "$err" | grep -q "did not end" || { echo "$err"; fail "no warning that the last run did not end"; }
expect 0 "upgrade --resume" -- java -jar "$jar" -c "$killable" --no-color upgrade --resume --yes
for i in 1 2 3; do
  case "$(readlink "$work/nodes/n$i/current")" in
    */releases/1.2.0|releases/1.2.0) ;;
    *) fail "n$i: not on 1.2.0 after the resume: $(readlink "$work/nodes/n$i/current")" ;;
  esac
done
expect 0 "status after the resume" -- java -jar "$jar" -c "$killable" --no-color --output json status
echo "$out" | grep -q '"complete" : true' || { echo "$out"; fail "status: not complete after the resume"; }
expect 0 "resume again" -- java -jar "$jar" -c "$killable" --no-color upgrade --resume --yes
echo "$out" | grep -q "Nothing to resume" || { echo "$out"; fail "a finished run was resumed"; }
ok "kill -9 during n1's start: status shows n1 in-progress, the stale lock refuses a new run (6), --resume finishes every node on 1.2.0"

echo "-- an unreachable node stops the plan"
kill "${pids[2]}"; wait "${pids[2]}" 2>/dev/null || true
expect 3 "dry run with n3 down" -- hoist upgrade --cluster --dry-run
echo "$err" | grep -q "n3" || { echo "$err"; fail "n3 not named"; }
ok "dry run exits 3 naming the unreachable node"

expect 2 "upgrade without --yes" -- hoist upgrade --cluster
ok "upgrade without --yes and without a terminal is a usage error"

echo "e2e: $passed passed, 0 failed"
