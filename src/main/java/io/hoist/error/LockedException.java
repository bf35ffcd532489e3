package io.hoist.error;

/** Another run holds the cluster's lock (or left it stale); nothing was done. */
public final class LockedException extends HoistException {

  private static final long serialVersionUID = 1L;

  public LockedException(String message) {
    super(message);
  }
}
