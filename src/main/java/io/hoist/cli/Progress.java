package io.hoist.cli;

import io.hoist.command.Quantities;
import io.hoist.release.DownloadProgress;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work on stderr: a progress bar on a terminal, plain lines otherwise (logs, cron
 * mail, --no-color, NO_COLOR), nothing with -q (the --log-file still gets the plain lines).
 */
final class Progress {

  private Progress() {}

  /** A download's progress, for {@code what} (a bundle's name). */
  static DownloadProgress download(String what, Console console, Environment env) {
    boolean bar = console.isStyled(env) && !console.isQuiet() && !console.isJson();
    return bar ? new Bar(what) : new Lines(what, console);
  }

  private static final class Bar implements DownloadProgress {
    private final String what;
    private ProgressBar bar;

    Bar(String what) {
      this.what = what;
    }

    @Override
    public void start(long total) {
      // Only on a real terminal: the bar redraws itself with carriage returns.
      bar =
          new ProgressBarBuilder()
              .setTaskName(what)
              .setInitialMax(total)
              .setUnit(" MiB", 1024 * 1024)
              .setStyle(ProgressBarStyle.ASCII)
              .showSpeed()
              .setConsumer(
                  new ConsoleProgressBarConsumer(
                      new PrintStream(System.err, true, Charset.defaultCharset())))
              .build();
    }

    @Override
    public void advance(long bytes) {
      if (bar != null) {
        bar.stepBy(bytes);
      }
    }

    @Override
    public void done() {
      if (bar != null) {
        bar.close();
      }
    }
  }

  private static final class Lines implements DownloadProgress {
    private final String what;
    private final Console console;
    private long total;
    private long seen;
    private int lastTenth;
    private long started;

    Lines(String what, Console console) {
      this.what = what;
      this.console = console;
    }

    @Override
    public void start(long total) {
      this.total = total;
      this.started = System.nanoTime();
      console.note("downloading " + what + " (" + Quantities.bytes(total) + ")");
    }

    @Override
    public void advance(long bytes) {
      seen += bytes;
      if (total > 0) {
        int tenth = (int) (seen * 10 / total);
        if (tenth > lastTenth && tenth < 10) {
          lastTenth = tenth;
          console.note("downloading " + what + ": " + tenth * 10 + "%");
        }
      }
    }

    @Override
    public void done() {
      double seconds = (System.nanoTime() - started) / 1e9;
      console.note(
          String.format(
              Locale.ROOT, "downloaded %s (%s) in %.1fs", what, Quantities.bytes(seen), seconds));
    }
  }
}
