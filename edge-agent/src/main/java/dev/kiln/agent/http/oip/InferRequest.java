package dev.kiln.agent.http.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import dev.kiln.json.JsonTrees;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code POST .../infer} body: the JSON inference request, optionally followed by the binary
 * tensor data of the inputs that carry {@code binary_data_size} (the binary tensor extension; the
 * JSON part's length is the {@code Inference-Header-Content-Length} header).
 *
 * <p>Hostile input is checked before anything is allocated for it: the header length must lie
 * within the body, every shape is admitted by {@link DecodeLimits} (the same per-body element limit
 * as {@code /invocations}) and by the model's signature, and each binary size must equal the
 * admitted shape's bytes and fit in what is left of the body.
 *
 * @param id the client's {@code id}, or null
 * @param outputs the outputs asked for, in order; empty means all of them
 * @param binaryOutputs the request-level {@code binary_data_output} parameter
 */
public record InferRequest(
    String id, Map<String, Tensor> inputs, List<RequestedOutput> outputs, boolean binaryOutputs) {
  /** Parsers and generators for OIP bodies; floats read by Jackson's fast parser. */
  static final JsonFactory FACTORY =
      JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

  /**
   * @param binary the output's own {@code binary_data} parameter, or null when it has none
   */
  public record RequestedOutput(String name, Boolean binary) {}

  /**
   * Reads a request for a model with {@code signature}.
   *
   * @param headerLength the {@code Inference-Header-Content-Length} header, or null when the whole
   *     body is JSON
   * @throws AgentException INVALID_INPUT naming what is wrong
   */
  public static InferRequest parse(
      byte[] body, String headerLength, Manifest.IoSignature signature, DecodeLimits limits) {
    int jsonLength = jsonLength(body.length, headerLength);
    InferRequest streamed = StreamedRequest.tryParse(body, jsonLength, signature, limits);
    return streamed != null ? streamed : parseTree(body, jsonLength, signature, limits);
  }

  /**
   * The whole JSON part read as a tree: slower than {@link StreamedRequest}, and the one place that
   * names what is wrong with a request.
   */
  static InferRequest parseTree(
      byte[] body, int jsonLength, Manifest.IoSignature signature, DecodeLimits limits) {
    JsonNode root;
    try {
      root = JsonTrees.parse(body, 0, jsonLength);
    } catch (IOException e) {
      String msg = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
      throw bad("inference request is not valid JSON: " + msg);
    }
    if (root == null || !root.isObject()) {
      throw bad("inference request must be a JSON object with \"inputs\": [...]");
    }
    JsonNode inputs = root.get("inputs");
    if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
      throw bad("inference request needs a non-empty \"inputs\" array");
    }
    BinarySection binary = new BinarySection(body, jsonLength);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (JsonNode input : inputs) {
      String name = text(input, "name", "every input needs a \"name\"");
      if (tensors.containsKey(name)) {
        throw bad("input '" + name + "' is given twice");
      }
      tensors.put(name, input(name, input, specOf(signature, name), limits, binary));
    }
    binary.requireConsumed();
    return new InferRequest(
        optionalText(root, "id"),
        tensors,
        outputs(root.get("outputs"), signature),
        flag(root.get("parameters"), "binary_data_output", "request"));
  }

  private static int jsonLength(int bodyLength, String header) {
    if (header == null) {
      return bodyLength;
    }
    long n;
    try {
      n = Long.parseLong(header.strip());
    } catch (NumberFormatException e) {
      throw bad("Inference-Header-Content-Length '" + header + "' is not a number");
    }
    if (n <= 0 || n > bodyLength) {
      throw bad(
          "Inference-Header-Content-Length "
              + n
              + " does not fit the body of "
              + bodyLength
              + " bytes");
    }
    return (int) n;
  }

  private static Tensor input(
      String name,
      JsonNode input,
      Manifest.TensorSpec spec,
      DecodeLimits limits,
      BinarySection binary) {
    DType dtype =
        OipDatatype.forInput(
            name,
            text(input, "datatype", "input '" + name + "' needs a \"datatype\""),
            spec.dtype());
    long[] shape = shape(name, input.get("shape"));
    int count = limits.admit(name, spec, shape);
    JsonNode data = input.get("data");
    JsonNode binarySize = input.path("parameters").path("binary_data_size");
    if (!binarySize.isMissingNode()) {
      if (data != null) {
        throw bad("input '" + name + "' has both \"data\" and binary_data_size; send one");
      }
      if (!binarySize.isIntegralNumber() || !binarySize.canConvertToLong()) {
        throw bad("input '" + name + "': binary_data_size must be an integer");
      }
      return binary.next(name, dtype, shape, count, binarySize.longValue(), limits);
    }
    if (data == null) {
      throw bad("input '" + name + "' needs \"data\" or a binary_data_size parameter");
    }
    return JsonData.read(name, dtype, shape, count, data, limits);
  }

  static long[] shape(String name, JsonNode node) {
    if (node == null || !node.isArray()) {
      throw bad("input '" + name + "' needs a \"shape\" array");
    }
    long[] shape = new long[node.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = node.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
        throw bad("input '" + name + "' has shape " + node + "; dims are non-negative integers");
      }
      shape[i] = d.longValue();
    }
    return shape;
  }

  private static List<RequestedOutput> outputs(JsonNode node, Manifest.IoSignature signature) {
    List<RequestedOutput> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw bad("\"outputs\" must be an array of {\"name\": ...}");
    }
    for (JsonNode o : node) {
      String name = text(o, "name", "every requested output needs a \"name\"");
      if (!hasOutput(signature, name)) {
        throw bad(
            "model has no output '"
                + name
                + "'; its outputs are "
                + signature.outputs().stream().map(Manifest.TensorSpec::name).toList());
      }
      JsonNode binary = o.path("parameters").path("binary_data");
      out.add(
          new RequestedOutput(
              name,
              binary.isMissingNode() ? null : flag(o.get("parameters"), "binary_data", name)));
    }
    return out;
  }

  private static boolean hasOutput(Manifest.IoSignature signature, String name) {
    for (Manifest.TensorSpec s : signature.outputs()) {
      if (s.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static Manifest.TensorSpec specOf(Manifest.IoSignature signature, String name) {
    for (Manifest.TensorSpec s : signature.inputs()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw bad(
        "model has no input '"
            + name
            + "'; its inputs are "
            + signature.inputs().stream().map(Manifest.TensorSpec::name).toList());
  }

  private static boolean flag(JsonNode parameters, String key, String where) {
    JsonNode v = parameters == null ? null : parameters.get(key);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw bad(where + " parameter " + key + " must be true or false, not " + v);
    }
    return v.booleanValue();
  }

  private static String text(JsonNode node, String key, String missing) {
    JsonNode v = node == null ? null : node.get(key);
    if (v == null || !v.isTextual()) {
      throw bad(missing);
    }
    return v.textValue();
  }

  private static String optionalText(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw bad("\"" + key + "\" must be a string");
    }
    return v.textValue();
  }

  static AgentException bad(String message) {
    return new AgentException(AgentErrorCode.INVALID_INPUT, message);
  }
}
