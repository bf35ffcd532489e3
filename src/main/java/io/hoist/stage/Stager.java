package io.hoist.stage;

import io.hoist.command.Quantities;
import io.hoist.command.ShellCommand;
import io.hoist.command.ShellQuote;
import io.hoist.error.TransportException;
import io.hoist.model.Layout;
import io.hoist.model.Node;
import io.hoist.release.Version;
import io.hoist.stage.StageResult.Status;
import io.hoist.transport.ExecResult;
import io.hoist.transport.OutputSink;
import io.hoist.transport.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stages a release on one node: after it, {@code HOME/releases/VERSION} holds the unpacked bundle
 * and a marker file, {@value #MARKER}, holding the bundle's sha256. {@code HOME/current} is never
 * touched: switching is the upgrade's job.
 *
 * <p>Staging is three round trips plus pruning; the already-staged case is one. Every path is
 * shell-quoted:
 *
 * <ol>
 *   <li><b>Probe</b> ({@link #probe}; the only command when the release is already staged): is
 *       {@code VERSION/.hoist-staged} there with this bundle's sha256? Is there some other {@code
 *       VERSION} directory? Does {@code df -Pk} show {@value #SPACE_FACTOR} times the bundle's size
 *       free in {@code HOME/releases} (or its nearest existing ancestor)? If so, {@code mkdir -p
 *       HOME/releases}.
 *   <li><b>Upload</b> of the bundle to {@code HOME/releases/.VERSION.bundle} through {@link
 *       Transport#upload}, which verifies the copy's sha256 and renames it into place (over SSH:
 *       SFTP, then {@code sha256sum} on the node); the sha256 it returns must be the expected one.
 *   <li><b>Unpack</b> ({@link #unpack}): {@code tar -xzf} into {@code VERSION.partial}, write the
 *       marker, {@code mv -T VERSION.partial VERSION}, remove the uploaded bundle; then list {@code
 *       readlink HOME/current} and the directories of {@code HOME/releases} with and without the
 *       marker. On failure the script removes {@code VERSION.partial} and the bundle.
 *   <li><b>Prune</b> ({@link #prune}), only when something is to be removed: see {@link Retention}.
 * </ol>
 *
 * <p>When a step fails after the upload began and its script could not clean up, {@link #cleanUp}
 * removes {@code VERSION.partial} and the bundle. A {@code VERSION} directory hoist did not stage
 * from this bundle fails the node and is left as it is: hoist never deletes a directory it did not
 * create. Pruning runs only after a new release was staged, so the nightly no-op stays one round
 * trip.
 *
 * <p>Thread safety: immutable; {@link #stage} may run for many nodes at once, each with its own
 * transport.
 */
public final class Stager {

  /** The file in a staged release's directory that holds the sha256 of the bundle it came from. */
  public static final String MARKER = ".hoist-staged";

  /**
   * Free space required in {@code HOME/releases}, as a multiple of the bundle's size: the uploaded
   * bundle plus its unpacked content (about as large again for a compressed bundle) plus a margin.
   */
  public static final int SPACE_FACTOR = 3;

  private static final Logger LOG = LoggerFactory.getLogger(Stager.class);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** Exit codes of the unpack script, by the step that failed. */
  private static final Map<Integer, String> UNPACK_STEPS =
      Map.of(
          3, "creating the unpack directory",
          4, "unpacking the bundle",
          5, "writing the " + MARKER + " marker",
          6, "moving the release into place",
          7, "moving the release into place");

  private final Duration commandTimeout;
  private final Duration unpackTimeout;

  /**
   * @param commandTimeout limit of the probe and of the clean-up after a failure
   * @param unpackTimeout limit of unpacking the bundle and of removing old releases (the upload is
   *     bounded by the transport)
   */
  public Stager(Duration commandTimeout, Duration unpackTimeout) {
    this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
    this.unpackTimeout = Objects.requireNonNull(unpackTimeout, "unpackTimeout");
  }

  /**
   * Stages {@code version} from {@code bundle} on {@code node}, then prunes old staged releases.
   * Idempotent: when the release is already staged from a bundle with this sha256, the probe is the
   * only command (one round trip) and nothing changes. Blocks; never throws for a problem of the
   * node or the connection: those are {@link Status#FAILED} results.
   *
   * @param bundle the release bundle ({@code .tar.gz}) on this machine, already verified
   * @param sha256 the bundle's sha256, lower-case hex
   * @param keep how many of the newest staged releases pruning keeps, at least 1 (the running
   *     release and the one before it are kept as well)
   * @throws IllegalArgumentException for a malformed sha256 or {@code keep < 1}
   * @throws UncheckedIOException when the local bundle cannot be read
   */
  public StageResult stage(
      Node node, Transport transport, Path bundle, String sha256, Version version, int keep) {
    if (!SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a lower-case hex sha256: '" + sha256 + "'");
    }
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1, not " + keep);
    }
    long size;
    try {
      size = Files.size(bundle);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bundle " + bundle, e);
    }
    return new Attempt(node, transport, bundle, size, sha256, version, keep).run();
  }

  /**
   * The probe. Prints one line: {@code staged}; {@code foreign [SHA256]} (a {@code VERSION}
   * directory without this bundle's marker, with the sha256 of its marker if it has one); {@code
   * short FREE_KIB DIR}; or {@code ready} after {@code mkdir -p HOME/releases}.
   */
  static ShellCommand probe(Layout layout, Version version, String sha256, long neededKib) {
    return ShellCommand.of(
        String.join(
            "\n",
            "d=" + ShellQuote.quote(layout.releaseDir(version.text())),
            "m=\"$d\"/" + MARKER,
            "if [ ! -L \"$d\" ] && [ -f \"$m\" ] && [ \"$(cat -- \"$m\")\" = "
                + sha256
                + " ]; then echo staged; exit 0; fi",
            "if [ -e \"$d\" ] || [ -L \"$d\" ]; then",
            "  echo \"foreign $(head -c 64 -- \"$m\" 2>/dev/null | tr -cd 0-9a-f)\"; exit 0",
            "fi",
            "t=" + ShellQuote.quote(layout.releasesDir()),
            "while [ ! -d \"$t\" ]; do t=$(dirname -- \"$t\"); done",
            "free=$(df -Pk -- \"$t\" | awk 'NR==2 {print $4}')",
            "case $free in ''|*[!0-9]*) echo \"cannot read the free space of $t from df\" >&2;"
                + " exit 1;; esac",
            "if [ \"$free\" -lt " + neededKib + " ]; then echo \"short $free $t\"; exit 0; fi",
            "mkdir -p -- " + ShellQuote.quote(layout.releasesDir()) + " && echo ready"));
  }

  /**
   * Unpacks the uploaded bundle and lists the releases. Exits 3 to 7 for the step that failed (see
   * {@link #UNPACK_STEPS}) after removing {@code VERSION.partial} and the bundle; on success prints
   * {@code current TARGET} (empty when there is no link) and one line {@code staged NAME} or {@code
   * other NAME} per directory of {@code HOME/releases} (symbolic links are skipped).
   */
  static ShellCommand unpack(Layout layout, Version version, String sha256) {
    String dir = layout.releaseDir(version.text());
    return ShellCommand.of(
        String.join(
            "\n",
            "r=" + ShellQuote.quote(layout.releasesDir()),
            "p=" + ShellQuote.quote(dir + ".partial"),
            "d=" + ShellQuote.quote(dir),
            "b=" + ShellQuote.quote(uploadPath(layout, version)),
            "fail() { rm -rf -- \"$p\"; rm -f -- \"$b\"; exit \"$1\"; }",
            "rm -rf -- \"$p\" && mkdir -- \"$p\" || fail 3",
            // The bundle was verified (sha256 and manifest) on the core node before staging and
            // the upload was checked against that sha256, so its entries are trusted. Files are
            // still owned by the login user, never by the packager's uid.
            "tar --no-same-owner -xzf \"$b\" -C \"$p\" || fail 4",
            "printf '%s\\n' " + sha256 + " > \"$p\"/" + MARKER + " || fail 5",
            // mv -T would replace an empty directory created since the probe: refuse instead.
            "if [ -e \"$d\" ] || [ -L \"$d\" ]; then",
            "  echo \"$d appeared while staging; left as it is\" >&2; fail 6",
            "fi",
            "mv -T -- \"$p\" \"$d\" || fail 7",
            "rm -f -- \"$b\"",
            "printf 'current %s\\n' \"$(readlink -- "
                + ShellQuote.quote(layout.currentLink())
                + " 2>/dev/null)\"",
            "for e in \"$r\"/*/; do",
            "  e=${e%/}",
            "  if [ -L \"$e\" ] || [ ! -d \"$e\" ]; then continue; fi",
            "  if [ -f \"$e\"/" + MARKER + " ]; then k=staged; else k=other; fi",
            "  printf '%s %s\\n' \"$k\" \"${e##*/}\"",
            "done"));
  }

  /**
   * Removes staged releases by name, printing {@code pruned NAME} for each. A name is skipped when
   * its directory has lost the marker, is a symbolic link, or is where {@code current} points now.
   * The marker goes first, so a removal that stops half-way leaves a directory hoist no longer
   * trusts rather than a broken release that looks staged. Exits 1 if a removal failed.
   */
  static ShellCommand prune(Layout layout, List<String> names) {
    StringBuilder quoted = new StringBuilder();
    for (String name : names) {
      quoted.append(' ').append(ShellQuote.quote(name));
    }
    return ShellCommand.of(
        String.join(
            "\n",
            "r=" + ShellQuote.quote(layout.releasesDir()),
            "c=$(readlink -- " + ShellQuote.quote(layout.currentLink()) + " 2>/dev/null)",
            "c=${c%/}; c=${c##*/}; s=0",
            "for n in" + quoted + "; do",
            "  e=\"$r/$n\"",
            "  if [ \"$n\" = \"$c\" ] || [ -L \"$e\" ] || [ ! -f \"$e\"/" + MARKER + " ]; then",
            "    continue",
            "  fi",
            "  if rm -f -- \"$e\"/" + MARKER + " && rm -rf -- \"$e\"; then",
            "    printf 'pruned %s\\n' \"$n\"",
            "  else s=1; fi",
            "done",
            "exit $s"));
  }

  /** Removes what a failed staging may have left: {@code VERSION.partial} and the bundle. */
  static ShellCommand cleanUp(Layout layout, Version version) {
    return ShellCommand.of(
        "rm -rf -- "
            + ShellQuote.quote(layout.releaseDir(version.text()) + ".partial")
            + "; rm -f -- "
            + ShellQuote.quote(uploadPath(layout, version)));
  }

  /** Where the bundle is uploaded to: {@code HOME/releases/.VERSION.bundle}. */
  static String uploadPath(Layout layout, Version version) {
    return layout.releasesDir() + "/." + version.text() + ".bundle";
  }

  /** A failed step: becomes a {@link Status#FAILED} result. */
  private static final class StepFailed extends Exception {
    private static final long serialVersionUID = 1L;

    StepFailed(String message) {
      super(message, null, false, false);
    }
  }

  /** One call of {@link #stage}: its node, bundle and progress. */
  private final class Attempt {
    private final Node node;
    private final Transport transport;
    private final Path bundle;
    private final long bundleSize;
    private final String sha256;
    private final Version version;
    private final int keep;
    private final Layout layout;
    private final long start = System.nanoTime();
    private long bytesSent;
    private boolean uploading;

    Attempt(
        Node node,
        Transport transport,
        Path bundle,
        long size,
        String sha256,
        Version version,
        int keep) {
      this.node = node;
      this.transport = transport;
      this.bundle = bundle;
      this.bundleSize = size;
      this.sha256 = sha256;
      this.version = version;
      this.keep = keep;
      this.layout = node.layout();
    }

    StageResult run() {
      String dir = layout.releaseDir(version.text());
      try {
        if (isAlreadyStaged()) {
          return result(Status.ALREADY_STAGED, version + " is already staged in " + dir, List.of());
        }
        upload();
        Listing listing = unpackRelease();
        String staged =
            "staged " + version + " in " + dir + " (" + Quantities.bytes(bundleSize) + " sent)";
        List<String> remove =
            Retention.prunable(
                listing.staged(), listing.other(), listing.current(), version.text(), keep);
        if (remove.isEmpty()) {
          return result(Status.STAGED, staged, List.of());
        }
        return pruneReleases(staged, remove);
      } catch (StepFailed e) {
        return result(Status.FAILED, e.getMessage(), List.of());
      } catch (TransportException e) {
        return result(Status.FAILED, e.getMessage() + leftovers(), List.of());
      }
    }

    /** The probe; true when already staged, else ready to upload (or a failed step). */
    private boolean isAlreadyStaged() throws StepFailed {
      long neededKib = Math.max(1, (SPACE_FACTOR * bundleSize + 1023) / 1024);
      ExecResult result =
          exec("checking " + layout.releasesDir(), probe(layout, version, sha256, neededKib));
      String[] line = result.lastLine().split(" ", 3);
      switch (line[0]) {
        case "staged":
          return true;
        case "ready":
          return false;
        case "foreign":
          throw new StepFailed(foreign(line.length > 1 ? line[1] : ""));
        case "short":
          throw new StepFailed(
              "needs "
                  + Quantities.bytes(neededKib * 1024)
                  + " free in "
                  + line[2]
                  + ", has "
                  + Quantities.bytes(Long.parseLong(line[1]) * 1024)
                  + " ("
                  + SPACE_FACTOR
                  + " × the bundle's "
                  + Quantities.bytes(bundleSize)
                  + "); free some space there, then prepare again");
        default:
          throw new StepFailed(
              "checking " + layout.releasesDir() + " printed '" + result.lastLine() + "'");
      }
    }

    private String foreign(String markerSha) {
      String dir = layout.releaseDir(version.text());
      String why;
      if (markerSha.isEmpty()) {
        why = "exists but was not staged by hoist (no " + MARKER + " marker)";
      } else if (markerSha.equals(sha256)) {
        why = "is a symbolic link, not a release staged by hoist";
      } else {
        why =
            "was staged by hoist from another bundle (sha256 "
                + markerSha
                + ", this bundle's is "
                + sha256
                + ")";
      }
      return dir
          + " "
          + why
          + "; hoist does not replace a directory it did not stage from this bundle: make sure"
          + " it is not in use, move it aside or remove it on the node, then prepare again";
    }

    private void upload() throws StepFailed {
      String target = uploadPath(layout, version);
      uploading = true;
      LOG.info("{}: uploading {} to {}", node.name(), bundle, target);
      String agreed;
      try {
        // The bundle was verified on the core node: hash it there once, not once per node.
        agreed = transport.upload(bundle, target, sha256);
      } catch (TransportException e) {
        throw new StepFailed("uploading the bundle failed: " + e.getMessage() + cleanUpQuietly());
      }
      bytesSent = bundleSize;
      if (!agreed.equals(sha256)) {
        throw new StepFailed(
            "the bundle "
                + bundle
                + " has sha256 "
                + agreed
                + ", not the expected "
                + sha256
                + ": it changed after it was verified; fetch it again with `hoist version get "
                + version
                + "`"
                + cleanUpQuietly());
      }
    }

    private Listing unpackRelease() throws StepFailed {
      List<String> out = new ArrayList<>();
      ExecResult result =
          transport.exec(
              log(unpack(layout, version, sha256)),
              unpackTimeout,
              (stream, line) -> {
                LOG.debug(
                    "{}: {} {}", node.name(), stream == OutputSink.Stream.STDOUT ? ">" : "!", line);
                if (stream == OutputSink.Stream.STDOUT) {
                  out.add(line);
                }
              });
      logEnd(result);
      if (result.timedOut()) {
        throw new StepFailed(
            "unpacking "
                + version
                + " timed out after "
                + unpackTimeout.toSeconds()
                + "s"
                + cleanUpQuietly());
      }
      if (!result.isSuccess()) {
        String step = UNPACK_STEPS.getOrDefault(result.exitCode(), "unpacking the bundle");
        // The script removed its leftovers itself, unless it died before it could.
        String cleanUp = UNPACK_STEPS.containsKey(result.exitCode()) ? "" : cleanUpQuietly();
        throw new StepFailed(
            step
                + " in "
                + layout.releasesDir()
                + " failed (exit "
                + result.exitCode()
                + "): "
                + lastLines(result)
                + cleanUp);
      }
      uploading = false;
      return Listing.parse(out);
    }

    private StageResult pruneReleases(String staged, List<String> remove) {
      List<String> pruned = new ArrayList<>();
      try {
        ExecResult result =
            transport.exec(
                log(prune(layout, remove)),
                unpackTimeout,
                (stream, line) -> {
                  if (stream == OutputSink.Stream.STDOUT && line.startsWith("pruned ")) {
                    pruned.add(line.substring("pruned ".length()));
                  }
                });
        logEnd(result);
        String done = pruned.isEmpty() ? "" : "; pruned " + String.join(", ", pruned);
        if (!result.isSuccess()) {
          String why =
              result.timedOut()
                  ? "timed out after " + unpackTimeout.toSeconds() + "s"
                  : "exit " + result.exitCode() + ": " + result.lastLine();
          return result(
              Status.STAGED,
              staged + done + "; removing old releases failed (" + why + ")",
              pruned);
        }
        return result(Status.STAGED, staged + done, pruned);
      } catch (TransportException e) {
        return result(
            Status.STAGED, staged + "; removing old releases failed: " + e.getMessage(), pruned);
      }
    }

    private ExecResult exec(String what, ShellCommand command) throws StepFailed {
      ExecResult result =
          transport.exec(
              log(command),
              commandTimeout,
              (stream, line) ->
                  LOG.debug(
                      "{}: {} {}",
                      node.name(),
                      stream == OutputSink.Stream.STDOUT ? ">" : "!",
                      line));
      logEnd(result);
      if (result.timedOut()) {
        throw new StepFailed(what + " timed out after " + commandTimeout.toSeconds() + "s");
      }
      if (!result.isSuccess()) {
        throw new StepFailed(
            what + " failed (exit " + result.exitCode() + "): " + result.lastLine());
      }
      return result;
    }

    /**
     * Removes the partial release and the bundle after a failure. Returns "" when that worked, else
     * a sentence for the message: a clean-up can fail where staging did (a dropped node).
     */
    private String cleanUpQuietly() {
      uploading = false;
      try {
        ExecResult result =
            transport.exec(log(cleanUp(layout, version)), commandTimeout, OutputSink.NONE);
        logEnd(result);
        if (result.isSuccess()) {
          return "";
        }
      } catch (TransportException e) {
        LOG.debug("{}: clean-up failed", node.name(), e);
      }
      return leftoversSentence();
    }

    /** After a transport failure during an upload or an unpack: a try to clean up. */
    private String leftovers() {
      return uploading ? cleanUpQuietly() : "";
    }

    private String leftoversSentence() {
      return "; "
          + version
          + ".partial and ."
          + version
          + ".bundle may be left in "
          + layout.releasesDir()
          + " (the next prepare replaces them)";
    }

    private ShellCommand log(ShellCommand command) {
      LOG.info("{}: $ {}", node.name(), command.display());
      return command;
    }

    private void logEnd(ExecResult result) {
      LOG.info(
          "{}: {} in {} ms",
          node.name(),
          result.timedOut() ? "timed out" : "exit " + result.exitCode(),
          result.duration().toMillis());
    }

    private StageResult result(Status status, String message, List<String> pruned) {
      return new StageResult(
          node.name(),
          status,
          message,
          bytesSent,
          Duration.ofNanos(System.nanoTime() - start),
          pruned);
    }
  }

  /** What the unpack script listed: where {@code current} points and the release directories. */
  private record Listing(String current, List<String> staged, List<String> other) {

    static Listing parse(List<String> lines) {
      String current = null;
      List<String> staged = new ArrayList<>();
      List<String> other = new ArrayList<>();
      for (String line : lines) {
        if (line.startsWith("current ")) {
          String target = line.substring("current ".length()).replaceAll("/+$", "");
          String name = target.substring(target.lastIndexOf('/') + 1);
          current = name.isEmpty() ? null : name;
        } else if (line.startsWith("staged ")) {
          staged.add(line.substring("staged ".length()));
        } else if (line.startsWith("other ")) {
          other.add(line.substring("other ".length()));
        }
      }
      return new Listing(current, staged, other);
    }
  }

  /**
   * The last few lines of error output (tar's first complaint, such as "not in gzip format", comes
   * before its generic "exiting now"), else the last line of output.
   */
  private static String lastLines(ExecResult result) {
    List<String> lines =
        result.stderrTail().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (lines.isEmpty()) {
      return result.lastLine();
    }
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
  }
}
