package io.hoist.transport;

/** Receives a command's output line by line, without the line terminator. */
@FunctionalInterface
public interface OutputSink {

  /** Which stream a line came from. */
  enum Stream {
    STDOUT,
    STDERR
  }

  /** Discards everything. */
  OutputSink NONE = (stream, line) -> {};

  void line(Stream stream, String line);
}
