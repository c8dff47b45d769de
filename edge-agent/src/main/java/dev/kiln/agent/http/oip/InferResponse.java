package dev.kiln.agent.http.oip;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.agent.http.JsonTensors;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reply to an inference request: JSON, or JSON followed by the binary data of the outputs asked
 * for as binary ({@code binary_data} on the output, or {@code binary_data_output} on the request).
 * Float values that are NaN or ±Infinity are JSON {@code null}, as on {@code /invocations}; binary
 * outputs carry them as they are.
 *
 * @param body the whole reply body
 * @param jsonLength the length of its JSON part; equal to the body's length when nothing is binary
 */
public record InferResponse(byte[] body, int jsonLength) {

  public boolean hasBinary() {
    return jsonLength != body.length;
  }

  /**
   * @param id the request's {@code id} echoed back
   * @param outputs every output the model produced, in the model's order
   */
  public static InferResponse render(
      String model, String version, String id, Map<String, Tensor> outputs, InferRequest request) {
    List<InferRequest.RequestedOutput> selected = new ArrayList<>(request.outputs());
    if (selected.isEmpty()) {
      outputs.keySet().forEach(name -> selected.add(new InferRequest.RequestedOutput(name, null)));
    }
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    List<Tensor> binary = new ArrayList<>();
    try (JsonGenerator gen = InferRequest.FACTORY.createGenerator(json)) {
      gen.writeStartObject();
      gen.writeStringField("model_name", model);
      gen.writeStringField("model_version", version);
      gen.writeStringField("id", id);
      gen.writeArrayFieldStart("outputs");
      for (InferRequest.RequestedOutput o : selected) {
        Tensor t = outputs.get(o.name());
        if (t == null) {
          continue;
        }
        boolean asBinary = o.binary() != null ? o.binary() : request.binaryOutputs();
        gen.writeStartObject();
        gen.writeStringField("name", o.name());
        gen.writeStringField("datatype", OipDatatype.of(t.dtype()));
        gen.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
          gen.writeNumber(d);
        }
        gen.writeEndArray();
        if (asBinary) {
          gen.writeObjectFieldStart("parameters");
          gen.writeNumberField("binary_data_size", (long) t.size() * t.dtype().bytes());
          gen.writeEndObject();
          binary.add(t);
        } else {
          gen.writeArrayFieldStart("data");
          JsonTensors.writeValues(gen, t);
          gen.writeEndArray();
        }
        gen.writeEndObject();
      }
      gen.writeEndArray();
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int jsonLength = json.size();
    if (binary.isEmpty()) {
      return new InferResponse(json.toByteArray(), jsonLength);
    }
    // One array of the reply's exact size, each output copied into it once, in bulk.
    long size = jsonLength;
    for (Tensor t : binary) {
      size += (long) t.size() * t.dtype().bytes();
    }
    byte[] body = new byte[Math.toIntExact(size)];
    System.arraycopy(json.toByteArray(), 0, body, 0, jsonLength);
    int at = jsonLength;
    for (Tensor t : binary) {
      at += putLittleEndian(t, body, at);
    }
    return new InferResponse(body, jsonLength);
  }

  /** Writes {@code t}'s values into {@code into} from {@code at}; returns the bytes written. */
  private static int putLittleEndian(Tensor t, byte[] into, int at) {
    int length = t.size() * t.dtype().bytes();
    ByteBuffer buf = ByteBuffer.wrap(into, at, length).slice().order(ByteOrder.LITTLE_ENDIAN);
    if (t.dtype() == DType.FLOAT32) {
      buf.asFloatBuffer().put(t.floats());
    } else {
      buf.asLongBuffer().put(t.longs());
    }
    return length;
  }
}
