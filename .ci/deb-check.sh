#!/usr/bin/env bash
# Installs the Debian package the build made (apt-get resolves its Depends), checks the INSTALLED
# copy (/usr/bin/hoist, its Java checks and exit codes, the man pages, the bash completion), lists
# its files and purges it again, also when a check fails: the machine is left as it was found.
# Usage: .ci/deb-check.sh [PACKAGE.deb]   (default: the newest target/hoist_*_all.deb); root or sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
# apt-get, not dpkg: on a shared machine another apt or dpkg may hold the lock; wait for it.
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)

if [ "$#" -gt 0 ]; then
  deb=$1
else
  # The newest: a version bump without "mvn clean" leaves the older package beside it.
  deb=
  for f in target/hoist_*_all.deb; do
    if [ -f "$f" ] && { [ -z "$deb" ] || [ "$f" -nt "$deb" ]; }; then
      deb=$f
    fi
  done
  [ -n "$deb" ] || { echo "no target/hoist_*_all.deb: run mvn package first" >&2; exit 1; }
fi
deb=$(realpath "$deb")

if dpkg-query -W -f='${Status}' hoist 2>/dev/null | grep -q ' installed$'; then
  echo "a hoist package is installed already; this check installs and removes its own copy," >&2
  echo "so remove that one first: dpkg -r hoist" >&2
  exit 1
fi

fail() {
  echo "FAILED: $*" >&2
  exit 1
}
ok() { echo "  ok: $*"; }

cds=/var/cache/hoist-cds # the class-data sharing archive the postinst makes
fake= # fake Java homes, made below
node= # one sshd node for hoist inspect, made below
sshd_pid=
remove() {
  [ -z "$fake" ] || rm -rf "$fake"
  if [ -n "$sshd_pid" ]; then
    kill "$sshd_pid" 2>/dev/null || true
    wait "$sshd_pid" 2>/dev/null || true
  fi
  [ -z "$node" ] || rm -rf "$node"
  echo "== apt-get purge hoist"
  "${apt[@]}" purge -y -qq hoist >/dev/null
  if dpkg-query -W -f='${Status}' hoist 2>/dev/null | grep -q ' installed$'; then
    echo "FAILED: hoist is still installed" >&2
    exit 1
  fi
  if [ -e "$cds" ]; then
    echo "FAILED: $cds is still there after the purge" >&2
    exit 1
  fi
  echo "  removed (also $cds)"
}

echo "== apt-get install $deb"
trap remove EXIT # also after a failed or partial install
# The package list is needed only when a dependency must be downloaded; refresh it then.
"${apt[@]}" install -y -qq "$deb" >/dev/null \
  || { "${apt[@]}" update -qq && "${apt[@]}" install -y -qq "$deb" >/dev/null; }
ok "installed $(dpkg-query -W -f='${Package} ${Version}' hoist)"

echo "== /usr/bin/hoist, the installed launcher"
[ "$(command -v hoist)" = /usr/bin/hoist ] || fail "hoist on PATH is $(command -v hoist), not /usr/bin/hoist"
# 0.1.0~SNAPSHOT is the Debian form of the project version 0.1.0-SNAPSHOT.
version=$(dpkg-query -W -f='${Version}' hoist | tr '~' '-')
out=$(/usr/bin/hoist --version) || fail "hoist --version exited with $?"
grep -q "^hoist $version" <<<"$out" || fail "hoist --version printed: $out (expected hoist $version)"
ok "hoist --version: $(head -n 1 <<<"$out")"

set +e
/usr/bin/hoist --no-such-option >/dev/null 2>&1
status=$?
set -e
[ "$status" -eq 2 ] || fail "a usage error exited with $status, expected 2"
ok "exit codes pass through (usage error: 2)"

set +e
err=$(HOIST_JAVA_OPTS='-XX:+NoSuchJvmFlag' /usr/bin/hoist --version 2>&1)
set -e
grep -q 'NoSuchJvmFlag' <<<"$err" || fail "HOIST_JAVA_OPTS did not reach the JVM: $err"
HOIST_JAVA_OPTS='-Xmx64m -Dhoist.ci=yes' /usr/bin/hoist --version >/dev/null || fail "HOIST_JAVA_OPTS with two options"
ok "HOIST_JAVA_OPTS reaches the JVM"

echo "== class-data sharing archive (made by the postinst, used by the launcher)"
# The postinst dumps it for the java on PATH: so does the launcher without JAVA_HOME.
[ -r "$cds/hoist.jsa" ] && [ -r "$cds/jdk" ] \
  || fail "the postinst made no archive in $cds; its log: $(cat "$cds/dump.log" 2>/dev/null)"
