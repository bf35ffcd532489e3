package io.hoist.transport.ssh;

import io.hoist.command.ShellQuote;
import io.hoist.transport.TimedCommand;
import java.time.Duration;
import java.util.List;

/**
 * The script {@link SshTransport#execEach} sends: several commands, one exec request, one remote
 * shell, each command under its own time limit, a frame line after each.
 *
 * <p><b>Why not {@code timeout … bash -c} per command</b>, as {@link SshTransport#remoteScript}
 * runs a single command: on the node that is a fork and two programs started (coreutils' {@code
 * timeout}, then a fresh bash) for every command, about 2 to 4 ms of the node's CPU each; with
 * inspect's three commands on 100 nodes that was 0.8 s of CPU on top of the 2 s the SSH logins
 * themselves cost (bench/README.md). Here the login shell, when it is bash 4.1 or newer (the
 * commands are bash scripts either way), runs each command itself in a subshell ({@code ( eval CMD
 * )}: a fork, no program started) and watches the time: it sleeps in {@code read -t} on its own
 * stdin (open and empty; else a pipe nobody writes to), with waits growing from 1 ms to 50 ms,
 * until the command ended or its limit passed. Then it does what {@code timeout -k} does: SIGTERM
 * to the command's process group (the subshell was started with job control on, so it leads a group
 * of its own, and everything it started is in it), SIGKILL {@link SshTransport#KILL_AFTER} later,
 * and the status is 124 (or 137 after SIGKILL). A SIGTERM or SIGHUP to the shell itself ends the
 * running command's group the same way.
 *
 * <p><b>A command that ended is seen as ended even when bash did not reap it.</b> Bash 5.2 (Debian
 * 12's) can leave SIGCHLD blocked after a {@code read -t} timed out; from then on it reaps no child
 * until {@code wait}, and an ended command, a zombie, still answers {@code kill -0}. The loop took
 * such a command for a running one until its limit, and reported a {@code df} or {@code true} as
 * timed out after 65 s (2 nodes in 31 inspects of 200 nodes on one machine; the stuck shell's
 * {@code /proc} status showed SIGCHLD blocked and pending, its child a zombie). So where the system
 * shows a process's state ({@code /proc/PID/stat}, Linux) a zombie counts as ended; {@code wait}
 * then reaps it and returns its status. No program is started for it.
 *
 * <p>A login shell that is not bash starts bash once for the whole batch ({@code exec bash -c}).
 * Under a bash older than 4.1 (no {@code {fd}} redirections) each command falls back to {@code
 * timeout … bash -c}, as before.
 *
 * <p>What a command sees is what {@code bash -c} gives it: no positional parameters, stdin from
 * {@code /dev/null}, its own subshell (its {@code exit}, {@code cd} and variables end with it). It
 * also sees the script's own variables, all named {@code __hoist_*}.
 */
final class RemoteBatch {

  /** The longest wait between two looks at a running command. */
  static final Duration MAX_POLL = Duration.ofMillis(50);

  private RemoteBatch() {}

  /**
   * The script for {@code commands}: after command {@code i} it prints {@code \nNONCE i STATUS\n}
   * on stdout and {@code \nNONCE i\n} on stderr.
   */
  static String script(List<TimedCommand> commands, String nonce) {
    StringBuilder body = new StringBuilder();
    body.append(PRELUDE);
    for (int i = 0; i < commands.size(); i++) {
      TimedCommand c = commands.get(i);
      String quoted = ShellQuote.quote(c.command().script());
      body.append("__hoist_c=")
          .append(quoted)
          .append('\n')
          .append("if [ \"$__hoist_fd\" ]; then __hoist_l=")
          .append(Math.max(1, c.timeout().toMillis()))
          .append("; __hoist_run; else ( ")
          .append(SshTransport.remoteScript(c.command().script(), c.timeout()))
          .append(" ) </dev/null; __hoist_s=$?; fi\n")
          .append("printf '\\n%s %d %d\\n' ")
          .append(nonce)
          .append(' ')
          .append(i)
          .append(" \"$__hoist_s\"; printf '\\n%s %d\\n' ")
          .append(nonce)
          .append(' ')
          .append(i)
          .append(" >&2\n");
    }
    // A login shell other than bash (dash, zsh, ...) reads only the first line, which hands the
    // whole script to bash: POSIX shells parse and run a -c string one command at a time.
    return "if [ -z \"${BASH_VERSION:-}\" ]; then exec bash -c "
        + ShellQuote.quote(body.toString())
        + "; fi\n"
        + body;
  }

