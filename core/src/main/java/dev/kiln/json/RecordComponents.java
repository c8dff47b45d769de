package dev.kiln.json;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A record's components in the order databind writes them. */
final class RecordComponents {
  private RecordComponents() {}

  /**
   * Declaration order, except that the names a {@link JsonPropertyOrder} lists come first, in its
   * order.
   */
  static List<RecordComponent> inJsonOrder(Class<?> record) {
    List<RecordComponent> declared = Arrays.asList(record.getRecordComponents());
    JsonPropertyOrder order = record.getAnnotation(JsonPropertyOrder.class);
    if (order == null || order.value().length == 0) {
      return declared;
    }
    List<RecordComponent> out = new ArrayList<>(declared.size());
    for (String name : order.value()) {
      for (RecordComponent c : declared) {
        if (c.getName().equals(name)) {
          out.add(c);
        }
      }
    }
    for (RecordComponent c : declared) {
      if (!out.contains(c)) {
        out.add(c);
      }
    }
    return out;
  }
}