ok "$cds/hoist.jsa, for $(cat "$cds/jdk")"
log=$(env -u JAVA_HOME HOIST_JAVA_OPTS='-Xlog:cds -Xlog:class+load' /usr/bin/hoist --help) \
  || fail "hoist --help with -Xlog:cds exited with $?"
grep -q "Opened archive $cds/hoist.jsa" <<<"$log" || fail "the launcher did not open $cds/hoist.jsa"
# picocli's classes are Java 5 class files: only a static archive (-Xshare:dump) holds them.
grep -q ' picocli.CommandLine source: shared objects file' <<<"$log" \
  || fail "picocli.CommandLine was not loaded from the archive"
env -u JAVA_HOME HOIST_JAVA_OPTS=-Xshare:on /usr/bin/hoist --version >/dev/null \
  || fail "the archive is not usable: hoist with -Xshare:on failed"
ok "the launcher uses it (-Xshare:on works; picocli's classes come from it)"
# The class list also holds what hoist inspect loads over SSH (JSch, hoist's sntrup761,
# hoist's inspect): one inspect of an OpenSSH sshd on 127.0.0.1 (stopped by PID in remove).
node=$(mktemp -d /tmp/hoist-deb-check-node.XXXXXX)
[ -d /run/sshd ] || { "${as_root[@]}" mkdir -p /run/sshd && "${as_root[@]}" chmod 0755 /run/sshd; }
ssh-keygen -q -t ed25519 -N '' -f "$node/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$node/client_key"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$node/sshd_config" <<CFG
ListenAddress 127.0.0.1:$port
HostKey $node/host_key
PidFile $node/sshd.pid
AuthorizedKeysFile $node/client_key.pub
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
LogLevel DEBUG1
CFG
/usr/sbin/sshd -f "$node/sshd_config" -D -e 2>"$node/sshd.log" &
sshd_pid=$!
printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1-2 "$node/host_key.pub")" >"$node/known_hosts"
for _ in $(seq 1 50); do
  ! ssh-keyscan -T 1 -p "$port" 127.0.0.1 >/dev/null 2>&1 || break
  sleep 0.1
done
mkdir -p "$node/home" "$node/repo"
cat >"$node/cluster.yaml" <<YAML
cluster: deb-check
release: { repository: "file:$node/repo", bundle: "app-\${version}.tar.gz" }
ssh: { user: $(id -un), identity: "$node/client_key", known_hosts: "$node/known_hosts", config: none }
layout: { min_free: 0 }
commands:
  version: "echo 1.0.0"
checks:
  - { name: trivial, run: "true" }
nodes:
  - { name: n1, host: 127.0.0.1, ssh: { port: $port }, layout: { home: "$node/home" } }
YAML
log=$(env -u JAVA_HOME HOME="$node" HOIST_STATE_DIR="$node/state" HOIST_JAVA_OPTS='-Xlog:class+load' \
  /usr/bin/hoist -c "$node/cluster.yaml" inspect 2>&1) \
  || fail "hoist inspect of an sshd on 127.0.0.1 exited with $?: $(tail -n 5 <<<"$log"); sshd: $(tail -n 5 "$node/sshd.log")"
for class in com.jcraft.jsch.Session io.hoist.inspect.Inspector; do
  grep -q " $class source: shared objects file" <<<"$log" \
    || fail "hoist inspect did not load $class from the archive: $(grep " $class " <<<"$log")"
done
ok "hoist inspect loads JSch's and its own inspect classes from it ($(grep -c 'source: shared objects file' <<<"$log") of $(grep -c '\[class,load\]' <<<"$log") classes)"
# The launcher runs inspect under C1 alone and says so (-Dhoist.jit=c1): hoist then offers
# chacha20-poly1305 first, which OpenSSH agrees to (its debug log names the cipher of each way).
grep -q 'kex: client->server cipher: chacha20-poly1305@openssh.com' "$node/sshd.log" \
  || fail "inspect under the launcher did not get chacha20-poly1305: $(grep 'kex: client->server' "$node/sshd.log")"
ok "under C1 the login's cipher is chacha20-poly1305 ($(grep -c 'Accepted publickey' "$node/sshd.log") login)"
kill "$sshd_pid" 2>/dev/null || true
wait "$sshd_pid" 2>/dev/null || true
sshd_pid=
# An archive of another Java build would silently disable sharing altogether: the launcher then
# leaves it out, and the JVM uses the JDK's own archive.
made_for=$(cat "$cds/jdk")
printf '/usr/lib/jvm/another-java 17.0.0+0\n' | "${as_root[@]}" tee "$cds/jdk" >/dev/null
log=$(env -u JAVA_HOME HOIST_JAVA_OPTS=-Xlog:cds /usr/bin/hoist --version)
printf '%s\n' "$made_for" | "${as_root[@]}" tee "$cds/jdk" >/dev/null
if grep -q "Opened archive $cds/hoist.jsa" <<<"$log"; then
  fail "the launcher used an archive made for another Java"
