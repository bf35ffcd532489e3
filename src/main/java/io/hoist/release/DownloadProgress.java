package io.hoist.release;

/**
 * Receives the progress of one bundle download, for a progress bar or a log line. Called on the
 * downloading thread; implementations must be quick and must not throw.
 *
 * <p>One transfer calls {@link #start} once, then {@link #advance} any number of times, then {@link
 * #done} when the transfer ended (successfully or not). When a transfer resumes a partial file, the
 * bytes already present are reported by one {@code advance} right after {@code start}, so the bar
 * starts where the file stands. A download retried after an interruption is a new transfer: {@code
 * start} is called again.
 */
public interface DownloadProgress {

  /** Reports nothing. */
  DownloadProgress NONE =
      new DownloadProgress() {
        @Override
        public void start(long total) {}

        @Override
        public void advance(long bytes) {}

        @Override
        public void done() {}
      };

  /**
   * A transfer begins.
   *
   * @param total the size of the whole bundle in bytes, or {@code -1} when the server does not say
   */
  void start(long total);

  /** {@code bytes} more bytes of the bundle are on disk. */
  void advance(long bytes);

  /** The transfer ended, successfully or not. */
  void done();
}
