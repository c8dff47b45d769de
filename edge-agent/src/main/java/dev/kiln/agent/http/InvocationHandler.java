package dev.kiln.agent.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.agent.serving.InferenceService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/** {@code POST /invocations} and {@code POST /models/{name}/invocations}. */
final class InvocationHandler {
  static final String VARIANT_HEADER = "X-Kiln-Variant";

  private final InferenceService service;
  private final long maxBodyBytes;
  private final Set<String> acceptNonFinite;

  /**
   * @param acceptNonFinite models (or pipelines) whose float inputs may hold NaN and Infinity
   */
  InvocationHandler(InferenceService service, long maxBodyBytes, Set<String> acceptNonFinite) {
    this.service = service;
    this.maxBodyBytes = maxBodyBytes;
    this.acceptNonFinite = Set.copyOf(acceptNonFinite);
  }

  void invoke(Exchange ex, String model) throws IOException {
    byte[] body = ex.body(maxBodyBytes);
    InferenceService.Route route = service.route(model, ex.header(VARIANT_HEADER));
    DecodeLimits limits =
        DecodeLimits.forBody(body.length, acceptNonFinite.contains(route.model()));
    Map<String, Tensor> inputs =
        RequestDecoder.decode(ex.header("Content-Type"), body, route.signature(), limits);
    InferenceService.Result result = service.invoke(route, inputs, ex.requestId());
    ex.json(200, render(result, ex.requestId()));
  }

  static byte[] render(InferenceService.Result result, String requestId) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator gen = RequestDecoder.MAPPER.getFactory().createGenerator(out)) {
      gen.writeStartObject();
      gen.writeStringField("model", result.model());
      gen.writeStringField("version", result.version());
      gen.writeStringField("variant", result.variant());
      gen.writeStringField("requestId", requestId);
      gen.writeObjectFieldStart("outputs");
      for (var e : result.outputs().entrySet()) {
        gen.writeFieldName(e.getKey());
        JsonTensors.write(gen, e.getValue());
      }
      gen.writeEndObject();
      gen.writeEndObject();
    }
    return out.toByteArray();
  }
}
