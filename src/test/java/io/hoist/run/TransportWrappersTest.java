package io.hoist.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hoist.transport.MaskingTransport;
import io.hoist.transport.Transport;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A transport that wraps another must pass every call on, default methods included: a wrapper that
 * left {@code execEach} to the interface's default ran a node's checks as one exec request each
 * instead of one for all, and nothing else noticed.
 */
class TransportWrappersTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"io.hoist.run.SharedTransports$Kept", "io.hoist.transport.MaskingTransport"})
  void aWrapperOverridesEveryDefaultMethod(String name) throws Exception {
    Class<?> wrapper = Class.forName(name);
    assertEquals(
        List.of(),
        notOverridden(Transport.class, wrapper),
        wrapper.getName() + " leaves these to Transport's defaults");
  }

  /** The same for a phase that wraps another (the run's phases, stopped on an interrupt). */
  @ParameterizedTest
  @ValueSource(strings = {"io.hoist.run.ClusterRun$Stoppable"})
  void aPhaseWrapperOverridesEveryDefaultMethod(String name) throws Exception {
    Class<?> wrapper = Class.forName(name);
    assertEquals(
        List.of(),
        notOverridden(io.hoist.phase.Phase.class, wrapper),
        wrapper.getName() + " leaves these to Phase's defaults");
  }

  /** The default methods of {@code type} that {@code wrapper} does not declare. */
  private static List<String> notOverridden(Class<?> type, Class<?> wrapper) {
    List<String> missing = new ArrayList<>();
    for (Method method : type.getMethods()) {
      if (!method.isDefault()) {
        continue;
      }
      try {
        wrapper.getDeclaredMethod(method.getName(), method.getParameterTypes());
      } catch (NoSuchMethodException e) {
        missing.add(method.getName() + Arrays.toString(method.getParameterTypes()));
      }
    }
    return missing;
  }

  @SuppressWarnings("unused")
  private static final Class<?> MASKING = MaskingTransport.class;
}
