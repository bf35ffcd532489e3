package io.hoist.model;

/** How hoist reaches a node ({@code transport:} of a node). */
public enum TransportKind {
  /** Over SSH (the default). */
  SSH,
  /** The core node itself: commands run through {@code bash -c}. */
  LOCAL
}
