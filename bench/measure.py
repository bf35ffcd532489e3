#!/usr/bin/env python3
"""Run one command and measure it, for the bench/*.sh scripts.

    measure.py --out RESULTS --log LOG [--sshd-pids FILE] [--interval 0.02] [--timeout 600] -- CMD...

Appends one line to RESULTS:

    rc wall_s client_cpu_s server_cpu_s tree_peak_kib max_rss_kib sampler_cpu_s leftovers sshd_idle

* rc: the command's exit status (124 when --timeout killed it, 128+N for signal N).
* wall_s: from just before the command is spawned until it exits.
* client_cpu_s: user + sys of the whole process tree (getrusage RUSAGE_CHILDREN). This process is
  a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so a descendant that detaches (ansible's ssh
  ControlPersist masters) is reparented to it instead of init and counted too. Descendants still
  alive after the command exits get 0.5 s to end, then SIGTERM (then SIGKILL) by PID; they are all
  processes this command started. Their number is `leftovers`.
* server_cpu_s: the CPU of the sshd daemons (the simulated nodes) during the run: the sum over the
  listener PIDs in --sshd-pids of utime + stime + cutime + cstime from /proc/PID/stat, after minus
  before. A connection's sshd process (and the shell and commands it starts) is reaped by the
  listener, so its CPU lands in the listener's cutime/cstime. Both readings wait (at most 10 s)
  until no listener has a child left; sshd_idle is 0 when that wait ran out.
* tree_peak_kib: the largest sum of RSS over the process tree, sampled every --interval seconds.
  The tree is found from /proc/PID/stat parent links (a PID seen once is classified once).
* max_rss_kib: the largest RSS of any single process of the tree (ru_maxrss).
* sampler_cpu_s: this process's own CPU (the sampling), not counted in client_cpu_s.

The command's stdout and stderr go to LOG (truncated first); stdin is /dev/null.
"""
import argparse
import ctypes
import os
import resource
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
HZ = os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    """The fields of /proc/PID/stat after the command name: [0] state, [1] ppid, [11] utime..."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        s = f.read()
    return s[s.rfind(b")") + 2 :].split()


def all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


class Tree:
    """This process's descendants, found incrementally: a PID's ancestry is decided once."""

    def __init__(self, root):
        self.root = root
        self.ours = {root}
        self.others = set()

    def scan(self):
        pids = all_pids()
        current = set(pids)
        self.ours &= current | {self.root}
        self.others &= current
        for pid in sorted(pids):  # parents (older, smaller PIDs) first
            if pid in self.ours or pid in self.others:
                continue
            try:
                ppid = int(stat_fields(pid)[1])
            except (OSError, IndexError, ValueError):
                continue
            (self.ours if ppid in self.ours else self.others).add(pid)
        return self.ours - {self.root}

    def rss_kib(self):
        total = 0
        for pid in self.scan():
            try:
                with open(f"/proc/{pid}/statm", "rb") as f:
                    total += int(f.read().split()[1]) * PAGE_KIB
            except (OSError, IndexError, ValueError):
                pass
        return total


def sshd_ticks(listeners):
    total = 0
    for pid in listeners:
        f = stat_fields(pid)
        total += sum(int(x) for x in f[11:15])
    return total


def sshd_idle(listeners, limit=10.0):
    """Waits until no listener has a child (every connection's process reaped)."""
    deadline = time.monotonic() + limit
    while True:
        busy = False
        for pid in all_pids():
            try:
                if int(stat_fields(pid)[1]) in listeners:
                    busy = True
                    break
            except (OSError, IndexError, ValueError):
                continue
        if not busy:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


def reap_all(main_pid, status):
    """Reaps every exited child; returns the main child's wait status once seen (else status)."""
    while True:
        try:
            pid, st = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return status
        if pid == 0:
            return status
        if pid == main_pid:
            status = st


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--sshd-pids")
    ap.add_argument("--interval", type=float, default=0.02)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("no command")

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("measure.py: prctl(PR_SET_CHILD_SUBREAPER) failed")
    listeners = set()
    if a.sshd_pids:
        with open(a.sshd_pids) as f:
            listeners = {int(x) for x in f.read().split()}
    idle = sshd_idle(listeners) if listeners else True
    before = sshd_ticks(listeners)

    tree = Tree(os.getpid())
    tree.scan()  # everything alive now is not ours
    fa = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, a.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    t0 = time.monotonic()
    main_pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=fa)
    status, peak, timed_out = None, 0, False
    while True:
        status = reap_all(main_pid, status)
        if status is not None:
            break
        peak = max(peak, tree.rss_kib())
        if time.monotonic() - t0 > a.timeout:
            timed_out = True
            for pid in tree.scan():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        time.sleep(a.interval)
    wall = time.monotonic() - t0

    # Descendants still alive (detached helpers): a short grace, then SIGTERM, then SIGKILL.
    leftovers = 0
    for sig, grace in ((None, 0.5), (signal.SIGTERM, 2.0), (signal.SIGKILL, 2.0)):
        left = tree.scan()
        if not left:
            break
        if sig is not None:
            leftovers = max(leftovers, len(left))
            for pid in left:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        while tree.scan() and time.monotonic() < deadline:
            reap_all(main_pid, status)
            time.sleep(0.02)
    reap_all(main_pid, status)

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    me = resource.getrusage(resource.RUSAGE_SELF)
    if listeners:
        idle = sshd_idle(listeners) and idle
    server = (sshd_ticks(listeners) - before) / HZ
    if timed_out:
        rc = 124
    elif os.WIFEXITED(status):
        rc = os.WEXITSTATUS(status)
    else:
        rc = 128 + os.WTERMSIG(status)
    with open(a.out, "a") as f:
        f.write(
            f"{rc} {wall:.3f} {ru.ru_utime + ru.ru_stime:.3f} {server:.2f} {peak} {ru.ru_maxrss}"
            f" {me.ru_utime + me.ru_stime:.3f} {leftovers} {int(idle)}\n"
        )
    return rc


if __name__ == "__main__":
    sys.exit(main())
