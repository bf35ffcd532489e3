package io.hoist.stage;

import io.hoist.transport.Transport;
import io.hoist.transport.local.LocalTransport;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Staging on the core node itself, through {@link LocalTransport} (real bash, tar and df). */
class StagerTest extends StagerContract {

  private LocalTransport transport;

  @BeforeEach
  void open() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("PATH", fakeBin + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
    transport = new LocalTransport(node, temp, env);
  }

  @AfterEach
  void close() {
    transport.close();
  }

  @Override
  Transport transport() {
    return transport;
  }
}