fi
ok "an archive made for another Java is left out"
# A Java update (a package changing /usr/lib/jvm) triggers the postinst, which makes it again.
grep -q '/usr/lib/jvm' /var/lib/dpkg/info/hoist.triggers || fail "no trigger on /usr/lib/jvm"
"${as_root[@]}" rm -f "$cds/hoist.jsa"
"${as_root[@]}" /var/lib/dpkg/info/hoist.postinst triggered /usr/lib/jvm \
  || fail "postinst triggered exited with $?"
[ -r "$cds/hoist.jsa" ] || fail "postinst triggered made no archive"
ok "the package's trigger on /usr/lib/jvm makes it again"

# expect_refusal NAME PATTERN JAVA_HOME: the launcher exits 1 with a message naming what to install.
expect_refusal() {
  local name=$1 pattern=$2 home=$3 err status
  set +e
  err=$(JAVA_HOME=$home /usr/bin/hoist --version 2>&1)
  status=$?
  set -e
  [ "$status" -eq 1 ] || fail "$name: exited with $status, expected 1 ($err)"
  grep -q "$pattern" <<<"$err" || fail "$name: message lacks '$pattern': $err"
  grep -q 'openjdk-17-jre-headless' <<<"$err" || fail "$name: message does not say what to install: $err"
  ok "$name: $err"
}
fake=$(mktemp -d /tmp/hoist-deb-check.XXXXXX)
mkdir -p "$fake/java11/bin" "$fake/java8/bin"
printf 'JAVA_VERSION="11.0.22"\n' >"$fake/java11/release"
printf '#!/bin/sh\necho "java 11 must not be started" >&2\nexit 99\n' >"$fake/java11/bin/java"
# No release file: the launcher asks java -version.
printf '#!/bin/sh\necho "openjdk version \\"1.8.0_392\\"" >&2\n' >"$fake/java8/bin/java"
chmod 755 "$fake/java11/bin/java" "$fake/java8/bin/java"
expect_refusal "no java at JAVA_HOME" "not an executable" "$fake/none"
expect_refusal "Java 11 (release file)" "is Java 11, hoist needs Java 17" "$fake/java11"
expect_refusal "Java 8 (java -version)" "is Java 8, hoist needs Java 17" "$fake/java8"

echo "== man pages"
page=$(man -w hoist) || fail "man -w hoist found nothing"
[ "$page" = /usr/share/man/man1/hoist.1.gz ] || fail "man -w hoist: $page"
ok "man -w hoist: $page"
text=$(MANPAGER=cat MANWIDTH=80 man hoist 2>&1) || fail "man hoist: $text"
grep -q 'SYNOPSIS' <<<"$text" || fail "man hoist has no SYNOPSIS: $text"
grep -q 'upgrade' <<<"$text" || fail "man hoist does not mention upgrade: $text"
# The page of this build, not a formatted copy man-db kept from an earlier install.
grep -q 'ENVIRONMENT' <<<"$text" && grep -q 'HOIST_STATE_DIR' <<<"$text" \
  || fail "man hoist is not this build's page (no ENVIRONMENT section): $text"
text5=$(MANPAGER=cat MANWIDTH=80 man 5 hoist-cluster.yaml 2>&1) || fail "man 5 hoist-cluster.yaml: $text5"
grep -q 'role_order' <<<"$text5" || fail "man 5 hoist-cluster.yaml has no role_order: $text5"
ok "man hoist renders ($(wc -l <<<"$text") lines)"
text=$(MANPAGER=cat MANWIDTH=80 man 1 hoist-upgrade 2>&1) || fail "man 1 hoist-upgrade: $text"
grep -q -- '--dry-run' <<<"$text" || fail "man 1 hoist-upgrade does not mention --dry-run"
ok "man 1 hoist-upgrade renders"
for page in $(dpkg -L hoist | grep '^/usr/share/man/man[1-9]/.*\.gz$'); do
  name=$(basename "$page" .gz)
  section=${name##*.}
  MANPAGER=cat MANWIDTH=80 man "$section" "${name%.*}" >/dev/null 2>&1 || fail "man $section ${name%.*}"
done
ok "every installed page opens with man"

echo "== bash and zsh completion of the installed copy (node and role names through /usr/bin/hoist)"
bash "$(dirname "$0")/completion-test.sh" /usr/bin/hoist /usr/share/bash-completion/completions/hoist \
  || fail "the installed completion"
ok "the installed completion script completes commands, options, values, nodes and roles"

echo "== dpkg -L hoist"
dpkg -L hoist | sed 's/^/  /'
