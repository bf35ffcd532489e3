package io.hoist.cli;

import io.hoist.error.ConfigException;
import io.hoist.error.HoistException;
import io.hoist.error.InterruptedRunException;
import io.hoist.error.TransportException;
import io.hoist.error.UsageException;
import io.hoist.error.ValidationException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * hoist's exit codes: part of the contract scripts rely on. The single source for picocli's
 * mapping, the usage help, the man pages and the README. Never renumber.
 */
public enum ExitCode {
  OK(0, "Success, or nothing to do."),
  INTERNAL(1, "Internal error (a bug): please report it with the log."),
  USAGE(2, "Usage error or cluster-file error."),
  VALIDATION(
      3, "Validation failed (a check, an unreachable node, no upgrade path); nothing changed."),
  ROLLED_BACK(4, "A node failed and was rolled back cleanly."),
  NEEDS_ATTENTION(
      5, "A node failed and needs attention (rollback failed or not asked for, or nodes skipped)."),
  LOCKED(6, "Another run holds the lock."),
  INTERRUPTED(
      130, "Interrupted (Ctrl-C, or the maintenance window of --not-after closed): resumable."),
  ;

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  public int code() {
    return code;
  }

  public String meaning() {
    return meaning;
  }

  /** The code for an error hoist reports on purpose. */
  public static ExitCode of(HoistException e) {
    if (e instanceof ConfigException || e instanceof UsageException) {
      return USAGE;
    }
    if (e instanceof ValidationException || e instanceof TransportException) {
      // Errors of this kind escape only from read-only work (inspect, plans): nothing changed.
      return VALIDATION;
    }
    if (e instanceof InterruptedRunException) {
      return INTERRUPTED;
    }
    if (e instanceof io.hoist.error.LockedException) {
      return LOCKED;
    }
    return INTERNAL;
  }

  /** For picocli's "Exit Codes:" section: code (right-aligned) to meaning. */
  public static Map<String, String> helpList() {
    Map<String, String> list = new LinkedHashMap<>();
    for (ExitCode exitCode : values()) {
      // Padded by hand: String.format would load the locale data at every start (8 ms).
      String code = Integer.toString(exitCode.code);
      list.put("   ".substring(Math.min(3, code.length())) + code, exitCode.meaning);
    }
    return list;
  }
}
