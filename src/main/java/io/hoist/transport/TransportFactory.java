package io.hoist.transport;

import io.hoist.model.Node;

/** Opens the transport for a node (SSH or local, per the node's settings). Thread-safe. */
@FunctionalInterface
public interface TransportFactory {

  /** A transport for the node; it connects lazily. */
  Transport open(Node node);
}
