package io.hoist.error;

/** The user interrupted hoist (Ctrl-C, SIGTERM) and it stopped at a safe point. */
public final class InterruptedRunException extends HoistException {

  private static final long serialVersionUID = 1L;

  public InterruptedRunException(String message) {
    super(message);
  }
}
