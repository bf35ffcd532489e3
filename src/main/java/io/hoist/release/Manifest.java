package io.hoist.release;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.hoist.error.ValidationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The manifest of a release bundle: the file {@value #FILE_NAME} at the bundle's root.
 *
 * <pre>{@code
 * {
 *   "product" : "acme",
 *   "version" : "3.6.1",
 *   "upgrade_from" : ">=3.5.3",
 *   "min_hoist" : "0.1.0"
 * }
 * }</pre>
 *
 * <p>{@code product} and {@code version} are required; {@code upgrade_from} (a {@link
 * VersionRange}: the versions a node may be on to upgrade to this one) and {@code min_hoist} (the
 * oldest hoist that can install the bundle) are optional. Every value is a JSON string. Unknown and
 * duplicate keys are errors, so that a misspelt constraint is never silently dropped.
 *
 * @param product the product's name: a letter or digit, then letters, digits, '.', '_', '-'
 * @param version the release
 * @param upgradeFrom the versions this release may be installed over, or {@code null}: any
 * @param minHoist the oldest hoist that can install this release, or {@code null}: any
 */
public record Manifest(
    String product, Version version, VersionRange upgradeFrom, Version minHoist) {

  /** The manifest's file name at the root of a bundle. */
  public static final String FILE_NAME = "hoist-release.json";

  private static final Pattern PRODUCT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final List<String> KEYS =
      List.of("product", "version", "upgrade_from", "min_hoist");
  // The streaming parser alone: a data-binding mapper costs a start-up about 30 ms of class loading
  // and its date format's calendar data (bench/README.md, eighth round).
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException when the product is not a valid name
   * @throws NullPointerException when product or version is null
   */
  public Manifest {
    Objects.requireNonNull(product, "product");
    Objects.requireNonNull(version, "version");
    if (!PRODUCT.matcher(product).matches()) {
      throw new IllegalArgumentException(badProduct(product));
    }
  }

  /**
   * Reads a manifest.
   *
   * @param json the file's bytes (UTF-8)
   * @param where where the file is, for messages ({@code acme-3.6.1.tar.gz!hoist-release.json})
   * @throws ValidationException when the bytes are not a JSON object, a key is missing, unknown or
   *     repeated, a value is not a string, or a version, range or product cannot be read; the
   *     message starts with {@code where}
   */
  public static Manifest parse(byte[] json, String where) {
    Objects.requireNonNull(json, "json");
    Map<String, Value> values = new LinkedHashMap<>();
    try (JsonParser parser = JSON.createParser(json)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new ValidationException(where + ": is empty; expected a JSON object");
      }
      if (first != JsonToken.START_OBJECT) {
        parser.skipChildren();
        throw new ValidationException(where + ": expected a JSON object, found " + kind(first));
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        String text = token.isScalarValue() ? parser.getText() : null;
        parser.skipChildren();
        values.put(name, new Value(token, text));
      }
      if (parser.nextToken() != null) {
        throw new JsonParseException(parser, "trailing content after the object");
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String position =
          at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw new ValidationException(
          where + ": not valid JSON" + position + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ValidationException(where + ": cannot be read: " + e.getMessage(), e);
    }
    List<String> unknown = new ArrayList<>();
    for (String name : values.keySet()) {
      if (!KEYS.contains(name)) {
        unknown.add("'" + name + "'");
      }
    }
    if (!unknown.isEmpty()) {
      throw new ValidationException(
          where
              + ": unknown key"
              + (unknown.size() > 1 ? "s " : " ")
              + String.join(", ", unknown)
              + " (known keys: "
              + String.join(", ", KEYS)
              + ")");
    }
    String product = text(values, "product", where, true);
    if (!PRODUCT.matcher(product).matches()) {
      throw new ValidationException(where + ": " + badProduct(product));
    }
    Version version = parsed(values, "version", where, true, Version::parse);
    VersionRange upgradeFrom = parsed(values, "upgrade_from", where, false, VersionRange::parse);
    Version minHoist = parsed(values, "min_hoist", where, false, Version::parse);
    return new Manifest(product, version, upgradeFrom, minHoist);
  }

  /** A value of the manifest's object: its first token, and its text when it is a scalar. */
  private record Value(JsonToken token, String text) {}

  /** What a JSON value starting with {@code token} is, in words. */
  private static String kind(JsonToken token) {
    return switch (token) {
      case START_OBJECT -> "object";
      case START_ARRAY -> "array";
      case VALUE_STRING -> "string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
      case VALUE_TRUE, VALUE_FALSE -> "boolean";
      case VALUE_NULL -> "null";
      default -> token.name().toLowerCase(Locale.ROOT);
    };
  }

  private static String badProduct(String product) {
    return "product '"
        + product
        + "' is not a product name (a letter or digit, then letters, digits, '.', '_', '-';"
        + " at most 64)";
  }

  private static <T> T parsed(
      Map<String, Value> values,
      String key,
      String where,
      boolean required,
      Function<String, T> parser) {
    String text = text(values, key, where, required);
    if (text == null) {
      return null;
    }
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      throw new ValidationException(where + ": " + key + ": " + e.getMessage(), e);
    }
  }

  private static String text(
      Map<String, Value> values, String key, String where, boolean required) {
    Value value = values.get(key);
    if (value == null) {
      if (required) {
        throw new ValidationException(where + ": missing key '" + key + "'");
      }
      return null;
    }
    if (value.token() != JsonToken.VALUE_STRING) {
      throw new ValidationException(
          where
              + ": '"
              + key
              + "' must be a string, found "
              + kind(value.token())
              + (value.text() == null || value.token() == JsonToken.VALUE_NULL
                  ? ""
                  : " " + value.text()));
    }
    return value.text();
  }

  /**
   * The manifest as JSON: keys in the fixed order product, version, upgrade_from, min_hoist (absent
   * ones left out), two-space indentation, a trailing newline. The same manifest always gives the
   * same bytes.
   */
  public byte[] toJson() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
      json.useDefaultPrettyPrinter();
      json.writeStartObject();
      json.writeStringField("product", product);
      json.writeStringField("version", version.text());
      if (upgradeFrom != null) {
        json.writeStringField("upgrade_from", upgradeFrom.text());
      }
      if (minHoist != null) {
        json.writeStringField("min_hoist", minHoist.text());
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  /** Whether a node on {@code installed} may upgrade to this release: true when no range is set. */
  public boolean allowsUpgradeFrom(Version installed) {
    Objects.requireNonNull(installed, "installed");
    return upgradeFrom == null || upgradeFrom.contains(installed);
  }

  /**
   * Whether hoist at {@code hoistVersion} can install this release: true when no {@code min_hoist}
   * is set. The pre-release and build parts of hoist's own version are dropped before comparing, so
   * a development build counts as the release it leads to: {@code 0.1.0-SNAPSHOT} installs a bundle
   * that needs {@code 0.1.0}, which strict semantic version order would refuse.
   */
  public boolean installableBy(Version hoistVersion) {
    Objects.requireNonNull(hoistVersion, "hoistVersion");
    if (minHoist == null) {
      return true;
    }
    Version release =
        Version.parse(
            hoistVersion.major() + "." + hoistVersion.minor() + "." + hoistVersion.patch());
    return !minHoist.isNewerThan(release);
  }
}
