package io.hoist.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.hoist.command.ShellCommand;
import io.hoist.model.Node;
import io.hoist.testing.Clusters;
import io.hoist.testing.ForwardingTransport;
import io.hoist.transport.Transport;
import io.hoist.transport.TransportFactory;
import io.hoist.transport.local.LocalTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedTransportsTest {

  @TempDir Path dir;

  /** Every transport the factory opened, and the thread each was closed in. */
  private final List<Transport> opened = new CopyOnWriteArrayList<>();

  private final List<String> closedIn = new CopyOnWriteArrayList<>();

  private final TransportFactory factory =
      node -> {
        Transport transport =
            new ForwardingTransport(new LocalTransport(node, dir)) {
              @Override
              public void close() {
                closedIn.add(node.name() + " in " + Thread.currentThread().getName());
                super.close();
              }
            };
        opened.add(transport);
        return transport;
      };

  @Test
  void aStepsCloseLeavesTheSharedTransportOpenUntilTheCommandEnds() {
    Node node = node("n1");
    try (SharedTransports shared = new SharedTransports(factory)) {
      try (Transport first = shared.open(node)) {
        run(first);
      }
      try (Transport second = shared.open(node)) {
        run(second);
      }
      assertEquals(1, opened.size(), "both steps used one transport");
      assertEquals(List.of(), closedIn, "nothing closed before the command ends");
    }
    assertEquals(List.of("n1 in " + Thread.currentThread().getName()), closedIn);
  }

  @Test
  void closedAfterUseClosesInTheStepsOwnThreadAndOnlyOnce() throws Exception {
    List<String> threads = new ArrayList<>();
    try (SharedTransports shared = new SharedTransports(factory)) {
      TransportFactory lastStep = shared.closedAfterUse();
      List<Thread> steps = new ArrayList<>();
      for (String name : List.of("n1", "n2", "n3")) {
        Thread step =
            new Thread(
                () -> {
                  try (Transport transport = lastStep.open(node(name))) {
                    run(transport);
                  }
                },
                "step-" + name);
        threads.add(name + " in step-" + name);
        steps.add(step);
        step.start();
      }
      for (Thread step : steps) {
        step.join(30_000);
      }
      assertEquals(threads.stream().sorted().toList(), closedIn.stream().sorted().toList());
    }
    assertEquals(3, closedIn.size(), "the command's end closes none of them again");
  }

  @Test
  void aLaterStepOpensANewTransportAfterTheLastOneClosedIt() {
    Node node = node("n1");
    try (SharedTransports shared = new SharedTransports(factory)) {
      try (Transport kept = shared.open(node)) {
        run(kept);
      }
      try (Transport last = shared.closedAfterUse().open(node)) {
        run(last);
      }
      assertEquals(1, opened.size(), "the last step reused the kept transport");
      assertEquals(1, closedIn.size(), "and closed it");
      try (Transport again = shared.open(node)) {
        run(again);
      }
      assertEquals(2, opened.size());
      assertNotSame(opened.get(0), opened.get(1));
    }
    assertEquals(2, closedIn.size());
  }

  private static void run(Transport transport) {
    assertEquals(
        0,
        transport.exec(ShellCommand.of("true"), Duration.ofSeconds(30), (s, l) -> {}).exitCode());
  }

  private Node node(String name) {
    return Clusters.localNode(name, dir);
  }
}
