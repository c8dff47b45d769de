package dev.kiln.bench.agent;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.TensorData;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.DeviceProfiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sample compiled for this host and signed, with its batch-1 sample input in the two forms the
 * benchmarks compare: a JSON body for the agent's HTTP API and host tensors for a direct engine
 * call on the same payload.
 *
 * @param trustedKeys folder with the public key the agent must trust
 */
public record BenchModel(
    String name,
    Path artifactFile,
    Artifact artifact,
    OptLevel optLevel,
    Map<String, HostTensor> inputs,
    String requestJson,
    byte[] requestNpy,
    Path trustedKeys) {

  /** Compiles {@code samples/models/<relative>} for x86_64 into {@code work}. */
  public static BenchModel compile(Path repo, String relative, Path work) throws Exception {
    return compile(repo, relative, work, null);
  }

  /**
   * @param profile the device profile to compile for, added to the built-in ones; null for the
   *     built-in x86_64 target
   */
  public static BenchModel compile(Path repo, String relative, Path work, DeviceProfile profile)
      throws Exception {
    // DJL creates ONNX Runtime's process-wide environment with its own threading options and
    // refuses to start when the compiler's verifier made one first; so DJL goes first, and the
    // compiler and the direct baseline sessions share DJL's environment.
    Engine.getEngine("OnnxRuntime");
    Path source = repo.resolve("samples/models").resolve(relative);
    String name = source.getFileName().toString().replace(".onnx", "");
    Path dir =
        Files.createDirectories(work.resolve(profile == null ? name : name + "-" + profile.name()));
    Path keys = Files.createDirectories(dir.resolve("trusted-keys"));
    Path key = dir.resolve("bench.key");
    // The compiler wants the public half beside the key; the agent trusts a copy of it.
    Ed25519Keys.writePair(Ed25519Keys.generate(), key, dir.resolve("bench.pub"));
    Files.copy(dir.resolve("bench.pub"), keys.resolve("bench.pub"));
    DeviceProfiles profiles = DeviceProfiles.fromClasspath();
    CompileRequest request =
        CompileRequest.of(source, "x86_64", dir.resolve(name + ".kiln"))
            .withSignKey(key)
            .withSkipBenchmark(true)
            .withForce(true);
    if (profile != null) {
      profiles = profiles.mergedWith(DeviceProfiles.of(List.of(profile)));
      request = request.withDevice(profile.name());
    }
    CompileReport report = new Compiler(profiles, ProgressListener.SILENT).compile(request);
    Path file = Path.of(report.artifact());
    Artifact artifact = Artifact.unpack(file, dir.resolve("unpacked"));
    OptLevel level =
        OptLevel.valueOf(artifact.manifest().engine().sessionOptions().get("optLevel"));
    Map<String, HostTensor> inputs = new LinkedHashMap<>();
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode jsonInputs = body.putObject("inputs");
    for (Map.Entry<String, TensorData> in : artifact.sample().inputs().entrySet()) {
      HostTensor t = HostTensor.of(in.getValue());
      inputs.put(in.getKey(), t);
      nest(jsonInputs.putArray(in.getKey()), in.getValue(), 0, new int[] {0});
    }
    return new BenchModel(
        name,
        file,
        artifact,
        level,
        inputs,
        Json.MAPPER.writeValueAsString(body),
        npy(inputs.values().iterator().next()),
        keys);
  }

  /**
   * The first input as a numpy .npy file (format 1.0, little-endian float32, C order): the body
   * that costs the agent the least to decode, to tell JSON parsing apart from HTTP.
   */
  static byte[] npy(HostTensor t) {
    if (!(t.values() instanceof float[] f)) {
      return null;
    }
    StringBuilder shape = new StringBuilder();
    for (long d : t.shape()) {
      shape.append(d).append(", ");
    }
    StringBuilder header =
        new StringBuilder(
            "{'descr': '<f4', 'fortran_order': False, 'shape': ("
                + shape.toString().trim()
                + "), }");
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    ByteBuffer b =
        ByteBuffer.allocate(10 + header.length() + f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) header.length()).put(header.toString().getBytes(StandardCharsets.US_ASCII));
    b.asFloatBuffer().put(f);
    return b.array();
  }

  /** Writes the flat tensor as nested arrays, one level per dim, in C order. */
  private static void nest(ArrayNode into, TensorData t, int dim, int[] next) {
    List<Long> shape = t.shape();
    long n = shape.get(dim);
    boolean floats = "float32".equals(t.dtype());
    float[] f = floats ? t.floats() : null;
    long[] l = floats ? null : t.longs();
    for (long i = 0; i < n; i++) {
      if (dim == shape.size() - 1) {
        if (floats) {
          into.add(f[next[0]++]);
        } else {
          into.add(l[next[0]++]);
        }
      } else {
        nest(into.addArray(), t, dim + 1, next);
      }
    }
  }

  public long payloadBytes() throws IOException {
    return Files.size(artifact.payloadPath());
  }
}
