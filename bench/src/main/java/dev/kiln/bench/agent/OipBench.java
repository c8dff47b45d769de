package dev.kiln.bench.agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.Manifest;
import dev.kiln.bench.Interleave;
import dev.kiln.bench.Stats;
import dev.kiln.compiler.ort.HostTensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol's two body forms against {@code /invocations}' two, on one agent
 * (batching off) and one model, in one run: {@code /invocations} with JSON and with .npy, {@code
 * /v2/models/{m}/infer} with JSON tensors and with the binary tensor extension (binary input and
 * binary output). p50 and p99 come from one request at a time over a raw socket ({@link
 * SocketInvoker}, so no client library's thread handoffs), the four paths interleaved round by
 * round; throughput from a closed loop of {@code clients} raw-socket clients per path ({@link
 * SocketLoad}), in the order A B C D, then D C B A, half the time each, so a drift in machine load
 * hits all of them alike.
 */
public final class OipBench {
  /** One path's figures; {@code bodyBytes} is the request body. */
  public record Row(String model, String path, int bodyBytes, Stats latency, double reqPerSecond) {}

  private record Subject(
      String label, String path, String contentType, byte[] body, Map<String, String> headers) {}

  private OipBench() {}

  public static List<Row> run(
      Path repo, List<String> models, int runs, int clients, double seconds, int threads)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-oip");
    List<Row> rows = new ArrayList<>();
    for (String relative : models) {
      BenchModel model = BenchModel.compile(repo, relative, work);
      List<Subject> subjects = subjects(model);
      try (InProcessAgent agent =
          InProcessAgent.start(
              AgentSetup.of(model, threads, 1).withHttpThreads(Math.max(4, clients)),
              work.resolve(model.name()),
              "oip")) {
        List<Interleave.Timed> timed = new ArrayList<>();
        List<SocketInvoker> sockets = new ArrayList<>();
        for (Subject s : subjects) {
          SocketInvoker invoker =
              new SocketInvoker(agent.baseUrl(), s.path(), s.contentType(), s.body(), s.headers());
          sockets.add(invoker);
          timed.add(invoker::invoke);
        }
        Stats[] latency = Interleave.run(timed, runs, Interleave.Warmup.untilCompiled(runs));
        for (SocketInvoker invoker : sockets) {
          invoker.close();
        }
        long[] done = new long[subjects.size()];
        double[] secs = new double[subjects.size()];
        for (int pass = 0; pass < 2; pass++) {
          for (int k = 0; k < subjects.size(); k++) {
            int j = pass == 0 ? k : subjects.size() - 1 - k;
            Subject s = subjects.get(j);
            long t = System.nanoTime();
            done[j] +=
                new SocketLoad(agent.baseUrl(), s.path(), s.contentType(), s.body(), s.headers())
                    .run(clients, seconds / 2)
                    .requests();
            secs[j] += (System.nanoTime() - t) / 1e9;
          }
        }
        for (int j = 0; j < subjects.size(); j++) {
          Subject s = subjects.get(j);
          rows.add(
              new Row(model.name(), s.label(), s.body().length, latency[j], done[j] / secs[j]));
        }
      }
    }
    return rows;
  }

  private static List<Subject> subjects(BenchModel model) {
    Manifest.IoSignature signature = model.artifact().manifest().signature();
    String infer = "/v2/models/" + model.name() + "/infer";
    OipBody binary = oipBody(model, signature, true);
    return List.of(
        new Subject(
            "/invocations, JSON",
            "/invocations",
            "application/json",
            model.requestJson().getBytes(StandardCharsets.UTF_8),
            Map.of()),
        new Subject(
            "/invocations, .npy",
            "/invocations",
            "application/x-npy",
            model.requestNpy(),
            Map.of()),
        new Subject(
            "OIP infer, JSON",
            infer,
            "application/json",
            oipBody(model, signature, false).bytes(),
            Map.of()),
        new Subject(
            "OIP infer, binary in and out",
            infer,
            "application/octet-stream",
            binary.bytes(),
            Map.of("Inference-Header-Content-Length", Integer.toString(binary.jsonLength()))));
  }

  /** A request body and the length of its JSON part. */
  private record OipBody(byte[] bytes, int jsonLength) {}

  /** The request as the specification lays it out: JSON tensors, or JSON then raw tensors. */
  private static OipBody oipBody(BenchModel model, Manifest.IoSignature signature, boolean binary) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ArrayNode inputs = root.putArray("inputs");
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (Map.Entry<String, HostTensor> e : model.inputs().entrySet()) {
      float[] values = (float[]) e.getValue().values();
      ObjectNode in = inputs.addObject().put("name", e.getKey()).put("datatype", "FP32");
      ArrayNode shape = in.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      if (binary) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        in.putObject("parameters").put("binary_data_size", values.length * 4);
        data.writeBytes(b.array());
      } else {
        ArrayNode flat = in.putArray("data");
        for (float v : values) {
          flat.add(v);
        }
      }
    }
    if (binary) {
      ArrayNode outputs = root.putArray("outputs");
      for (Manifest.TensorSpec out : signature.outputs()) {
        outputs
            .addObject()
            .put("name", out.name())
            .putObject("parameters")
            .put("binary_data", true);
      }
    }
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(json);
    body.writeBytes(data.toByteArray());
    return new OipBody(body.toByteArray(), json.length);
  }
}
