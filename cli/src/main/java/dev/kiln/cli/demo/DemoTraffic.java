package dev.kiln.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Sends the sample's reference input to the agent and compares each answer with the PyTorch
 * reference output, so the demo shows the device computes what the trained model computes.
 */
final class DemoTraffic {
  record Result(int answered, List<Integer> topClasses, double maxError) {}

  private DemoTraffic() {}

  static Result send(String baseUrl, Path referenceFile, int requests) throws Exception {
    JsonNode reference = Json.MAPPER.readTree(referenceFile.toFile());
    byte[] payload = body(reference);
    HttpClient http = HttpClient.newHttpClient();
    int answered = 0;
    double maxError = 0;
    List<Integer> top = List.of();
    for (int i = 0; i < requests; i++) {
      HttpResponse<byte[]> response =
          http.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/invocations"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "POST /invocations answered "
                + response.statusCode()
                + ": "
                + new String(response.body()));
      }
      answered++;
      JsonNode outputs = Json.MAPPER.readTree(response.body()).path("outputs");
      for (Iterator<Map.Entry<String, JsonNode>> it = reference.path("outputs").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> want = it.next();
        List<Double> got = flatten(outputs.path(want.getKey()), new ArrayList<>());
        JsonNode expected = want.getValue().path("data");
        for (int k = 0; k < expected.size(); k++) {
          maxError = Math.max(maxError, Math.abs(got.get(k) - expected.get(k).asDouble()));
        }
        top = topClasses(got, (int) want.getValue().path("shape").path(0).asLong(1));
      }
    }
    return new Result(answered, top, maxError);
  }

  /** A JSON {@code POST /invocations} body carrying the reference file's inputs. */
  static byte[] body(JsonNode reference) throws java.io.IOException {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode inputs = body.putObject("inputs");
    for (Iterator<Map.Entry<String, JsonNode>> it = reference.path("inputs").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> in = it.next();
      inputs.set(in.getKey(), nest(in.getValue().path("shape"), in.getValue().path("data")));
    }
    return Json.MAPPER.writeValueAsBytes(body);
  }

  private static JsonNode nest(JsonNode shape, JsonNode flat) {
    int[] dims = new int[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.get(i).asInt();
    }
    int[] cursor = {0};
    return build(dims, 0, flat, cursor);
  }

  private static JsonNode build(int[] dims, int axis, JsonNode flat, int[] cursor) {
    ArrayNode array = Json.MAPPER.createArrayNode();
    for (int i = 0; i < dims[axis]; i++) {
      if (axis == dims.length - 1) {
        array.add(flat.get(cursor[0]++));
      } else {
        array.add(build(dims, axis + 1, flat, cursor));
      }
    }
    return array;
  }

  private static List<Double> flatten(JsonNode node, List<Double> into) {
    if (node.isArray()) {
      node.forEach(child -> flatten(child, into));
    } else {
      into.add(node.asDouble());
    }
    return into;
  }

  private static List<Integer> topClasses(List<Double> values, int rows) {
    List<Integer> top = new ArrayList<>();
    int width = values.size() / Math.max(1, rows);
    for (int r = 0; r < rows; r++) {
      int best = 0;
      for (int c = 1; c < width; c++) {
        if (values.get(r * width + c) > values.get(r * width + best)) {
          best = c;
        }
      }
      top.add(best);
    }
    return top;
  }
}
