package dev.kiln.bench.agent;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.compiler.ort.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The least a server must do per request around ONNX Runtime: copy each float input into a native
 * buffer allocated once, run, and copy each output out into a Java array. {@code OrtSessions.run}
 * (the older baseline) also allocates a fresh direct buffer per input and call, which cost the
 * sample CNN about 30 us more than this on 2 cores and made the agent's overhead look that much
 * smaller than it is.
 */
final class EngineFloor {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final Map<String, HostTensor> inputs;
  private final Map<String, FloatBuffer> buffers = new LinkedHashMap<>();

  EngineFloor(OrtSession session, Map<String, HostTensor> inputs) {
    this.session = session;
    this.inputs = inputs;
    for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
      float[] values = (float[]) e.getValue().values();
      buffers.put(
          e.getKey(),
          ByteBuffer.allocateDirect(values.length * 4)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer());
    }
  }

  /** One engine call on the inputs; the outputs' values, copied. */
  Map<String, float[]> call() throws OrtException {
    Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
        FloatBuffer buffer = buffers.get(e.getKey());
        buffer.clear();
        buffer.put((float[]) e.getValue().values()).flip();
        tensors.put(e.getKey(), OnnxTensor.createTensor(env, buffer, e.getValue().shape()));
      }
      Map<String, float[]> outputs = new LinkedHashMap<>();
      try (OrtSession.Result result = session.run(tensors)) {
        for (Map.Entry<String, OnnxValue> out : result) {
          FloatBuffer values = ((OnnxTensor) out.getValue()).getFloatBuffer();
          float[] copy = new float[values.remaining()];
          values.get(copy);
          outputs.put(out.getKey(), copy);
        }
      }
      return outputs;
    } finally {
      tensors.values().forEach(OnnxTensor::close);
    }
  }
}
