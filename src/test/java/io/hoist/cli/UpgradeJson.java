package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reading an upgrade's or rollback's JSON result ({@code docs/json/upgrade.schema.json}) in tests.
 */
final class UpgradeJson {

  private UpgradeJson() {}

  /** The entry of node {@code name}. */
  static JsonNode node(JsonNode json, String name) {
    for (JsonNode n : json.get("nodes")) {
      if (n.get("node").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError("no node " + name + " in " + json.toPrettyString());
  }

  static void assertState(JsonNode json, String name, String state) {
    JsonNode n = node(json, name);
    assertEquals(state, n.get("state").asText(), n.toPrettyString());
  }

  /** The node's last phase entry {@code phase} (an undo or not). */
  static JsonNode phase(JsonNode json, String name, String phase, boolean undo) {
    JsonNode found = null;
    for (JsonNode p : node(json, name).get("phases")) {
      if (p.get("phase").asText().equals(phase) && p.get("undo").asBoolean() == undo) {
        found = p;
      }
    }
    assertNotNull(
        found,
        (undo ? "no undo of " : "no ")
            + phase
            + " for "
            + name
            + ": "
            + node(json, name).toPrettyString());
    return found;
  }
}
