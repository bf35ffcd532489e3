package io.hoist.error;

/** The command line asks for something that cannot be done as asked (not a parse error). */
public final class UsageException extends HoistException {

  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
