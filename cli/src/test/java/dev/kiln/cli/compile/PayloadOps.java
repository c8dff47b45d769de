package dev.kiln.cli.compile;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.TensorData;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.OpHistogram;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The op types of a shipped payload, without their domain. An .onnx payload is read as the graph;
 * an .ort payload (ONNX Runtime's flatbuffer format, which Kiln's IR does not read) is run once on
 * the artifact's sample with ONNX Runtime's profiler on, and the op types are those of the nodes
 * the session executed: the same graph, seen through the engine that runs it.
 */
final class PayloadOps {
  private PayloadOps() {}

  static Set<String> of(Artifact artifact, Path scratch) throws Exception {
    Path payload = artifact.payloadPath();
    Set<String> ops = new TreeSet<>();
    if (artifact.manifest().payload().format().equals("onnx")) {
      for (String op : OpHistogram.of(OnnxModelIO.read(payload)).ops().keySet()) {
        ops.add(op.substring(op.lastIndexOf(':') + 1));
      }
      return ops;
    }
    Path profiles = Files.createDirectories(scratch.resolve("ort-profile"));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
      o.enableProfiling(profiles.resolve("ort").toString());
      try (OrtSession session = env.createSession(payload.toString(), o)) {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
          for (Map.Entry<String, TensorData> e : artifact.sample().inputs().entrySet()) {
            TensorData t = e.getValue();
            inputs.put(
                e.getKey(),
                t.dtype().equals("int64")
                    ? OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), t.shapeArray())
                    : OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), t.shapeArray()));
          }
          session.run(inputs).close();
        } finally {
          inputs.values().forEach(OnnxTensor::close);
        }
      }
    }
    // ONNX Runtime writes the profile when the session ends.
    try (Stream<Path> files = Files.list(profiles)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        for (JsonNode event : Json.MAPPER.readTree(file.toFile())) {
          if ("Node".equals(event.path("cat").asText())) {
            ops.add(event.at("/args/op_name").asText());
          }
        }
      }
    }
    return ops;
  }
}
