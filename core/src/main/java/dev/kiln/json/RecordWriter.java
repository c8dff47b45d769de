package dev.kiln.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
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
 * Writes records (and the lists, maps, strings, numbers, booleans, enums, arrays and trees in them)
 * as JSON with the streaming generator alone: the counterpart of {@link RecordReader}, for what the
 * agent writes without databind (its state files, its MQTT messages). Each method writes byte for
 * byte what the {@link JsonMappers} mapper it is named for writes for the same records: components
 * in declaration order or {@code @JsonPropertyOrder}'s, nulls left out where the record or
 * component says {@code @JsonInclude(NON_NULL)} (or everywhere, for the wire), byte arrays as
 * base64.
 */
public final class RecordWriter {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final RecordWriter CANONICAL = new RecordWriter(true, true, false);
  private static final RecordWriter PLAIN = new RecordWriter(false, false, false);
  private static final RecordWriter WIRE = new RecordWriter(false, false, true);

  private final boolean indent;
  private final boolean sortKeys;
  private final boolean skipNulls;

  private RecordWriter(boolean indent, boolean sortKeys, boolean skipNulls) {
    this.indent = indent;
    this.sortKeys = sortKeys;
    this.skipNulls = skipNulls;
  }

  /**
   * {@code value} as {@link JsonMappers#canonical()} writes it: indented, map keys sorted, ending
   * in a newline.
   */
  public static byte[] canonical(Object value) {
    byte[] json = CANONICAL.bytes(value);
    byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
    out[json.length] = '\n';
    return out;
  }

  /** {@code value} as {@link JsonMappers#plain()} writes it: compact, every field. */
  public static byte[] plain(Object value) {
    return PLAIN.bytes(value);
  }

  /**
   * {@code value} as {@link JsonMappers#wire()} writes it: compact, with the null fields of records
   * left out.
   */
  public static byte[] wire(Object value) {
    return WIRE.bytes(value);
  }

  private byte[] bytes(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      if (indent) {
        g.setPrettyPrinter(
            new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n")));
      }
      write(g, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private void write(JsonGenerator g, Object value) throws IOException {
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
    } else if (value instanceof JsonNode tree) {
      JsonTrees.write(g, tree);
    } else if (value instanceof Collection<?> c) {
      g.writeStartArray();
      for (Object element : c) {
        write(g, element);
      }
      g.writeEndArray();
    } else if (value instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : (sortKeys ? sorted(m) : m).entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (value.getClass().isArray()) {
      array(g, value);
    } else {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
    }
  }

  private void record(JsonGenerator g, Record r) throws IOException {
    boolean recordSkipsNulls =
        skipNulls || skipsNulls(r.getClass().getAnnotation(JsonInclude.class));
    g.writeStartObject();
    for (RecordComponent component : RecordComponents.inJsonOrder(r.getClass())) {
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

  /** byte[] as base64, as databind writes it; other primitive arrays as JSON arrays. */
  private static void array(JsonGenerator g, Object array) throws IOException {
    if (array instanceof byte[] bytes) {
      g.writeBinary(bytes);
    } else if (array instanceof long[] longs) {
      g.writeArray(longs, 0, longs.length);
    } else if (array instanceof int[] ints) {
      g.writeArray(ints, 0, ints.length);
    } else if (array instanceof double[] doubles) {
      g.writeArray(doubles, 0, doubles.length);
    } else {
      throw new IllegalArgumentException("cannot write " + array.getClass().getName() + " as JSON");
    }
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
