package io.hoist.error;

/**
 * A check before any change failed: a node is unreachable, a check failed, no upgrade path exists.
 * Nothing was changed on any node.
 */
public final class ValidationException extends HoistException {

  private static final long serialVersionUID = 1L;

  public ValidationException(String message) {
    super(message);
  }

  public ValidationException(String message, Throwable cause) {
    super(message, cause);
  }
}
