package io.hoist.backup;

/**
 * A backup could not be taken, read back or restored: a missing path, a failed {@code tar}, or an
 * archive on the core node that is truncated, corrupt or differs from its manifest. An outcome, not
 * a bug.
 */
public final class BackupException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public BackupException(String message) {
    super(message);
  }

  public BackupException(String message, Throwable cause) {
    super(message, cause);
  }
}
