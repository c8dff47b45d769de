package dev.kiln.json;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds a JSON tree to Java records: each component from the field of its name, nested records,
 * {@code List}s and {@code Map}s with string keys, strings, numbers, booleans, enums (through a
 * {@link JsonCreator} factory where the enum has one, else by constant name), trees ({@code
 * JsonNode}), {@code long[]}, {@code int[]} and {@code double[]} from arrays and {@code byte[]}
 * from base64.
 *
 * <p>It replaces Jackson's databind binding where memory counts (the agent's start; see {@link
 * JsonTrees} for why), and reads what databind writes for these records. {@link Mode#LENIENT}
 * accepts what databind's defaults accept for them: unknown fields are ignored, a missing field or
 * a null is the component's default, and scalars are coerced ({@code "4"} for 4, 4.7 for 4, 4 for
 * {@code "4"}). {@link Mode#STRICT} is for hand-written files: an unknown field, a missing field, a
 * null where a primitive belongs and any coercion are errors.
 *
 * <p>Errors are {@link RecordBindingException}s that name the field as a path ({@code
 * cpu.features[2]}) and the kind of problem.
 */
public final class RecordReader {
  /** How forgiving the binding is; see the class comment. */
  public enum Mode {
    LENIENT,
    STRICT
  }

  private final Mode mode;

  private RecordReader(Mode mode) {
    this.mode = mode;
  }

  /** Binds {@code node} to {@code type} (a record, or any type this reader handles). */
  public static <T> T read(JsonNode node, Class<T> type, Mode mode) throws RecordBindingException {
    try {
      return type.cast(new RecordReader(mode).convert(node, type, ""));
    } catch (Unchecked e) {
      throw e.binding;
    }
  }

  /** {@link #read} of JSON bytes parsed by {@link JsonTrees#parse(byte[])}. */
  public static <T> T read(byte[] json, Class<T> type, Mode mode) throws JsonProcessingException {
    return read(JsonTrees.parse(json), type, mode);
  }

  private Object convert(JsonNode node, Type type, String path) {
    if (type instanceof ParameterizedType p) {
      return container(node, p, path);
    }
    if (!(type instanceof Class<?> c)) {
      throw new IllegalArgumentException("cannot bind JSON to " + type);
    }
    if (c == JsonNode.class && node != null && node.isNull()) {
      return node; // databind reads a JSON null into a tree as NullNode, not as null
    }
    if (node == null || node.isNull() || node.isMissingNode()) {
      return nullFor(c, path);
    }
    if (c == String.class) {
      if (node.isTextual()) {
        return node.textValue();
      }
      if (mode == Mode.LENIENT && node.isValueNode()) {
        return node.asText();
      }
      throw shape(path);
    }
    if (c == int.class || c == Integer.class) {
      return (int) whole(node, path, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
    if (c == long.class || c == Long.class) {
      return whole(node, path, Long.MIN_VALUE, Long.MAX_VALUE);
    }
    if (c == double.class || c == Double.class) {
      return real(node, path);
    }
    if (c == float.class || c == Float.class) {
      return (float) real(node, path);
    }
    if (c == boolean.class || c == Boolean.class) {
      return bool(node, path);
    }
    if (c.isEnum()) {
      return constant(node, c, path);
    }
    if (c.isRecord()) {
      return record(node, c, path);
    }
    if (c == JsonNode.class) {
      return node;
    }
    if (c.isArray()) {
      return array(node, c, path);
    }
    throw new IllegalArgumentException("cannot bind JSON to " + c.getName() + " at " + path);
  }

  private Object nullFor(Class<?> c, String path) {
    if (!c.isPrimitive()) {
      return null;
    }
    if (mode == Mode.STRICT) {
      throw error(
          RecordBindingException.Problem.WRONG_SHAPE, path, "null where a value belongs", null);
    }
    if (c == boolean.class) {
      return false;
    }
    if (c == double.class) {
      return 0.0;
    }
    if (c == float.class) {
      return 0.0f;
    }
    if (c == long.class) {
      return 0L;
    }
    return 0;
  }

  private long whole(JsonNode node, String path, long min, long max) {
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      long v = node.longValue();
      if (v >= min && v <= max) {
        return v;
      }
      throw shape(path);
    }
    if (mode == Mode.LENIENT) {
      if (node.isFloatingPointNumber()) {
        double d = node.doubleValue();
        if (d >= min && d <= max) {
          return (long) d;
        }
      } else if (node.isTextual()) {
        try {
          long v = Long.parseLong(node.textValue().trim());
          if (v >= min && v <= max) {
            return v;
          }
        } catch (NumberFormatException e) {
          // falls through to the shape error
        }
      }
    }
    throw shape(path);
  }

  private double real(JsonNode node, String path) {
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (mode == Mode.LENIENT && node.isTextual()) {
      try {
        return Double.parseDouble(node.textValue().trim());
      } catch (NumberFormatException e) {
        // falls through to the shape error
      }
    }
    throw shape(path);
  }

  private boolean bool(JsonNode node, String path) {
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (mode == Mode.LENIENT && node.isTextual()) {
      String text = node.textValue().trim();
      if (text.equals("true") || text.equals("false")) {
        return Boolean.parseBoolean(text);
      }
    }
    throw shape(path);
  }

  private Object constant(JsonNode node, Class<?> type, String path) {
    if (!node.isTextual() && (mode == Mode.STRICT || !node.isValueNode())) {
      throw shape(path);
    }
    String text = node.asText();
    Method factory = EnumFactories.of(type);
    try {
      if (factory != null) {
        return factory.invoke(null, text);
      }
      @SuppressWarnings({"unchecked", "rawtypes"})
      Object value = Enum.valueOf((Class<? extends Enum>) type, text);
      return value;
    } catch (InvocationTargetException e) {
      throw invalid(path, e.getCause());
    } catch (IllegalArgumentException e) {
      throw invalid(path, e);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot call " + factory, e);
    }
  }

  private Object record(JsonNode node, Class<?> type, String path) {
    if (!node.isObject()) {
      throw shape(path);
    }
    RecordComponent[] components = type.getRecordComponents();
    Object[] args = new Object[components.length];
    boolean[] present = new boolean[components.length];
    // Fields in the order of the document, so the first problem reported is the first in the file.
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      int i = indexOf(components, field.getKey());
      if (i < 0) {
        if (mode == Mode.STRICT) {
          throw error(
              RecordBindingException.Problem.UNKNOWN_FIELD,
              child(path, field.getKey()),
              "no such field",
              null);
        }
        continue;
      }
      args[i] =
          convert(field.getValue(), components[i].getGenericType(), child(path, field.getKey()));
      present[i] = true;
    }
    for (int i = 0; i < components.length; i++) {
      if (!present[i]) {
        if (mode == Mode.STRICT) {
          throw error(
              RecordBindingException.Problem.MISSING_FIELD,
              child(path, components[i].getName()),
              "missing",
              null);
        }
        args[i] =
            components[i].getType().isPrimitive() ? nullFor(components[i].getType(), "") : null;
      }
    }
    return construct(type, components, args, path);
  }

  private static Object construct(
      Class<?> type, RecordComponent[] components, Object[] args, String path) {
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
    }
    try {
      Constructor<?> canonical = type.getDeclaredConstructor(types);
      if (!Modifier.isPublic(canonical.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
        canonical.setAccessible(true);
      }
      return canonical.newInstance(args);
    } catch (InvocationTargetException e) {
      // The record's own checks refused the values (a compact constructor that throws).
      throw invalid(path, e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + type.getName(), e);
    }
  }

  /** byte[] from base64 text, as databind writes it; other primitive arrays from JSON arrays. */
  private Object array(JsonNode node, Class<?> type, String path) {
    if (type == byte[].class) {
      if (!node.isTextual()) {
        throw shape(path);
      }
      try {
        return Base64.getMimeDecoder().decode(node.textValue());
      } catch (IllegalArgumentException e) {
        throw invalid(path, e);
      }
    }
    if (!node.isArray()) {
      throw shape(path);
    }
    Class<?> element = type.getComponentType();
    if (element != long.class && element != int.class && element != double.class) {
      throw new IllegalArgumentException("cannot bind JSON to " + type.getName() + " at " + path);
    }
    Object out = Array.newInstance(element, node.size());
    for (int i = 0; i < node.size(); i++) {
      Array.set(out, i, convert(node.get(i), element, path + "[" + i + "]"));
    }
    return out;
  }

  private Object container(JsonNode node, ParameterizedType type, String path) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    Type raw = type.getRawType();
    Type[] args = type.getActualTypeArguments();
    if (raw == List.class || raw == java.util.Collection.class) {
      if (!node.isArray()) {
        throw shape(path);
      }
      List<Object> list = new ArrayList<>(node.size());
      int i = 0;
      for (JsonNode element : node) {
        list.add(convert(element, args[0], path + "[" + i++ + "]"));
      }
      return list;
    }
    if (raw == Map.class && args[0] == String.class) {
      if (!node.isObject()) {
        throw shape(path);
      }
      Map<String, Object> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        map.put(e.getKey(), convert(e.getValue(), args[1], child(path, e.getKey())));
      }
      return map;
    }
    throw new IllegalArgumentException("cannot bind JSON to " + type + " at " + path);
  }

  private static int indexOf(RecordComponent[] components, String name) {
    for (int i = 0; i < components.length; i++) {
      if (components[i].getName().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static Unchecked shape(String path) {
    return error(
        RecordBindingException.Problem.WRONG_SHAPE, path, "not of the expected type", null);
  }

  private static Unchecked invalid(String path, Throwable cause) {
    return error(
        RecordBindingException.Problem.INVALID_VALUE,
        path,
        String.valueOf(cause.getMessage()),
        cause);
  }

  private static Unchecked error(
      RecordBindingException.Problem problem, String path, String detail, Throwable cause) {
    return new Unchecked(new RecordBindingException(problem, path, detail, cause));
  }

  /** Carries a {@link RecordBindingException} out of the recursion, where it is unwrapped. */
  private static final class Unchecked extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient RecordBindingException binding;

    Unchecked(RecordBindingException binding) {
      super(null, null, false, false);
      this.binding = binding;
    }
  }
}
