package dev.kiln.profile;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Finds fields the records do not define, before binding. Jackson reports unknown fields only after
 * it has built the object, so a typo ("featurs") would surface as a missing "features" instead of
 * as the typo it is.
 */
final class UnknownFields {
  private UnknownFields() {}

  static void check(JsonNode node, Class<? extends Record> type, String source) {
    check(node, type, "", source);
  }

  private static void check(
      JsonNode node, Class<? extends Record> type, String path, String source) {
    if (!node.isObject()) {
      return; // wrong shapes are for the binder to report
    }
    List<RecordComponent> components = Arrays.asList(type.getRecordComponents());
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
      RecordComponent component =
          components.stream()
              .filter(c -> c.getName().equals(field.getKey()))
              .findFirst()
              .orElseThrow(() -> unknown(source, fieldPath, components));
      if (component.getType().isRecord()) {
        @SuppressWarnings("unchecked")
        Class<? extends Record> nested = (Class<? extends Record>) component.getType();
        check(field.getValue(), nested, fieldPath, source);
      }
    }
  }

  private static ProfileException unknown(
      String source, String field, List<RecordComponent> components) {
    TreeSet<String> valid = new TreeSet<>();
    components.forEach(c -> valid.add(c.getName()));
    return new ProfileException(
        ProfileErrorCode.UNKNOWN_FIELD,
        source,
        field,
        source
            + ": unknown field '"
            + field
            + "'; valid fields there: "
            + String.join(", ", valid)
            + ". Fix the spelling or remove it.",
        null);
  }
}