  /**
   * Defines {@code __hoist_run}, which runs {@code $__hoist_c} for at most {@code $__hoist_l}
   * milliseconds as described above and sets {@code __hoist_s} (called without arguments, so that
   * the command sees no positional parameters), and finds what it sleeps on: the shell's stdin,
   * which hoist leaves open and empty (nothing to read, no end of input), else a pipe nobody writes
   * to ({@code <(:)}, one fork). {@code __hoist_fd} stays empty where neither can be done (bash
   * before 4.1), and the commands then run under {@code timeout}.
   */
  static final String PRELUDE =
      """
      __hoist_fd=
      if [ "${BASH_VERSINFO[0]}" -gt 4 ] || [ "${BASH_VERSINFO[0]}${BASH_VERSINFO[1]}" -ge 41 ]; then
        if read -r -t 0 -u 0 2>/dev/null; then
          eval 'exec {__hoist_fd}<> <(:)' 2>/dev/null || __hoist_fd=
        else
          __hoist_fd=0
        fi
      fi
      __hoist_p=
      trap '[ -z "$__hoist_p" ] || kill -TERM -- "-$__hoist_p" 2>/dev/null; exit 143' TERM HUP
      __hoist_now() {
        if [ -n "${EPOCHREALTIME:-}" ]; then
          __hoist_t=${EPOCHREALTIME//[.,]/}
          __hoist_t=$((10#$__hoist_t / 1000))
        else
          __hoist_t=$__hoist_slept
        fi
      }
      __hoist_running() {
        kill -0 "$1" 2>/dev/null || return 1
        if [ -r "/proc/$1/stat" ] && { read -r __hoist_x <"/proc/$1/stat"; } 2>/dev/null; then
          case ${__hoist_x##*) } in Z*) return 1 ;; esac
        fi
        return 0
      }
      __hoist_run() {
        set -m
        ( [ "$__hoist_fd" = 0 ] || exec {__hoist_fd}>&-; eval "$__hoist_c" ) </dev/null &
        __hoist_p=$!
        set +m
        __hoist_slept=0
        __hoist_now
        __hoist_end=$((__hoist_t + __hoist_l))
        __hoist_k=0
        __hoist_d=1
        while __hoist_running "$__hoist_p"; do
          __hoist_now
          if [ "$__hoist_t" -ge "$__hoist_end" ]; then
            if [ "$__hoist_k" = 0 ]; then
              __hoist_k=124
              kill -TERM -- "-$__hoist_p" 2>/dev/null
              __hoist_end=$((__hoist_t + KILL_AFTER_MS))
            else
              __hoist_k=137
              kill -KILL -- "-$__hoist_p" 2>/dev/null
              break
            fi
          fi
          printf -v __hoist_w '%d.%03d' $((__hoist_d / 1000)) $((__hoist_d % 1000))
          read -r -t "$__hoist_w" -u "$__hoist_fd" __hoist_x
          [ $? -gt 128 ] || sleep "$__hoist_w"
          __hoist_slept=$((__hoist_slept + __hoist_d))
          __hoist_d=$((__hoist_d * 2 > MAX_POLL_MS ? MAX_POLL_MS : __hoist_d * 2))
        done
        wait "$__hoist_p"
        __hoist_s=$?
        __hoist_p=
        [ "$__hoist_k" = 0 ] || __hoist_s=$__hoist_k
      }
      """
          .replace("KILL_AFTER_MS", String.valueOf(SshTransport.KILL_AFTER.toMillis()))
          .replace("MAX_POLL_MS", String.valueOf(MAX_POLL.toMillis()));
}
