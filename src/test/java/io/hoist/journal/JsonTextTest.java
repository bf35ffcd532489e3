package io.hoist.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The journal's and the lock's JSON lines are what {@code ObjectMapper.writeValueAsString} writes,
 * byte for byte: readers of older journals (status, resume, downtime estimates) must not see a
 * difference.
 */
class JsonTextTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void anEventIsWrittenAsTheMapperWritesIt() throws Exception {
    Map<String, Object> nodes = new LinkedHashMap<>();
    nodes.put("web-1", Map.of("from", "1.0.0", "path", List.of("1.1.0", "2.0.0")));
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("ts", "2026-11-22T08:30:06.478155803Z");
    event.put("event", "run-started");
    event.put("args", List.of("-c", "/etc/hoist/a b.yaml", "--to", "1.1.0"));
    event.put("exit_code", 4);
    event.put("duration_ms", 1234567890123L);
    event.put("ratio", 0.25);
    event.put("force", false);
    event.put("failed_phase", null);
    event.put("message", "tab\there, \"quoted\", line\nbreak, \u0001 control, é, 🚀 \\ back");
    event.put("nodes", nodes);
    event.put("hops", List.of(Map.of("hop", 1, "batches", List.of(List.of("a", "b"), List.of()))));

    assertEquals(MAPPER.writeValueAsString(event), JsonText.of(event));
  }

  @Test
  void otherValuesAreLeftToTheMapper() throws Exception {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("path", Path.of("/var/lib/hoist/backups/a.tar.gz"));
    event.put("unit", java.util.concurrent.TimeUnit.SECONDS);
    event.put("small", (byte) 3);
    event.put("array", new int[] {1, 2});

    assertEquals(MAPPER.writeValueAsString(event), JsonText.of(event));
  }

  @Property(tries = 300)
  void anyTextIsWrittenAsTheMapperWritesIt(
      @ForAll String key, @ForAll String text, @ForAll long number, @ForAll List<String> list)
      throws Exception {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put(key, text);
    event.put("n", number);
    event.put("list", new ArrayList<>(list));
    event.put("nested", Map.of("values", Arrays.asList(text, null, number)));

    assertEquals(MAPPER.writeValueAsString(event), JsonText.of(event));
  }
}
