package io.hoist.phase;

/** How a phase, or its undo, ended. */
public enum Outcome {
  /** It ran and succeeded. */
  OK,
  /** Its effect was already present; it did not run. */
  SKIPPED_DONE,
  /** It failed. */
  FAILED
}
