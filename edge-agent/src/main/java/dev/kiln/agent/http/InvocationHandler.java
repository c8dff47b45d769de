package dev.kiln.agent.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.agent.serving.InferenceService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** {@code POST /invocations} and {@code POST /models/{name}/invocations}. */
final class InvocationHandler {
  static final String VARIANT_HEADER = "X-Kiln-Variant";

  /** The variant that served the request, as the SageMaker runtime names it in its reply. */
  static final String SERVED_VARIANT_HEADER = "X-Amzn-Invoked-Production-Variant";

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

  /** {@code /invocations}: the target-model header's model, else the default one. */
  void invoke(Exchange ex, Supplier<String> defaultModel) throws IOException {
    SageMakerHeaders sageMaker = SageMakerHeaders.of(ex);
    String model = sageMaker.targetModel() != null ? sageMaker.targetModel() : defaultModel.get();
    run(ex, model, sageMaker);
  }

  /** {@code /models/{name}/invocations}: a target-model header may only agree with the path. */
  void invokeModel(Exchange ex, String model) throws IOException {
    SageMakerHeaders sageMaker = SageMakerHeaders.of(ex);
    if (sageMaker.targetModel() != null && !sageMaker.targetModel().equals(model)) {
      throw new AgentException(
          AgentErrorCode.INVALID_INPUT,
          SageMakerHeaders.TARGET_MODEL
              + " names '"
              + sageMaker.targetModel()
              + "' but the path names '"
              + model
              + "'; send one");
    }
    run(ex, model, sageMaker);
  }

  private void run(Exchange ex, String model, SageMakerHeaders sageMaker) throws IOException {
    RequestBody body = ex.bodyInPlace(maxBodyBytes);
    InferenceService.Route route = route(model, ex.header(VARIANT_HEADER), sageMaker);
    DecodeLimits limits =
        DecodeLimits.forBody(body.length(), acceptNonFinite.contains(route.model()));
    Map<String, Tensor> inputs =
        RequestDecoder.decode(ex.header("Content-Type"), body, route.signature(), limits);
    InferenceService.Result result =
        service.invoke(route, inputs, ex.requestId(), sageMaker.customAttributes());
    ex.responseHeader(SERVED_VARIANT_HEADER, result.variant());
    ex.json(200, render(result, ex.requestId()));
  }

  /**
   * Kiln's own variant header answers 404 for an unknown variant, as before; SageMaker's answers
   * 400, as the SageMaker runtime does, with the variant names in the message either way.
   */
  private InferenceService.Route route(
      String model, String kilnVariant, SageMakerHeaders sageMaker) {
    String variant = sageMaker.targetVariant();
    if (variant == null) {
      return service.route(model, kilnVariant);
    }
    if (kilnVariant != null && !kilnVariant.isBlank() && !kilnVariant.equals(variant)) {
      throw new AgentException(
          AgentErrorCode.INVALID_INPUT,
          VARIANT_HEADER
              + " '"
              + kilnVariant
              + "' and "
              + SageMakerHeaders.TARGET_VARIANT
              + " '"
              + variant
              + "' disagree; send one");
    }
    try {
      return service.route(model, variant);
    } catch (AgentException e) {
      if (e.code() == AgentErrorCode.VERSION_NOT_FOUND) {
        throw new AgentException(AgentErrorCode.INVALID_INPUT, e.getMessage());
      }
      throw e;
    }
  }

  static byte[] render(InferenceService.Result result, String requestId) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator gen = RequestDecoder.FACTORY.createGenerator(out)) {
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
