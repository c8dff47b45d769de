package dev.kiln.cloud.service.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a JSON value against an OpenAPI 3 schema, for the subset the Kiln API document uses:
 * {@code $ref} (to components), {@code allOf}, {@code type}, {@code required}, {@code properties},
 * {@code additionalProperties} (a schema), {@code items}, {@code enum} and {@code nullable}.
 * Returns every problem with its JSON path, so one failing call names all its mismatches at once.
 */
final class SchemaCheck {
  private final JsonNode document;

  SchemaCheck(JsonNode document) {
    this.document = document;
  }

  List<String> problems(JsonNode value, JsonNode schema) {
    List<String> out = new ArrayList<>();
    check("$", value, schema, out);
    return out;
  }

  JsonNode resolve(JsonNode schema) {
    while (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      JsonNode target = document.at(ref.substring(1));
      if (target.isMissingNode()) {
        throw new IllegalStateException("dangling $ref " + ref);
      }
      schema = target;
    }
    return schema;
  }

  private void check(String path, JsonNode value, JsonNode schema, List<String> out) {
    boolean nullable = schema.path("nullable").asBoolean(false);
    schema = resolve(schema);
    nullable |= schema.path("nullable").asBoolean(false);
    if (value == null || value.isMissingNode()) {
      out.add(path + ": missing");
      return;
    }
    if (value.isNull()) {
      if (!nullable) {
        out.add(path + ": null, but the schema does not allow null");
      }
      return;
    }
    for (JsonNode part : schema.path("allOf")) {
      check(path, value, part, out);
    }
    String type = schema.path("type").asText("");
    if (!type.isEmpty() && !hasType(value, type)) {
      out.add(
          path + ": expected " + type + ", got " + value.getNodeType() + " " + abbreviate(value));
      return;
    }
    if (schema.has("enum")) {
      boolean found = false;
      for (JsonNode e : schema.get("enum")) {
        found |= e.equals(value);
      }
      if (!found) {
        out.add(path + ": " + value + " is not one of " + schema.get("enum"));
      }
    }
    if (value.isObject()) {
      for (JsonNode r : schema.path("required")) {
        if (!value.has(r.asText())) {
          out.add(path + ": required field " + r.asText() + " is missing");
        }
      }
      JsonNode props = schema.path("properties");
      JsonNode extra = schema.get("additionalProperties");
      value
          .fields()
          .forEachRemaining(
              f -> {
                if (props.has(f.getKey())) {
                  check(path + "." + f.getKey(), f.getValue(), props.get(f.getKey()), out);
                } else if (extra != null && extra.isObject()) {
                  check(path + "." + f.getKey(), f.getValue(), extra, out);
                }
              });
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        check(path + "[" + i + "]", value.get(i), schema.get("items"), out);
      }
    }
  }

  private static boolean hasType(JsonNode v, String type) {
    return switch (type) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "integer" -> v.isIntegralNumber();
      case "number" -> v.isNumber();
      case "boolean" -> v.isBoolean();
      default -> throw new IllegalStateException("schema type " + type + " is not checked");
    };
  }

  private static String abbreviate(JsonNode v) {
    String s = v.toString();
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
