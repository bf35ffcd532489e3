package io.hoist.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.hoist.error.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a run's journal. A crash can leave the last line torn (written in part, or not ended by a
 * newline): that line is dropped and reported, the events before it are kept. A line that is not
 * JSON anywhere else means the file was damaged by something other than a crash: an error naming
 * the line.
 */
public final class JournalReader {

  /**
   * The events of a journal.
   *
   * @param events every complete event, in order
   * @param tornTail whether a torn last line was dropped
   */
  public record Read(List<JsonNode> events, boolean tornTail) {
    public Read {
      events = List.copyOf(events);
    }
  }

  private JournalReader() {}

  /**
   * Reads {@code file}.
   *
   * @throws ValidationException when a line other than the last is not a JSON object
   * @throws UncheckedIOException when the file cannot be read
   */
  public static Read read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the run journal " + file, e);
    }
    List<JsonNode> events = new ArrayList<>();
    boolean endsWithNewline = text.endsWith("\n");
    String[] lines = text.split("\n", -1);
    int last = lines.length - 1; // after the final newline: "" when the file ends cleanly
    boolean torn = false;
    for (int i = 0; i <= last; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        continue;
      }
      boolean isLast = i == last || (i == last - 1 && endsWithNewline && lines[last].isEmpty());
      JsonNode event = parse(line);
      // A complete object without its newline is kept: only the newline was lost.
      if (event == null || !event.isObject()) {
        if (isLast) {
          torn = true;
          continue;
        }
        throw new ValidationException(
            "the run journal " + file + " is damaged at line " + (i + 1) + ": not a JSON event");
      }
      events.add(event);
    }
    return new Read(events, torn);
  }

  private static JsonNode parse(String line) {
    try {
      return JsonText.Mapper.INSTANCE.readTree(line);
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
