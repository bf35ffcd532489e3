package io.hoist.transport;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.command.ShellCommand;
import io.hoist.error.TransportException;
import io.hoist.testing.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The behaviour every {@link Transport} shares. A subclass provides, before each test, a transport
 * whose node runs commands in {@link #nodeDir()}, a directory this test can read and write too.
 */
public abstract class TransportContract {

  private static final Duration LONG = Duration.ofSeconds(30);
  private static final Duration GONE_WITHIN = Duration.ofSeconds(10);

  /** The transport under test (created per test, closed by the subclass). */
  protected abstract Transport transport();

  /** The node's working directory, on this machine's file system. */
  protected abstract Path nodeDir();

  /** A directory for local files of the test (not the node's). */
  protected abstract Path localDir();

  private ExecResult run(String script, RecordingSink sink) {
    return transport().exec(ShellCommand.of(script), LONG, sink);
  }

  @ParameterizedTest
  @CsvSource({"exit 0, 0", "exit 3, 3", "no-such-command-hoist-test, 127"})
  void exitCodeIsReported(String script, int expected) {
    ExecResult result = run(script, new RecordingSink());
    assertEquals(expected, result.exitCode());
    assertFalse(result.timedOut());
    assertEquals(expected == 0, result.isSuccess());
  }

  @Test
  void linesOfBothStreamsArriveInOrderWithoutTerminators() {
    RecordingSink sink = new RecordingSink();
    ExecResult result =
        run("printf 'a\\nb\\r\\n'; echo e1 >&2; echo c; echo e2 >&2; printf 'last'", sink);
    assertAll(
        () -> assertEquals(List.of("a", "b", "c", "last"), sink.lines(OutputSink.Stream.STDOUT)),
        () -> assertEquals(List.of("e1", "e2"), sink.lines(OutputSink.Stream.STDERR)),
        () -> assertEquals("a\nb\nc\nlast", result.stdoutTail()),
        () -> assertEquals("e1\ne2", result.stderrTail()),
        () -> assertEquals(0, result.exitCode()));
  }

  @Test
  void aCommandThatReadsItsInputSeesItEndAtOnce() {
    RecordingSink sink = new RecordingSink();
    ExecResult result = run("wc -c; read -r line || echo ended", sink);
    assertTrue(result.isSuccess(), result.toString());
    assertEquals(List.of("0", "ended"), sink.lines(OutputSink.Stream.STDOUT));
  }

  @Test
  void commandsRunInTheNodeDirectory() throws Exception {
    RecordingSink sink = new RecordingSink();
    run("pwd -P", sink);
    assertEquals(List.of(nodeDir().toRealPath().toString()), sink.lines(OutputSink.Stream.STDOUT));
  }

  @Test
  void bigOutputDoesNotBlockAndTailsKeepOnlyTheLastLines() {
    RecordingSink sink = new RecordingSink();
    ExecResult result = run("seq 1 100000; seq 1 100000 >&2", sink);
    String expectedTail =
        IntStream.rangeClosed(100001 - ExecResult.TAIL_LINES, 100000)
            .mapToObj(Integer::toString)
            .collect(Collectors.joining("\n"));
    assertAll(
        () -> assertEquals(0, result.exitCode()),
        () -> assertEquals(100000, sink.lines(OutputSink.Stream.STDOUT).size()),
        () -> assertEquals(100000, sink.lines(OutputSink.Stream.STDERR).size()),
        () -> assertEquals("100000", sink.lines(OutputSink.Stream.STDOUT).get(99999)),
        () -> assertEquals(expectedTail, result.stdoutTail()),
        () -> assertEquals(expectedTail, result.stderrTail()));
  }

  @Test
  void anEndlessLineArrivesInPiecesOfBoundedLengthAndTheCommandEndsNormally() {
    int size = 5 * 1024 * 1024;
    List<Integer> lengths = new ArrayList<>();
    List<String> others = new ArrayList<>();
    OutputSink measuring =
        (stream, line) -> {
          // Keeps lengths only: the test itself must not hold 5 MB of lines.
          if (stream == OutputSink.Stream.STDOUT && !line.equals("done")) {
            lengths.add(line.length());
          } else {
            others.add(line);
          }
        };
    ExecResult result =
        transport()
            .exec(
                ShellCommand.of("head -c " + size + " /dev/zero | tr '\\0' a; echo; echo done"),
                LONG,
                measuring);
    assertAll(
        () -> assertEquals(0, result.exitCode(), "the pipeline was not cut short (no SIGPIPE)"),
        () -> assertTrue(lengths.size() >= 80, "pieces: " + lengths.size()),
        () ->
            assertTrue(
                lengths.stream().allMatch(length -> length <= OutputPump.MAX_LINE_BYTES),
                "a piece is longer than " + OutputPump.MAX_LINE_BYTES),
        () -> assertEquals(size, lengths.stream().mapToInt(Integer::intValue).sum()),
        () -> assertEquals(List.of("done"), others),
        () -> assertEquals("done", result.lastLine()));
  }

  @Test
  void aSinkThatBlocksDoesNotKeepExecFromReturningAtItsTimeout() {
    CountDownLatch release = new CountDownLatch(1);
    OutputSink blocking = (stream, line) -> awaitUninterruptibly(release);
    try {
      ExecResult result =
          assertTimeoutPreemptively(
              LONG,
              () ->
                  transport()
                      .exec(
                          ShellCommand.of("echo first; sleep 60"),
                          Duration.ofSeconds(1),
                          blocking));
      assertTrue(result.timedOut());
    } finally {
      release.countDown();
    }
  }

  @Test
  void timeoutStopsTheCommandAndItsChildren() throws Exception {
    Path pids = nodeDir().resolve("pids");
    ExecResult result =
        transport()
            .exec(
                ShellCommand.of(
                    "sleep 60 & echo $! > "
                        + pids
                        + "; echo $$ >> "
                        + pids
                        + "; echo started; wait"),
                Duration.ofSeconds(2),
                new RecordingSink());
    assertTrue(result.timedOut());
    assertEquals(-1, result.exitCode());
    assertFalse(result.isSuccess());
    List<String> lines = Files.readAllLines(pids);
    assertEquals(2, lines.size(), "the command wrote the sleep's and bash's pids: " + lines);
    for (String pid : lines) {
      assertTrue(
          Processes.awaitGone(Long.parseLong(pid.strip()), GONE_WITHIN),
          "process " + pid + " still runs");
    }
  }

  @Test
  void transportIsUsableAfterATimeout() {
    ExecResult first =
        transport().exec(ShellCommand.of("sleep 60"), Duration.ofSeconds(1), OutputSink.NONE);
    assertTrue(first.timedOut());
    RecordingSink sink = new RecordingSink();
    ExecResult second = run("echo again", sink);
    assertTrue(second.isSuccess());
    assertEquals(List.of("again"), sink.lines(OutputSink.Stream.STDOUT));
  }

  @Test
  void closeMakesABlockedExecFailAsDroppedWithoutShowingSecrets() {
    ShellCommand command =
        ShellCommand.masked("echo started; SECRET=hunter2; sleep 60", "echo started; SECRET=***");
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    OutputSink closeOnStart =
        (stream, line) -> {
          if (line.equals("started")) {
            closing.add(CompletableFuture.runAsync(transport()::close));
          }
        };
    TransportException e =
        assertThrows(TransportException.class, () -> transport().exec(command, LONG, closeOnStart));
    assertEquals(TransportException.Kind.DROPPED, e.kind());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertTrue(e.getMessage().contains("SECRET=***"), e.getMessage());
    closing.forEach(CompletableFuture::join);
  }

  @Test
  void interruptStopsTheCommandKeepsTheFlagAndFailsAsDropped() throws Exception {
    Path pids = nodeDir().resolve("pids");
    Thread caller = Thread.currentThread();
    OutputSink interruptOnStart =
        (stream, line) -> {
          if (line.equals("started")) {
            caller.interrupt();
          }
        };
    try {
      TransportException e =
          assertThrows(
              TransportException.class,
              () ->
                  transport()
                      .exec(
                          ShellCommand.of("sleep 60 & echo $! > " + pids + "; echo started; wait"),
                          LONG,
                          interruptOnStart));
      assertEquals(TransportException.Kind.DROPPED, e.kind());
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag was cleared");
    } finally {
      Thread.interrupted();
    }
    long pid = Long.parseLong(Files.readString(pids).strip());
    assertTrue(Processes.awaitGone(pid, GONE_WITHIN), "process " + pid + " still runs");
  }

  @Test
  void uploadAndDownloadKeepTheBytesAndReturnTheirSha256() throws Exception {
    byte[] bytes = new byte[3 * 1024 * 1024 + 17];
    new Random(42).nextBytes(bytes);
    Path local = Files.write(localDir().resolve("bundle.tgz"), bytes);
    String expected = FileDigest.sha256(local);
    Path remote = nodeDir().resolve("bundle.tgz");

    assertEquals(expected, transport().upload(local, remote.toString()));
    assertArrayEquals(bytes, Files.readAllBytes(remote));

    Path back = localDir().resolve("back.tgz");
    assertEquals(expected, transport().download(remote.toString(), back));
    assertArrayEquals(bytes, Files.readAllBytes(back));
    assertEquals(List.of("back.tgz", "bundle.tgz"), fileNames(localDir()));
    assertEquals(List.of("bundle.tgz"), fileNames(nodeDir()));
  }

  @Test
  void uploadWithAKnownSha256KeepsTheBytesAndRefusesACopyThatDoesNotMatchIt() throws Exception {
    byte[] bytes = new byte[1024 * 1024 + 3];
    new Random(7).nextBytes(bytes);
    Path local = Files.write(localDir().resolve("bundle.tgz"), bytes);
    String known = FileDigest.sha256(local);
    Path remote = nodeDir().resolve("bundle.tgz");

    assertEquals(known, transport().upload(local, remote.toString(), known));
    assertArrayEquals(bytes, Files.readAllBytes(remote));

    // The caller vouched for another sha256 than the bytes have: the copy is refused and removed.
    Path other = nodeDir().resolve("other.tgz");
    TransportException e =
        assertThrows(
            TransportException.class,
            () -> transport().upload(local, other.toString(), "0".repeat(64)));
    assertEquals(TransportException.Kind.TRANSFER, e.kind());
    assertTrue(e.getMessage().contains(known), e.getMessage());
    assertEquals(List.of("bundle.tgz"), fileNames(nodeDir()));
  }

  @Test
  void uploadReplacesAnExistingFile() throws Exception {
    Path remote = Files.writeString(nodeDir().resolve("config"), "old contents, longer");
    Path local = Files.writeString(localDir().resolve("config"), "new");
    transport().upload(local, remote.toString());
    assertEquals("new", Files.readString(remote, StandardCharsets.UTF_8));
  }

  @Test
  void copiesAreReadableByTheirOwnerOnly() throws Exception {
    Path local = Files.writeString(localDir().resolve("archive.tar.gz"), "the node's data");
    Path remote = nodeDir().resolve("archive.tar.gz");
    transport().upload(local, remote.toString());
    Path back = localDir().resolve("back.tar.gz");
    transport().download(remote.toString(), back);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(remote)));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(back)));
  }

  @Test
  void uploadToAMissingDirectoryFailsAsTransferAndLeavesNoFile() throws Exception {
    Path local = Files.writeString(localDir().resolve("file"), "x");
    Path remote = nodeDir().resolve("missing").resolve("file");
    TransportException e =
        assertThrows(TransportException.class, () -> transport().upload(local, remote.toString()));
    assertEquals(TransportException.Kind.TRANSFER, e.kind());
    assertTrue(e.getMessage().contains(remote.toString()), e.getMessage());
    assertFalse(Files.exists(remote.getParent()));
    assertEquals(List.of(), fileNames(nodeDir()));
  }

  @Test
  void downloadOfAMissingFileFailsAsTransferAndLeavesNoFile() throws Exception {
    Path local = localDir().resolve("copy");
    TransportException e =
        assertThrows(
            TransportException.class,
            () -> transport().download(nodeDir().resolve("nothing").toString(), local));
    assertEquals(TransportException.Kind.TRANSFER, e.kind());
    assertEquals(List.of(), fileNames(localDir()));
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<String> fileNames(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static TimedCommand timed(String script, Duration timeout) {
    return new TimedCommand(ShellCommand.of(script), timeout);
  }

  @Test
  void execEachKeepsEveryCommandsOutputAndStatusApart() {
    RecordingSink sink = new RecordingSink();
    List<ExecResult> results =
        transport()
            .execEach(
                List.of(
                    timed("printf 'a\\nb'", LONG),
                    timed("echo x; echo y >&2; exit 3", LONG),
                    timed("true", LONG),
                    timed("echo; echo; echo z", LONG),
                    timed("printf 'no newline' >&2; printf 'end\\n\\n'", LONG),
                    timed("echo hoist-frame-00000000000000000000000000000000 5 0", LONG)),
                sink);
    assertEquals(6, results.size());
    assertAll(
        () -> assertEquals(0, results.get(0).exitCode()),
        () -> assertEquals("a\nb", results.get(0).stdoutTail()),
        () -> assertEquals("", results.get(0).stderrTail()),
        () -> assertEquals(3, results.get(1).exitCode()),
        () -> assertEquals("x", results.get(1).stdoutTail()),
        () -> assertEquals("y", results.get(1).stderrTail()),
        () -> assertTrue(results.get(2).isSuccess()),
        () -> assertEquals("", results.get(2).stdoutTail()),
        () -> assertEquals("\n\nz", results.get(3).stdoutTail()),
        () -> assertEquals("end\n", results.get(4).stdoutTail()),
        () -> assertEquals("no newline", results.get(4).stderrTail()),
        () ->
            assertEquals(
                "hoist-frame-00000000000000000000000000000000 5 0", results.get(5).stdoutTail()),
        () -> assertFalse(results.stream().anyMatch(ExecResult::timedOut)),
        () ->
            assertEquals(
                List.of(
                    "a",
                    "b",
                    "x",
                    "",
                    "",
                    "z",
                    "end",
                    "",
                    "hoist-frame-00000000000000000000000000000000 5 0"),
                sink.lines(OutputSink.Stream.STDOUT)),
        () -> assertEquals(List.of("y", "no newline"), sink.lines(OutputSink.Stream.STDERR)));
  }

  @Test
  void execEachPassesOnAllOfALargeOutputAndKeepsTheNextCommandApart() {
    // Far more than any window or buffer on the way: 200,000 numbered lines on stdout (about
    // 1.3 MB) and 100,000 on stderr, interleaved, then a command after them.
    RecordingSink sink = new RecordingSink();
    List<ExecResult> results =
        transport()
            .execEach(
                List.of(
                    timed(
                        "i=0; while [ $i -lt 100000 ]; do echo o$i; echo p$i; echo e$i >&2;"
                            + " i=$((i + 1)); done",
                        LONG),
                    timed("echo next; echo next-err >&2", LONG)),
                sink);
    List<String> out = sink.lines(OutputSink.Stream.STDOUT);
    List<String> err = sink.lines(OutputSink.Stream.STDERR);
    assertAll(
        () -> assertEquals(200_001, out.size()),
        () -> assertEquals("o0", out.get(0)),
        () -> assertEquals("p99999", out.get(199_999)),
        () -> assertEquals("next", out.get(200_000)),
        () -> assertEquals(100_001, err.size()),
        () -> assertEquals("e99999", err.get(99_999)),
        () -> assertEquals("next-err", err.get(100_000)),
        () -> assertTrue(results.get(0).isSuccess(), results.get(0).toString()),
        () -> assertTrue(results.get(0).stdoutTail().endsWith("o99999\np99999")),
        () -> assertEquals("next", results.get(1).stdoutTail()),
        () -> assertEquals("next-err", results.get(1).stderrTail()));
  }

  @Test
  void execEachGoesOnAfterACommandTimedOut() {
    long start = System.nanoTime();
    List<ExecResult> results =
        transport()
            .execEach(
                List.of(timed("sleep 60", Duration.ofSeconds(1)), timed("echo after", LONG)),
                OutputSink.NONE);
    assertTrue(results.get(0).timedOut(), results.get(0).toString());
    assertFalse(results.get(0).isSuccess());
    assertTrue(results.get(1).isSuccess(), results.get(1).toString());
    assertEquals("after", results.get(1).stdoutTail());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 30, "not the sleep's 60s");
  }

  /** Records every line per stream. */
  protected static final class RecordingSink implements OutputSink {
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();

    /** An empty recording. */
    public RecordingSink() {}

    @Override
    public synchronized void line(Stream stream, String line) {
      (stream == Stream.STDOUT ? stdout : stderr).add(line);
    }

    /** The lines of one stream so far. */
    public synchronized List<String> lines(Stream stream) {
      return List.copyOf(stream == Stream.STDOUT ? stdout : stderr);
    }
  }
}
