package dev.kiln.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads JSON text into Jackson's tree ({@link JsonNode}) with the streaming parser alone, the same
 * tree {@code ObjectMapper.readTree} builds, without an {@code ObjectMapper}.
 *
 * <p>Why: building a mapper and its first {@code readTree} load about 300 of databind's classes,
 * and binding records about 150 more. The agent reads its config, manifests and state files at
 * every start; with this reader and {@link RecordReader} its start loads none of them, which on a
 * device is resident memory (each archived class stays mapped; docs/benchmarks.md, "Footprint").
 *
 * <p>The parser keeps Jackson's own limits (nesting depth 1,000, number and string lengths), so a
 * hostile file cannot make the tree deeper or a number longer than those.
 */
public final class JsonTrees {
  private static final JsonFactory LENIENT =
      JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();
  private static final JsonFactory STRICT =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonTrees() {}

  /**
   * As {@code ObjectMapper.readTree} with Jackson's defaults: a repeated key keeps its last value,
   * text after the first value is not read, and empty input is a {@link MissingNode}.
   */
  public static JsonNode parse(byte[] json) throws JsonProcessingException {
    return parse(json, 0, json.length);
  }

  /** {@link #parse(byte[])} of {@code length} bytes from {@code offset}. */
  public static JsonNode parse(byte[] json, int offset, int length) throws JsonProcessingException {
    try (JsonParser parser = LENIENT.createParser(json, offset, length)) {
      return root(parser, false);
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #parse(byte[])} of a string. */
  public static JsonNode parse(String json) throws JsonProcessingException {
    return parse(json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * For hand-written files: a repeated key and any text after the value are errors, and empty input
   * is an error too.
   */
  public static JsonNode parseStrict(byte[] json) throws JsonProcessingException {
    try (JsonParser parser = STRICT.createParser(json)) {
      return root(parser, true);
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code tree} as compact JSON, as {@code ObjectMapper.writeValueAsBytes} writes a tree. */
  public static byte[] write(JsonNode tree) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = LENIENT.createGenerator(out)) {
      write(g, tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static void write(JsonGenerator g, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          g.writeFieldName(e.getKey());
          write(g, e.getValue());
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (JsonNode element : node) {
          write(g, element);
        }
        g.writeEndArray();
      }
      case STRING -> g.writeString(node.textValue());
      case BOOLEAN -> g.writeBoolean(node.booleanValue());
      case NULL, MISSING -> g.writeNull();
      case NUMBER -> number(g, node);
      default ->
          throw new IllegalArgumentException("cannot write a " + node.getNodeType() + " node");
    }
  }

  private static void number(JsonGenerator g, JsonNode node) throws IOException {
    switch (node.numberType()) {
      case INT -> g.writeNumber(node.intValue());
      case LONG -> g.writeNumber(node.longValue());
      case BIG_INTEGER -> g.writeNumber(node.bigIntegerValue());
      case FLOAT -> g.writeNumber(node.floatValue());
      case DOUBLE -> g.writeNumber(node.doubleValue());
      default -> g.writeNumber(node.decimalValue());
    }
  }

  private static JsonNode root(JsonParser parser, boolean strict) throws IOException {
    JsonToken first = parser.nextToken();
    if (first == null) {
      if (strict) {
        throw new JsonParseException(parser, "No content to read: the input is empty");
      }
      return MissingNode.getInstance();
    }
    JsonNode value = value(parser, first);
    if (strict) {
      JsonToken extra = parser.nextToken();
      if (extra != null) {
        throw new JsonParseException(
            parser, "Trailing token (" + extra + ") found after the value; remove it");
      }
    }
    return value;
  }

  // Recursion is bounded: the parser refuses nesting deeper than its limit before we get there.
  private static JsonNode value(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT:
        ObjectNode object = NODES.objectNode();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
          String name = parser.currentName();
          object.set(name, value(parser, parser.nextToken()));
        }
        return object;
      case START_ARRAY:
        ArrayNode array = NODES.arrayNode();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          array.add(value(parser, t));
        }
        return array;
      case VALUE_STRING:
        return NODES.textNode(parser.getText());
      case VALUE_NUMBER_INT:
        return switch (parser.getNumberType()) {
          case INT -> NODES.numberNode(parser.getIntValue());
          case LONG -> NODES.numberNode(parser.getLongValue());
          default -> NODES.numberNode(parser.getBigIntegerValue());
        };
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(parser.getDoubleValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw new JsonParseException(parser, "Unexpected token " + token);
    }
  }
}
