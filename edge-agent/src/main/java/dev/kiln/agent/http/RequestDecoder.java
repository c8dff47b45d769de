package dev.kiln.agent.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import dev.kiln.json.JsonMappers;
import dev.kiln.json.JsonTrees;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/** Picks the body parser from {@code Content-Type}: JSON (default), CSV or numpy .npy. */
final class RequestDecoder {
  /**
   * Parsers and generators for bodies and replies. Floating-point numbers are read by Jackson's
   * fast parser, as {@link JsonMappers#plain()} reads them.
   */
  static final JsonFactory FACTORY =
      JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

  private RequestDecoder() {}

  /**
   * Decodes {@code body} for {@code signature}; every decoder checks the claimed shape against the
   * signature and {@code limits} before it allocates.
   */
  static Map<String, Tensor> decode(
      String contentType, RequestBody body, Manifest.IoSignature signature, DecodeLimits limits) {
    String type = contentType == null ? "application/json" : contentType.toLowerCase(Locale.ROOT);
    if (type.startsWith("application/json") || type.startsWith("*/*") || type.isBlank()) {
      return JsonTensors.decode(body.buffer(), body.length(), signature, limits, true);
    }
    if (type.startsWith("text/csv")) {
      return Map.of(
          JsonTensors.singleInput(signature, "CSV bodies").name(),
          CsvTensors.decode(body.exact(), signature, limits));
    }
    if (type.startsWith("application/x-npy") || type.startsWith("application/octet-stream")) {
      Manifest.TensorSpec only = JsonTensors.singleInput(signature, ".npy bodies");
      return Map.of(only.name(), Npy.read(body.buffer(), body.length(), only, limits));
    }
    throw new AgentException(
        AgentErrorCode.UNSUPPORTED_MEDIA_TYPE,
        "Content-Type '"
            + contentType
            + "' is not supported; send application/json, text/csv or application/x-npy");
  }

  static JsonNode parse(byte[] body) {
    return parse(new RequestBody(body, body.length));
  }

  static JsonNode parse(RequestBody body) {
    try {
      JsonNode node = JsonTrees.parse(body.buffer(), 0, body.length());
      if (node.isMissingNode()) {
        throw JsonTensors.bad("body is empty; send a JSON object");
      }
      return node;
    } catch (IOException e) {
      String msg = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
      throw JsonTensors.bad("body is not valid JSON: " + msg);
    }
  }

  /**
   * The mapper for replies built from records (management, metadata). Built on first use: serving
   * requests needs only {@link #FACTORY} and {@link JsonTrees}, and a mapper loads some 300 classes
   * the agent would otherwise keep resident for nothing.
   */
  static ObjectMapper mapper() {
    return Mapper.MAPPER;
  }

  private static final class Mapper {
    static final ObjectMapper MAPPER = JsonMappers.plain();
  }
}
