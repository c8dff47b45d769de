package dev.kiln.profile;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Jackson's binding errors into messages for people editing a profile by hand: the field as a
 * path ({@code cpu.features[2]}), what belongs there in JSON terms, and what is there now.
 */
final class BindingErrors {
  private static final Pattern MISSING_PROPERTY =
      Pattern.compile("^Missing (?:required )?creator property '([^']+)'");

  private BindingErrors() {}

  static ProfileException translate(JsonMappingException e, JsonNode tree, String source) {
    String parent = path(e.getPath());
    Matcher missing = MISSING_PROPERTY.matcher(String.valueOf(e.getOriginalMessage()));
    if (missing.find()) {
      // Jackson usually ends the path with the missing property already; not always.
      String name = missing.group(1);
      String field =
          parent.equals(name) || parent.endsWith("." + name)
              ? parent
              : parent.isEmpty() ? name : parent + "." + name;
      String hint =
          field.equals("accelerator") || field.endsWith(".tensorrtVersion")
              ? "use null if the device has none"
              : "see " + ProfileJson.SCHEMA_PATH;
      return new ProfileException(
          ProfileErrorCode.MISSING_FIELD,
          source,
          field,
          source + ": missing field '" + field + "'. Add it; " + hint + ".",
          e);
    }
    String field = parent.isEmpty() ? "(top level)" : parent;
    // The enum factories throw messages that already list the valid values.
    Throwable cause = e.getCause();
    String problem =
        cause instanceof IllegalArgumentException || cause instanceof ProfileException
            ? "is invalid: " + cause.getMessage()
            : "must be " + expectedShape(parent) + ", not " + actual(tree, parent);
    return ProfileException.inField(
        ProfileErrorCode.INVALID_VALUE,
        source,
        field,
        problem,
        "Fix the value; see " + ProfileJson.SCHEMA_PATH);
  }

  private static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : refs) {
      if (ref.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
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
    String text = node.toString();
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
