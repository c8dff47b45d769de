package dev.kiln.profile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.json.JsonTrees;
import dev.kiln.json.RecordBindingException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * Turns binding errors ({@link RecordBindingException}) into messages for people editing a profile
 * by hand: the field as a path ({@code cpu.features[2]}), what belongs there in JSON terms, and
 * what is there now.
 */
final class BindingErrors {
  private BindingErrors() {}

  static ProfileException translate(RecordBindingException e, JsonNode tree, String source) {
    String path = e.path();
    if (e.problem() == RecordBindingException.Problem.MISSING_FIELD) {
      String hint =
          path.equals("accelerator") || path.endsWith(".tensorrtVersion")
              ? "use null if the device has none"
              : "see " + ProfileJson.SCHEMA_PATH;
      return new ProfileException(
          ProfileErrorCode.MISSING_FIELD,
          source,
          path,
          source + ": missing field '" + path + "'. Add it; " + hint + ".",
          e);
    }
    if (e.problem() == RecordBindingException.Problem.UNKNOWN_FIELD) {
      // UnknownFields reports these first, with the valid names; this is the binder's safety net.
      return new ProfileException(
          ProfileErrorCode.UNKNOWN_FIELD,
          source,
          path,
          source + ": unknown field '" + path + "'. Fix the spelling or remove it.",
          e);
    }
    String field = path.isEmpty() ? "(top level)" : path;
    // The enum factories and the records' own checks throw messages that already list the valid
    // values.
    String problem =
        e.problem() == RecordBindingException.Problem.INVALID_VALUE
            ? "is invalid: " + e.getCause().getMessage()
            : "must be " + expectedShape(path) + ", not " + actual(tree, path);
    return ProfileException.inField(
        ProfileErrorCode.INVALID_VALUE,
        source,
        field,
        problem,
        "Fix the value; see " + ProfileJson.SCHEMA_PATH);
  }

  /** Walks the record components along {@code path} to the Java type bound there. */
  private static String expectedShape(String path) {
    Type type = DeviceProfile.class;
    for (String step : path.split("\\.")) {
      String name = step.replaceAll("\\[\\d+]", "");
      if (!(type instanceof Class<?> c) || !c.isRecord()) {
        return "a value of the documented type";
      }
      type = componentType(c, name);
      if (type == null) {
        return "a value of the documented type";
      }
      if (step.contains("[") && type instanceof ParameterizedType list) {
        type = list.getActualTypeArguments()[0];
      }
    }
    return describe(type);
  }

  private static Type componentType(Class<?> record, String name) {
    for (RecordComponent component : record.getRecordComponents()) {
      if (component.getName().equals(name)) {
        return component.getGenericType();
      }
    }
    return null;
  }

  private static String describe(Type type) {
    if (type == int.class || type == Integer.class) {
      return "a whole number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string in quotes";
    }
    if (type instanceof ParameterizedType) {
      return "a list of strings, like [\"a\", \"b\"]";
    }
    if (type instanceof Class<?> c && c.isRecord()) {
      return "an object {...}";
    }
    return "a value of the documented type";
  }

  /** What the file holds at {@code path}, e.g. {@code "4" (a string)}, for the message. */
  private static String actual(JsonNode tree, String path) {
    JsonNode node = tree.at("/" + path.replaceAll("\\[(\\d+)]", ".$1").replace('.', '/'));
    if (node.isMissingNode()) {
      return "what is there";
    }
    if (node.isNull()) {
      return "null";
    }
    // JsonNode.toString would build databind's mapper, which the agent otherwise never loads.
    String text = new String(JsonTrees.write(node), StandardCharsets.UTF_8);
    String kind;
    switch (node.getNodeType()) {
      case STRING -> kind = "a string";
      case NUMBER -> kind = "a number";
      case BOOLEAN -> kind = "a boolean";
      case ARRAY -> kind = "an array";
      default -> kind = "an object";
    }
    return text.length() > 40 ? kind : text + " (" + kind + ")";
  }
}
