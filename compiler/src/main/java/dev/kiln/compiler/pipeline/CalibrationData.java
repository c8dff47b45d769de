package dev.kiln.compiler.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Json;
import dev.kiln.compiler.ort.HostTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code --calibration-data}: the reference JSON format of samples/ ({@code {"inputs": {name:
 * {"dtype", "shape", "data": [flat numbers]}}}}), so real data can replace random verification
 * inputs.
 */
final class CalibrationData {
  private CalibrationData() {}

  static Map<String, HostTensor> read(Path file) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw bad(file, "it is not readable JSON (" + e.getMessage() + ")");
    }
    JsonNode inputs = root.path("inputs");
    if (!inputs.isObject() || inputs.isEmpty()) {
      throw bad(file, "it has no \"inputs\" object");
    }
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = inputs.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      JsonNode t = entry.getValue();
      long[] shape = new long[t.path("shape").size()];
      long count = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = t.path("shape").get(i).asLong();
        count *= shape[i];
      }
      JsonNode data = t.path("data");
      if (data.size() != count) {
        throw bad(
            file,
            "input '"
                + entry.getKey()
                + "' has "
                + data.size()
                + " values but its shape needs "
                + count);
      }
      String dtype = t.path("dtype").asText("float32");
      if (dtype.equals("float32")) {
        float[] values = new float[data.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) data.get(i).asDouble();
        }
        out.put(entry.getKey(), HostTensor.ofFloats(shape, values));
      } else if (dtype.equals("int64")) {
        long[] values = new long[data.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = data.get(i).asLong();
        }
        out.put(entry.getKey(), HostTensor.ofLongs(shape, values));
      } else {
        throw bad(
            file, "input '" + entry.getKey() + "' has dtype " + dtype + "; use float32 or int64");
      }
    }
    return out;
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
