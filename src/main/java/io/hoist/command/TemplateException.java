package io.hoist.command;

/**
 * A template that cannot be parsed or rendered. {@link #offset()} is the 0-based position in the
 * template text, so the loader can point at the exact column.
 */
public final class TemplateException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final int offset;

  public TemplateException(String message, int offset) {
    super(message);
    this.offset = offset;
  }

  public int offset() {
    return offset;
  }
}
