package dev.kiln.bench.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.http.JsonTensors;
import dev.kiln.agent.http.Npy;
import dev.kiln.agent.http.oip.InferRequest;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import dev.kiln.bench.Interleave;
import dev.kiln.bench.Stats;
import dev.kiln.json.JsonMappers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Request body decoding in one process, no HTTP and no engine: a 1x3x224x224 float32 image as a
 * JSON body through the old tree decoder (Jackson tree, then a walk) and through the streaming
 * decoder, the same tensor as a {@code .npy} body, and the JSON encoding of the same tensor as a
 * response. Interleaved round by round; allocation per request from the JVM's per-thread counter.
 */
public final class DecodeBench {
  /** The agent's own settings for request and response bodies. */
  private static final ObjectMapper MAPPER = JsonMappers.plain();

  /** Jackson's defaults: numbers read by the JDK's parser, as the agent's tree did before. */
  private static final ObjectMapper JDK_NUMBERS = new ObjectMapper();

  /** One way of handling the body, timed and weighed. */
  public record Row(String subject, int bodyBytes, Stats stats, long allocatedPerRequest) {
    public double megabytesPerSecond() {
      return bodyBytes / 1e6 / (stats.p50() / 1e3);
    }
  }

  private record Subject(String name, int bodyBytes, Interleave.Timed call) {}

  private DecodeBench() {}

  public static List<Row> run(int runs) throws Exception {
    long[] shape = {1, 3, 224, 224};
    Manifest.IoSignature signature =
        new Manifest.IoSignature(
            List.of(new Manifest.TensorSpec("input", "float32", List.of(-1L, 3L, 224L, 224L))),
            List.of());
    float[] values = new float[3 * 224 * 224];
    Random random = new Random(42);
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextFloat() * 2 - 1;
    }
    Tensor image = Tensor.ofFloats(shape, values);
    byte[] json = jsonBody(image);
    byte[] npy = Npy.write(image);
    DecodeLimits jsonLimits = DecodeLimits.forBody(json.length, false);
    DecodeLimits npyLimits = DecodeLimits.forBody(npy.length, false);
    byte[] oip = oipBody(values, false);
    byte[] oipDataFirst = oipBody(values, true);
    DecodeLimits oipLimits = DecodeLimits.forBody(oip.length, false);
    check(InferRequest.parse(oip, null, signature, oipLimits).inputs().get("input"), image);
    check(
        InferRequest.parse(oipDataFirst, null, signature, oipLimits).inputs().get("input"), image);
    check(JsonTensors.decode(json, signature, jsonLimits).get("input"), image);
    // A Python client's body: tensor.tolist() makes each float32 a double, which json.dumps
    // writes with up to 17 digits; Clinger's exact case does not cover those.
    byte[] python = pythonBody(values);
    DecodeLimits pythonLimits = DecodeLimits.forBody(python.length, false);
    check(JsonTensors.decode(python, signature, pythonLimits).get("input"), image);
    // The same body with its input's name escaped: the byte scanner leaves escapes to Jackson.
    byte[] jacksonOnly =
        new String(json, StandardCharsets.US_ASCII)
            .replaceFirst("\"input\"", "\"\\\\u0069nput\"")
            .getBytes(StandardCharsets.US_ASCII);
    check(JsonTensors.decode(jacksonOnly, signature, jsonLimits).get("input"), image);
    check(JsonTensors.decode(MAPPER.readTree(json), signature, jsonLimits).get("input"), image);

