package dev.kiln.json;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * How an enum is spelled in JSON, by the same annotations databind reads: a static {@link
 * JsonCreator} factory taking one string reads it, a {@link JsonValue} method writes it; without
 * them, the constant's name.
 */
final class EnumFactories {
  private EnumFactories() {}

  /** The enum's {@link JsonCreator} factory, or null to read constants by name. */
  static Method of(Class<?> type) {
    for (Method m : type.getDeclaredMethods()) {
      if (Modifier.isStatic(m.getModifiers())
          && m.getParameterCount() == 1
          && m.getParameterTypes()[0] == String.class
          && m.isAnnotationPresent(JsonCreator.class)) {
        m.setAccessible(true);
        return m;
      }
    }
    return null;
  }

  /** The enum's {@link JsonValue} method, or null to write constants by name. */
  static Method valueMethod(Class<?> type) {
    for (Method m : type.getDeclaredMethods()) {
      if (!Modifier.isStatic(m.getModifiers())
          && m.getParameterCount() == 0
          && m.isAnnotationPresent(JsonValue.class)) {
        m.setAccessible(true);
        return m;
      }
    }
    return null;
  }
}
