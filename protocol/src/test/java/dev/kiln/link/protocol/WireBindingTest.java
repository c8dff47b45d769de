package dev.kiln.link.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kiln.json.JsonMappers;
import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every record of the protocol, with every field set and with every field it may leave out left
 * out, is written by {@link ProtocolJson} byte for byte as databind's wire mapper writes it, and
 * read back equal to what the mapper reads: the device and the cloud may each use either.
 */
class WireBindingTest {
  private static final ObjectMapper WIRE = JsonMappers.wire();

  static Stream<Class<?>> protocolRecords() throws IOException {
    Path classes = Path.of("target/classes");
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name =
            classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        try {
          Class<?> c = Class.forName(name);
          if (c.isRecord() && !name.contains("InboundMessage") && !name.contains("MessageProps")) {
            out.add(c);
          }
        } catch (ClassNotFoundException | LinkageError e) {
          throw new IllegalStateException(name, e);
        }
      }
    }
    assertThat(out).hasSizeGreaterThan(20);
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("protocolRecords")
  void everyField_isWrittenAndReadAsTheWireMapperDoes(Class<?> type) throws Exception {
    for (boolean full : new boolean[] {true, false}) {
      Object message = sample(type, full, 0);
      byte[] databind = WIRE.writeValueAsBytes(message);

      assertThat(new String(ProtocolJson.write(message), StandardCharsets.UTF_8))
          .as("written, %s", full ? "every field" : "nulls left out")
          .isEqualTo(new String(databind, StandardCharsets.UTF_8));
      // Field by field: records holding arrays compare them by reference in equals().
      assertThat(ProtocolJson.read(databind, type))
          .as("read, %s", full ? "every field" : "nulls left out")
          .usingRecursiveComparison()
          .isEqualTo(WIRE.readValue(databind, type));
      // As text: databind's tree holds byte[] as a binary node, this one as its base64 text.
      assertThat(WIRE.writeValueAsString(ProtocolJson.tree(message)))
          .isEqualTo(WIRE.writeValueAsString(WIRE.valueToTree(message)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("protocolRecords")
  void mangledMessages_areReadOrRefusedAsInvalid_neverAnotherError(Class<?> type) throws Exception {
    byte[] good = WIRE.writeValueAsBytes(sample(type, true, 0));
    byte[] significant = "{}[]\",:0-9.etnuf ".getBytes(StandardCharsets.UTF_8);
    Random random = new Random(type.getName().hashCode());
    for (int i = 0; i < 300; i++) {
      byte[] bad = good.clone();
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        bad[random.nextInt(bad.length)] = significant[random.nextInt(significant.length)];
      }
      try {
        ProtocolJson.read(bad, type);
      } catch (LinkException e) {
        assertThat(e.code()).isEqualTo(LinkErrorCode.PROTOCOL_INVALID);
      }
    }
  }

  /** A value for every component; with {@code full} false, null wherever a reference may be. */
  private static Object sample(Type type, boolean full, int depth) throws Exception {
    if (type instanceof ParameterizedType p) {
      Type raw = p.getRawType();
      Type[] args = p.getActualTypeArguments();
      if (!full && depth > 0) {
        return null;
      }
      if (raw == List.class) {
        return List.of(sample(args[0], true, depth + 1));
      }
      if (raw == Map.class) {
        return Map.of("k1", sample(args[1], true, depth + 1));
      }
      throw new IllegalArgumentException("no sample for " + type);
    }
    Class<?> c = (Class<?>) type;
    if (c == int.class || c == Integer.class) {
      return 1;
    }
    if (c == long.class || c == Long.class) {
      return 1_700_000_000_123L;
    }
    if (c == double.class || c == Double.class) {
      return 0.25;
    }
    if (c == boolean.class || c == Boolean.class) {
      return true;
    }
    if (!full && depth > 0 && !c.isPrimitive()) {
      return null;
    }
    if (c == String.class) {
      return "s\u00e9-" + depth;
    }
    if (c.isEnum()) {
      Object[] constants = c.getEnumConstants();
      return constants[constants.length - 1];
    }
    if (c == JsonNode.class) {
      return JsonNodeFactory.instance
          .objectNode()
          .put("n", 2)
          .set("a", JsonNodeFactory.instance.arrayNode().add(1.5));
    }
    if (c == byte[].class) {
      return new byte[] {1, 2, (byte) 200};
    }
    if (c == long[].class) {
      return new long[] {1, 3, 224};
    }
    if (c.isRecord()) {
      RecordComponent[] components = c.getRecordComponents();
      Class<?>[] types = new Class<?>[components.length];
      Object[] args = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        types[i] = components[i].getType();
        args[i] = sample(components[i].getGenericType(), full, depth + 1);
      }
      Constructor<?> canonical = c.getDeclaredConstructor(types);
      canonical.setAccessible(true);
      return canonical.newInstance(args);
    }
    throw new IllegalArgumentException("no sample for " + c);
  }
}