    List<Subject> subjects =
        List.of(
            new Subject(
                "JSON, tree, JDK's number parser (before)",
                json.length,
                () -> JsonTensors.decode(JDK_NUMBERS.readTree(json), signature, jsonLimits)),
            new Subject(
                "JSON, tree (the fallback for bodies the scanner declines)",
                json.length,
                () -> JsonTensors.decode(MAPPER.readTree(json), signature, jsonLimits)),
            new Subject(
                "JSON, Jackson streaming (name escaped, so the scanner declines)",
                jacksonOnly.length,
                () -> JsonTensors.decode(jacksonOnly, signature, jsonLimits)),
            new Subject(
                "JSON, byte scanner on one thread",
                json.length,
                () -> JsonTensors.decode(json, signature, jsonLimits, false)),
            new Subject(
                "JSON, byte scanner, second half on the other core (the agent's path)",
                json.length,
                () -> JsonTensors.decode(json, signature, jsonLimits)),
            new Subject(
                "JSON, byte scanner, numbers as Python writes float32 values (17 digits)",
                python.length,
                () -> JsonTensors.decode(python, signature, pythonLimits)),
            new Subject(
                "/v2 JSON flat data, tree (data before shape)",
                oipDataFirst.length,
                () -> InferRequest.parse(oipDataFirst, null, signature, oipLimits)),
            new Subject(
                "/v2 JSON flat data, byte scanner",
                oip.length,
                () -> InferRequest.parse(oip, null, signature, oipLimits)),
            new Subject(
                ".npy", npy.length, () -> Npy.read(npy, signature.inputs().get(0), npyLimits)),
            new Subject(
                "JSON response, encode, Float.toString per number (before)",
                json.length,
                () -> encodeWithFloatToString(image, OutputStream.nullOutputStream())),
            new Subject(
                "JSON response, encode (the agent's path: shortest digits, no String)",
                json.length,
                () -> encode(MAPPER, image, OutputStream.nullOutputStream())));
    Stats[] stats = Interleave.run(subjects.stream().map(Subject::call).toList(), runs);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < subjects.size(); i++) {
      Subject s = subjects.get(i);
      rows.add(new Row(s.name(), s.bodyBytes(), stats[i], allocatedPerCall(s.call())));
    }
    return rows;
  }

  public static void print(List<Row> rows) {
    System.out.println(
        "| body (1x3x224x224 float32) | bytes | p50 ms | p95 ms | MB/s at p50 | allocated per request |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      System.out.printf(
          "| %s | %d | %.2f | %.2f | %.0f | %.2f MB |%n",
          r.subject(),
          r.bodyBytes(),
          r.stats().p50(),
          r.stats().p95(),
          r.megabytesPerSecond(),
          r.allocatedPerRequest() / 1e6);
    }
  }

  private static long allocatedPerCall(Interleave.Timed call) throws Exception {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    int n = 20;
    long before = threads.getThreadAllocatedBytes(id);
    for (int i = 0; i < n; i++) {
      call.call();
    }
    return (threads.getThreadAllocatedBytes(id) - before) / n;
  }

  /** {@code {"inputs": {"input": [[[[...]]]]}}} with every value written as a double. */
  private static byte[] pythonBody(float[] values) {
    StringBuilder b = new StringBuilder(values.length * 22).append("{\"inputs\": {\"input\": [[");
    int i = 0;
    for (int c = 0; c < 3; c++) {
      b.append(c == 0 ? "[" : ", [");
      for (int y = 0; y < 224; y++) {
        b.append(y == 0 ? "[" : ", [");
        for (int x = 0; x < 224; x++) {
          b.append(x == 0 ? "" : ", ").append((double) values[i++]);
        }
        b.append(']');
      }
      b.append(']');
    }
    return b.append("]]}}").toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] jsonBody(Tensor t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator gen = MAPPER.getFactory().createGenerator(out)) {
      gen.writeStartObject();
      gen.writeObjectFieldStart("inputs");
      gen.writeFieldName("input");
      JsonTensors.write(gen, t);
      gen.writeEndObject();
      gen.writeEndObject();
    }
    return out.toByteArray();
  }

  /**
   * An Open Inference Protocol request with flat data. With {@code dataFirst} the data precedes the
   * shape, which the streaming pass declines, so the tree decoder reads it: the old path.
   */
  private static byte[] oipBody(float[] values, boolean dataFirst) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator gen = MAPPER.getFactory().createGenerator(out)) {
      gen.writeStartObject();
      gen.writeArrayFieldStart("inputs");
      gen.writeStartObject();
      if (dataFirst) {
        writeData(gen, values);
      }
      gen.writeStringField("name", "input");
      gen.writeStringField("datatype", "FP32");
      gen.writeArrayFieldStart("shape");
      for (long d : new long[] {1, 3, 224, 224}) {
        gen.writeNumber(d);
      }
      gen.writeEndArray();
      if (!dataFirst) {
        writeData(gen, values);
      }
      gen.writeEndObject();
      gen.writeEndArray();
      gen.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void writeData(JsonGenerator gen, float[] values) throws IOException {
    gen.writeArrayFieldStart("data");
    for (float v : values) {
      gen.writeNumber(v);
    }
    gen.writeEndArray();
  }

  private static void encode(ObjectMapper mapper, Tensor t, OutputStream out) throws IOException {
    try (JsonGenerator gen = mapper.getFactory().createGenerator(out)) {
      JsonTensors.write(gen, t);
    }
  }

  /**
   * The response encoder before 2026-12-04: the same nesting, each float through Jackson's {@code
   * writeNumber(float)}, which makes a String with Java 17's {@code Float.toString}.
   */
  private static void encodeWithFloatToString(Tensor t, OutputStream out) throws IOException {
    try (JsonGenerator gen = MAPPER.getFactory().createGenerator(out)) {
      nest(gen, t, 0, new int[] {0});
    }
  }

  private static void nest(JsonGenerator gen, Tensor t, int depth, int[] at) throws IOException {
    if (depth == t.shape().length) {
      gen.writeNumber(t.floats()[at[0]++]);
      return;
    }
    gen.writeStartArray();
    for (long i = 0; i < t.shape()[depth]; i++) {
      nest(gen, t, depth + 1, at);
    }
    gen.writeEndArray();
  }

  private static void check(Tensor got, Tensor want) {
    if (!got.equals(want)) {
      throw new IllegalStateException("decoded tensor differs from the one encoded: " + got);
    }
  }
}
