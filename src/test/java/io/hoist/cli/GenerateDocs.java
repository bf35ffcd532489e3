package io.hoist.cli;

/** Placeholder replaced by the docs generator. */
public final class GenerateDocs {
  private GenerateDocs() {}

  public static void main(String[] args) {}
}
