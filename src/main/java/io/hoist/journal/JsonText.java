package io.hoist.journal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;

/**
 * One JSON object on one line, written with Jackson's streaming generator: the journal's events and
 * the lock's owner record. They hold strings, numbers, booleans, nulls, lists and maps, which the
 * generator writes exactly as {@code ObjectMapper.writeValueAsString} does (the same generator
 * underneath). Anything else goes to an {@link ObjectMapper}, made on first need.
 *
 * <p>Why not the mapper for all: a run writes its lock and its first journal line before it stages
 * or changes anything, and a fresh JVM spends 100 to 150 ms building its first mapper and the
 * serializers of a map (bench/README.md, sixth round); the generator alone takes a few.
 */
final class JsonText {

  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonText() {}

  /** {@code value} as one line of JSON (no line break). */
  static String of(Map<String, ?> value) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(generator, value);
    } catch (IOException e) {
      // A StringWriter does not fail; a value the mapper cannot write does.
      throw new UncheckedIOException("cannot write as JSON: " + value, e);
    }
    return out.toString();
  }

  private static void write(JsonGenerator out, Object value) throws IOException {
    if (value == null) {
      out.writeNull();
    } else if (value instanceof String text) {
      out.writeString(text);
    } else if (value instanceof Boolean flag) {
      out.writeBoolean(flag);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      out.writeNumber(((Number) value).longValue());
    } else if (value instanceof Double number) {
      out.writeNumber(number);
    } else if (value instanceof Map<?, ?> map) {
      out.writeStartObject();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        out.writeFieldName(String.valueOf(entry.getKey()));
        write(out, entry.getValue());
      }
      out.writeEndObject();
    } else if (value instanceof Collection<?> items) {
      out.writeStartArray();
      for (Object item : items) {
        write(out, item);
      }
      out.writeEndArray();
    } else {
      out.writeRawValue(Mapper.INSTANCE.writeValueAsString(value));
    }
  }

  /** The package's mapper (also for reading journals and lock records), made on first need. */
  static final class Mapper {
    static final ObjectMapper INSTANCE = new ObjectMapper();

    private Mapper() {}
  }
}
