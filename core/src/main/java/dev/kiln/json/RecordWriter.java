package dev.kiln.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes records (and the lists, maps, strings, numbers, booleans and enums in them) as JSON with
 * the streaming generator alone: the counterpart of {@link RecordReader}, for state the agent
 * writes at start. The output is byte for byte what {@link JsonMappers#canonical()} writes for the
 * same records (two-space indent, map keys sorted, record components in declaration order, nulls
 * left out where the record or component says {@code @JsonInclude(NON_NULL)}), plus a newline.
 */
public final class RecordWriter {
  private static final JsonFactory FACTORY = new JsonFactory();

  private RecordWriter() {}

  /** {@code value} as indented JSON with map keys sorted, ending in a newline. */
  public static byte[] canonical(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.setPrettyPrinter(
          new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n")));
      write(g, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Number n) {
      number(g, n);
    } else if (value instanceof Enum<?> e) {
      Method jsonValue = EnumFactories.valueMethod(e.getDeclaringClass());
      write(g, jsonValue == null ? e.name() : invoke(jsonValue, e));
    } else if (value instanceof Record r) {
      record(g, r);
    } else if (value instanceof Collection<?> c) {
      g.writeStartArray();
      for (Object element : c) {
        write(g, element);
      }
      g.writeEndArray();
    } else if (value instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<String, ?> e : sorted(m).entrySet()) {
        g.writeFieldName(e.getKey());
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
    }
  }

  private static void record(JsonGenerator g, Record r) throws IOException {
    boolean recordSkipsNulls = skipsNulls(r.getClass().getAnnotation(JsonInclude.class));
    g.writeStartObject();
    for (RecordComponent component : r.getClass().getRecordComponents()) {
      Method accessor = component.getAccessor();
      Object v = invoke(accessor, r);
      if (v == null
          && (recordSkipsNulls || skipsNulls(accessor.getAnnotation(JsonInclude.class)))) {
        continue;
      }
      g.writeFieldName(component.getName());
      write(g, v);
    }
    g.writeEndObject();
  }

  private static boolean skipsNulls(JsonInclude include) {
    return include != null && include.value() == JsonInclude.Include.NON_NULL;
  }

  private static void number(JsonGenerator g, Number n) throws IOException {
    if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
      g.writeNumber(n.intValue());
    } else if (n instanceof Long l) {
      g.writeNumber(l);
    } else if (n instanceof Double d) {
      g.writeNumber(d);
    } else if (n instanceof Float f) {
      g.writeNumber(f);
    } else if (n instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (n instanceof BigInteger i) {
      g.writeNumber(i);
    } else {
      throw new IllegalArgumentException("cannot write " + n.getClass().getName() + " as JSON");
    }
  }

  private static Map<String, ?> sorted(Map<?, ?> map) {
    Map<String, Object> out = new TreeMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      out.put(String.valueOf(e.getKey()), e.getValue());
    }
    return out;
  }

  private static Object invoke(Method method, Object target) {
    try {
      if (!method.canAccess(target)) {
        method.setAccessible(true);
      }
      return method.invoke(target);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot call " + method, e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(method + " failed", e.getCause());
    }
  }
}
