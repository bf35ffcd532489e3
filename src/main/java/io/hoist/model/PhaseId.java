package io.hoist.model;

import java.util.Locale;

/**
 * The phases of one node's upgrade, in order. The product is stopped before the backup and the
 * switch (a consistent backup; no switch under a running product) and started after the switch. The
 * kebab-case {@link #id()} is an external name (journal, JSON, output): never change it without a
 * migration note.
 */
public enum PhaseId {
  VERSION_CHECK,
  PRE_VALIDATE,
  RETIRE,
  STOP,
  BACKUP,
  /** Rollback only: the data put back from the backup taken before the upgrade. */
  RESTORE,
  INSTALL,
  START,
  MIGRATE,
  POST_VALIDATE,
  REJOIN;

  /**
   * Whether the phase changes the node (retire and everything after it); the version check and the
   * pre-validation only read.
   */
  public boolean changesTheNode() {
    return compareTo(RETIRE) >= 0;
  }

  /** {@code version-check}, {@code pre-validate}, ... */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
