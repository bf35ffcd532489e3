package io.hoist.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.hoist.command.SecretMask;
import io.hoist.command.ShellCommand;
import io.hoist.model.Commands;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.model.SshSettings;
import io.hoist.model.TransportKind;
import io.hoist.transport.local.LocalTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaskingTransportTest {

  @TempDir Path dir;

  @Test
  void outputLinesAndTailsNeverShowASecret() {
    Node node =
        new Node(
            "n1",
            TransportKind.LOCAL,
            null,
            List.of("db"),
            SshSettings.defaults(),
            new Layout(dir.toString(), 0),
            Commands.none());
    List<String> lines = new ArrayList<>();
    try (Transport transport =
        MaskingTransport.wrap(
            new LocalTransport(node, dir), SecretMask.of(List.of("tok-3141", "pw-2718")))) {
      ExecResult result =
          transport.exec(
              ShellCommand.of("echo token=tok-3141; echo pw-2718 refused >&2; exit 3"),
              Duration.ofSeconds(30),
              (stream, line) -> lines.add(stream + " " + line));

      // The two streams are drained by two threads: their lines may interleave either way.
      assertEquals(
          List.of("STDERR *** refused", "STDOUT token=***"), lines.stream().sorted().toList());
      assertEquals("token=***", result.stdoutTail());
      assertEquals("*** refused", result.stderrTail());
      assertEquals(3, result.exitCode());
    }
  }

  @Test
  void eachCommandOfABatchIsMaskedToo() {
    Node node =
        new Node(
            "n1",
            TransportKind.LOCAL,
            null,
            List.of("db"),
            SshSettings.defaults(),
            new Layout(dir.toString(), 0),
            Commands.none());
    List<String> lines = new ArrayList<>();
    try (Transport transport =
        MaskingTransport.wrap(new LocalTransport(node, dir), SecretMask.of(List.of("tok-3141")))) {
      List<ExecResult> results =
          transport.execEach(
              List.of(
                  new TimedCommand(ShellCommand.of("echo a=tok-3141"), Duration.ofSeconds(30)),
                  new TimedCommand(
                      ShellCommand.of("echo tok-3141 >&2; exit 4"), Duration.ofSeconds(30))),
              (stream, line) -> lines.add(stream + " " + line));
      assertEquals(List.of("STDERR ***", "STDOUT a=***"), lines.stream().sorted().toList());
      assertEquals("a=***", results.get(0).stdoutTail());
      assertEquals("***", results.get(1).stderrTail());
      assertEquals(4, results.get(1).exitCode());
    }
  }

  @Test
  void nothingToMaskLeavesTheTransportAsItIs() {
    Transport transport = new LocalTransport(null, dir);
    assertSame(transport, MaskingTransport.wrap(transport, SecretMask.NONE));
  }
}
