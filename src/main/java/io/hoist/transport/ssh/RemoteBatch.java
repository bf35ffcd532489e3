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
 * )}: a fork, no program started), started with job control on so that it leads a process group of
 * its own with everything it starts, and waits for it with {@code wait}.
 *
 * <p><b>The time limits: one watchdog for the whole batch.</b> A subshell of the batch's shell
 * (started once, through a process substitution: a fork, no program) reads a line per command from
 * a pipe, {@code SIGNAL SECONDS}, and sleeps in {@code read -t}; the next command's line replaces
 * it, the end of the batch (end of the pipe) ends the watchdog, and when the time passes first it
 * sends SIGNAL to the batch's shell, and again every second until the next line (an alarm that came
 * before the shell was in {@code wait} is not lost). That signal, trapped, ends the shell's {@code
 * wait}, and the shell does what {@code timeout -k} does: SIGTERM to the command's process group,
 * SIGKILL {@link SshTransport#KILL_AFTER} later (the watchdog armed again), and the status is 124
 * (or 137 after SIGKILL). The signal alternates between SIGUSR1 and SIGUSR2 from one command to the
 * next, so that an alarm sent for a command that had just ended cannot be taken for the next one's.
 * A SIGTERM or SIGHUP to the shell itself ends the running command's group the same way.
 *
 * <p>Before, the shell itself looked at the running command every 1 to 50 ms (kill -0, then a
 * {@code read -t} on its stdin): on a loaded node a 2 ms command was looked at four or five times,
 * and with job control on and off around each one, that was 1.6 ms of the node's CPU per inspect
 * (100 nodes: 2.15 s against 1.99 s; bench/README.md). The shell now sleeps in {@code wait} and
 * wakes once, when the command ends. It also no longer sleeps in {@code read -t}, where bash 5.2
 * could leave SIGCHLD blocked (an ended command then looked alive); a command that ended but was
 * not reaped (a zombie, {@code /proc/PID/stat}) still counts as ended.
 *
 * <p>A login shell that is not bash starts bash once for the whole batch ({@code exec bash -c}).
 * Under a bash older than 4.1 (no {@code {fd}} redirections), or where the watchdog cannot be
 * started, each command falls back to {@code timeout … bash -c}, as before.
 *
 * <p>What a command sees is what {@code bash -c} gives it: no positional parameters, stdin from
 * {@code /dev/null}, its own subshell (its {@code exit}, {@code cd} and variables end with it), the
 * signals' default handling. It also sees the script's own variables, all named {@code __hoist_*}.
 */
final class RemoteBatch {

  private RemoteBatch() {}

  /**
   * The script for {@code commands}: after command {@code i} it prints {@code \nNONCE i STATUS\n}
   * on stdout ({@code \nNONCE i STATUS limit\n} when the batch ended it at its time limit) and
   * {@code \nNONCE i\n} on stderr.
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
          .append("__hoist_why=; if [ \"$__hoist_wd\" ]; then __hoist_l=")
          .append(Math.max(1, c.timeout().toMillis()))
          .append("; __hoist_run; else ( ")
          .append(SshTransport.remoteScript(c.command().script(), c.timeout()))
          .append(" ) </dev/null; __hoist_s=$?; fi\n")
          .append("printf '\\n%s %d %d%s\\n' ")
          .append(nonce)
          .append(' ')
          .append(i)
          .append(" \"$__hoist_s\" \"$__hoist_why\"; printf '\\n%s %d\\n' ")
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
   * the command sees no positional parameters), and starts the watchdog on the pipe {@code
   * __hoist_wd}. That stays empty where it cannot be started (bash before 4.1), and the commands
   * then run under {@code timeout}. SIGPIPE is trapped, not ignored (a command gets the default
   * back): a watchdog that was killed must not take the shell down with it when it is written to.
   */
  static final String PRELUDE =
      """
      __hoist_p=
      __hoist_i=0
      __hoist_fired=
      trap '[ -z "$__hoist_p" ] || kill -TERM -- "-$__hoist_p" 2>/dev/null; exit 143' TERM HUP
      trap '__hoist_fired=USR1' USR1
      trap '__hoist_fired=USR2' USR2
      trap ':' PIPE
      __hoist_running() {
        kill -0 "$1" 2>/dev/null || return 1
        if [ -r "/proc/$1/stat" ] && { read -r __hoist_x <"/proc/$1/stat"; } 2>/dev/null; then
          case ${__hoist_x##*) } in Z*) return 1 ;; esac
        fi
        return 0
      }
      __hoist_watch() {
        __hoist_t=
        while :; do
          if [ -z "$__hoist_t" ]; then
            read -r __hoist_t || exit 0
          else
            read -r -t "${__hoist_t#* }" __hoist_n
            case $? in
              0) __hoist_t=$__hoist_n ;;
              1) exit 0 ;;
              *) kill -"${__hoist_t%% *}" "$$" 2>/dev/null || exit 0; __hoist_t="${__hoist_t%% *} 1" ;;
            esac
          fi
        done
      }
      __hoist_wd=
      if [ "${BASH_VERSINFO[0]}" -gt 4 ] || [ "${BASH_VERSINFO[0]}${BASH_VERSINFO[1]}" -ge 41 ]; then
        eval 'exec {__hoist_wd}> >(__hoist_watch >/dev/null 2>&1)' 2>/dev/null || __hoist_wd=
      fi
      __hoist_run() {
        __hoist_i=$((1 - __hoist_i))
        __hoist_sig=USR$((__hoist_i + 1))
        __hoist_fired=
        set -m
        ( exec {__hoist_wd}>&-; eval "$__hoist_c" ) </dev/null &
        __hoist_p=$!
        set +m
        __hoist_k=0
        printf '%s %d.%03d\n' "$__hoist_sig" $((__hoist_l / 1000)) $((__hoist_l % 1000)) >&"$__hoist_wd" 2>/dev/null
        while :; do
          if [ "$__hoist_fired" = "$__hoist_sig" ]; then
            __hoist_fired=
            if [ "$__hoist_k" = 0 ]; then
              __hoist_k=124
              kill -TERM -- "-$__hoist_p" 2>/dev/null
              printf '%s %s\n' "$__hoist_sig" KILL_AFTER_SECONDS >&"$__hoist_wd" 2>/dev/null
            else
              __hoist_k=137
              kill -KILL -- "-$__hoist_p" 2>/dev/null
              break
            fi
          fi
          wait "$__hoist_p"
          [ "$__hoist_fired" = "$__hoist_sig" ] || __hoist_running "$__hoist_p" || break
        done
        wait "$__hoist_p"
        __hoist_s=$?
        __hoist_p=
        [ "$__hoist_k" = 0 ] || { __hoist_s=$__hoist_k; __hoist_why=' limit'; }
      }
      """
          .replace("KILL_AFTER_SECONDS", seconds(SshTransport.KILL_AFTER));

  /** {@code 5.000}: whole seconds and milliseconds, as {@code read -t} takes them. */
  private static String seconds(Duration duration) {
    long millis = duration.toMillis();
    String fraction = String.valueOf(1000 + millis % 1000).substring(1);
    return millis / 1000 + "." + fraction;
  }
}
