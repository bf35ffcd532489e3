package io.hoist.error;

/**
 * An error hoist reports to the user: a bad cluster file, a bad command line, a failed validation,
 * an unreachable node. Messages are complete sentences that name where (file:line:col, node,
 * command) and, when known, what to do. Unknown exceptions (bugs) are not of this family.
 */
public abstract sealed class HoistException extends RuntimeException
    permits ConfigException,
        UsageException,
        ValidationException,
        TransportException,
        InterruptedRunException,
        LockedException {

  private static final long serialVersionUID = 1L;

  HoistException(String message) {
    super(message);
  }

  HoistException(String message, Throwable cause) {
    super(message, cause);
  }
}
