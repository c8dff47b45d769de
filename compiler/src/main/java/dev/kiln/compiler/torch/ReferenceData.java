package dev.kiln.compiler.torch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.TensorData;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.pipeline.CompileErrorCode;
import dev.kiln.compiler.pipeline.CompileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --calibration-data} for TorchScript: the reference JSON of samples/ ({@code {"inputs":
 * {name: {"dtype", "shape", "data"}}, "outputs": {...}}}). Unlike ONNX, TorchScript has no input
 * names or shapes, so the inputs' order and shapes stand in for them, and the outputs, when
 * present, are what the model must reproduce. {@code data} is a list of numbers, or base64 as in an
 * artifact's sample.json.
 */
record ReferenceData(Map<String, HostTensor> inputs, List<HostTensor> outputs) {

  static ReferenceData read(Path file) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw bad(file, "it is not readable JSON (" + e.getMessage() + ")");
    }
    if (root == null || !root.path("inputs").isObject() || root.path("inputs").isEmpty()) {
      throw bad(file, "it has no \"inputs\" object");
    }
    Map<String, HostTensor> inputs = tensors(file, root.path("inputs"));
    List<HostTensor> outputs =
        root.path("outputs").isObject()
            ? new ArrayList<>(tensors(file, root.path("outputs")).values())
            : List.of();
    return new ReferenceData(inputs, outputs);
  }

  private static Map<String, HostTensor> tensors(Path file, JsonNode node) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      out.put(entry.getKey(), tensor(file, entry.getKey(), entry.getValue()));
    }
    return out;
  }

  private static HostTensor tensor(Path file, String name, JsonNode t) {
    String dtype = t.path("dtype").asText("float32");
    if (!dtype.equals("float32") && !dtype.equals("int64")) {
      throw bad(file, "tensor '" + name + "' has dtype " + dtype + "; use float32 or int64");
    }
    long[] shape = new long[t.path("shape").size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.path("shape").get(i).asLong();
      count *= shape[i];
    }
    JsonNode data = t.path("data");
    if (data.isTextual()) {
      List<Long> dims = new ArrayList<>();
      for (long d : shape) {
        dims.add(d);
      }
      HostTensor decoded = HostTensor.of(new TensorData(dtype, dims, data.asText()));
      if (decoded.size() != count) {
        throw bad(file, "tensor '" + name + "' has the wrong number of values for its shape");
      }
      return decoded;
    }
    if (data.size() != count) {
      throw bad(
          file,
          "tensor '" + name + "' has " + data.size() + " values but its shape needs " + count);
    }
    if (dtype.equals("int64")) {
      long[] values = new long[data.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = data.get(i).asLong();
      }
      return HostTensor.ofLongs(shape, values);
    }
    float[] values = new float[data.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) data.get(i).asDouble();
    }
    return HostTensor.ofFloats(shape, values);
  }

  private static CompileException bad(Path file, String why) {
    return new CompileException(
        CompileErrorCode.BAD_INPUT,
        "--calibration-data "
            + file
            + " cannot be used: "
            + why
            + ". See samples/README.md for the format.");
  }
}
