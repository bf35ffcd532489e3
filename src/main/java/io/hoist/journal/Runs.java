package io.hoist.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runs under hoist's state directory: {@code STATE/runs/RUN-ID/}, holding the run's journal and
 * each node's log. A run id is the UTC time the run started ({@code 20261121T134500Z}), with {@code
 * -2}, {@code -3}... when several start within one second. Directories are 0700.
 */
public final class Runs {

  private static final DateTimeFormatter ID =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);

  private static final Pattern RUN_ID = Pattern.compile("([0-9]{8}T[0-9]{6}Z)(?:-([0-9]{1,6}))?");

  private Runs() {}

  /** Where the runs are kept. */
  public static Path dir(Path stateDir) {
    return stateDir.resolve("runs");
  }

  /**
   * Creates the directory of a run that starts now, with a fresh id.
   *
   * @throws UncheckedIOException when it cannot be created
   */
  public static Path create(Path stateDir, Clock clock) {
    Path runs = dir(stateDir);
    String base = ID.format(clock.instant().atOffset(ZoneOffset.UTC));
    try {
      createPrivate(stateDir);
      createPrivate(runs);
      for (int n = 1; n < 1000; n++) {
        Path dir = runs.resolve(n == 1 ? base : base + "-" + n);
        try {
          return Files.createDirectory(
              dir,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
          // Another run started within the same second: take the next id.
        }
      }
      throw new IllegalStateException("more than 999 runs started at " + base);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a run directory under " + runs, e);
    }
  }

  /** Every run with a journal, oldest first. */
  public static List<Path> list(Path stateDir) {
    Path runs = dir(stateDir);
    List<Path> found = new ArrayList<>();
    if (!Files.isDirectory(runs)) {
      return found;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(runs)) {
      for (Path dir : stream) {
        if (RUN_ID.matcher(dir.getFileName().toString()).matches() && Journal.exists(dir)) {
          found.add(dir);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the runs in " + runs, e);
    }
    found.sort(Comparator.comparing(Runs::sortKey));
    return found;
  }

  /** The newest run with a journal. */
  public static Optional<Path> last(Path stateDir) {
    List<Path> all = list(stateDir);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** The run with this id, if it has a journal. */
  public static Optional<Path> find(Path stateDir, String runId) {
    if (!RUN_ID.matcher(runId).matches()) {
      return Optional.empty();
    }
    Path dir = dir(stateDir).resolve(runId);
    return Journal.exists(dir) ? Optional.of(dir) : Optional.empty();
  }

  /**
   * {@code last} and the runs it resumed, followed back through their {@code resumes}, oldest first
   * (a run whose journal is gone ends the chain).
   */
  public static List<RunState> chain(Path stateDir, RunState last) {
    List<RunState> chain = new ArrayList<>();
    chain.add(last);
    Optional<String> resumes = last.resumes();
    while (resumes.isPresent() && chain.size() < 1000) {
      Optional<Path> earlier = find(stateDir, resumes.get());
      if (earlier.isEmpty()) {
        break;
      }
      RunState previous = RunState.of(JournalReader.read(earlier.get().resolve(Journal.FILE)));
      chain.add(0, previous);
      resumes = previous.resumes();
    }
    return chain;
  }

  private static String sortKey(Path dir) {
    Matcher m = RUN_ID.matcher(dir.getFileName().toString());
    if (!m.matches()) {
      return dir.getFileName().toString();
    }
    int n = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
    String digits = Integer.toString(n);
    return m.group(1) + "-" + "0".repeat(6 - digits.length()) + digits;
  }

  private static void createPrivate(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }
}
