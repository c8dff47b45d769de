package dev.kiln.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * The one place Kiln configures Jackson. Each method names what the JSON is for, and that purpose
 * decides the settings; a class that needs a mapper takes one of these (once, into a constant)
 * instead of building its own. Every call returns a new mapper, so no caller can reconfigure
 * another's.
 */
public final class JsonMappers {
  private JsonMappers() {}

  /**
   * Jackson's defaults, compact: for JSON trees (request bodies, config files, JSON lines) and for
   * files that only the same code writes and reads. Binding fails on a field the type lacks.
   *
   * <p>Floating-point numbers are read by Jackson's fast parser rather than the JDK's: the same
   * values (both round correctly), at about half the allocation; a body the agent's byte scanner
   * declines is read this way (docs/benchmarks.md, "Request body decoding").
   */
  public static ObjectMapper plain() {
    return JsonMapper.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();
  }

  /**
   * MQTT messages between versions: unknown fields are ignored so a newer sender does not break an
   * older reader, and null fields are left out, compact.
   */
  public static ObjectMapper wire() {
    return JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .build();
  }

  /**
   * State that outlives a version (the console's device file): unknown fields are ignored, so a
   * downgrade reads what an upgrade wrote; compact, because a person does not read it.
   */
  public static ObjectMapper tolerant() {
    return JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  }

  /** Like {@link #tolerant()}, indented: for files and output people read. */
  public static ObjectMapper readable() {
    return JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .build();
  }

  /**
   * Like {@link #readable()}, with map keys sorted: the bytes depend only on the values, which
   * reproducible archives and signatures need.
   */
  public static ObjectMapper canonical() {
    return JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .build();
  }

  /**
   * Hand-written data (device profiles): whatever Jackson would silently accept fails instead, an
   * unknown field, a missing or null required value, trailing text, a duplicate key, "4" for 4, 8.7
   * for 4, or a number or boolean where text belongs (8.10 read as a number is 8.1). Indented, in
   * the field order of the records, for writing such files.
   */
  public static ObjectMapper strict() {
    return JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .withCoercionConfig(
            LogicalType.Textual,
            config ->
                config
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .build();
  }
}
