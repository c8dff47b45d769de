package dev.kiln.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An Open Inference Protocol (KServe v2) REST client written from the published specification, not
 * from the agent's code: JSON tensors and the binary tensor data extension (request inputs with
 * {@code binary_data_size}, outputs asked for with {@code binary_data}, the JSON part's length in
 * {@code Inference-Header-Content-Length}). Sends no credentials: the protocol's endpoints are as
 * open as {@code /invocations}.
 */
public final class OipClient {
  public static final String HEADER_LENGTH = "Inference-Header-Content-Length";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;

  public OipClient(URI base) {
    this.base = base;
  }

  /** An input tensor: {@code values} is a float[] (FP32) or long[] (INT64), or a nested JSON. */
  public record Input(String name, String datatype, long[] shape, Object values, boolean binary) {
    public static Input fp32(String name, long[] shape, float[] values, boolean binary) {
      return new Input(name, "FP32", shape, values, binary);
    }

    public static Input int64(String name, long[] shape, long[] values, boolean binary) {
      return new Input(name, "INT64", shape, values, binary);
    }
  }

  /**
   * @param binary the output's {@code binary_data} parameter; null leaves it out
   */
  public record Output(String name, Boolean binary) {}

  /** An output as received: its JSON object, and its values from JSON or binary data. */
  public record Tensor(JsonNode meta, float[] floats, long[] longs) {
    public long[] shape() {
      long[] s = new long[meta.get("shape").size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = meta.get("shape").get(i).asLong();
      }
      return s;
    }
  }

  /** A reply: the status, the JSON part, and (for 200 inference replies) the decoded outputs. */
  public record Reply(
      int status, JsonNode json, Map<String, Tensor> outputs, HttpResponse<byte[]> raw) {
    public String error() {
      return json == null || json.get("error") == null ? null : json.get("error").asText();
    }
  }

  public Reply get(String path) throws IOException {
    HttpResponse<byte[]> r = send(HttpRequest.newBuilder(base.resolve(path)).GET());
    return new Reply(r.statusCode(), parse(r.body(), r.body().length), Map.of(), r);
  }

  /** {@code POST /v2/models/{model}[/versions/{version}]/infer}. */
  public Reply infer(
      String model,
      String version,
      String id,
      List<Input> inputs,
      List<Output> outputs,
      Boolean binaryDataOutput)
      throws IOException {
    return inferRaw(model, version, body(id, inputs, outputs, binaryDataOutput), Map.of());
  }

  /** The request body as the specification lays it out, and its JSON part's length. */
  public record Body(byte[] bytes, int jsonLength) {
    public boolean binary() {
      return jsonLength != bytes.length;
    }
  }

  public static Body body(
      String id, List<Input> inputs, List<Output> outputs, Boolean binaryDataOutput) {
    ObjectNode root = JSON.createObjectNode();
    if (id != null) {
      root.put("id", id);
    }
    if (binaryDataOutput != null) {
      root.putObject("parameters").put("binary_data_output", binaryDataOutput);
    }
    ByteArrayOutputStream binary = new ByteArrayOutputStream();
    ArrayNode ins = root.putArray("inputs");
    for (Input in : inputs) {
      ObjectNode o = ins.addObject();
      o.put("name", in.name()).put("datatype", in.datatype());
      ArrayNode shape = o.putArray("shape");
      for (long d : in.shape()) {
        shape.add(d);
      }
      if (in.binary()) {
        byte[] data = littleEndian(in.values());
        o.putObject("parameters").put("binary_data_size", data.length);
        binary.writeBytes(data);
      } else if (in.values() instanceof float[] f) {
        ArrayNode data = o.putArray("data");
        for (float v : f) {
          data.add(v);
        }
      } else if (in.values() instanceof long[] l) {
        ArrayNode data = o.putArray("data");
        for (long v : l) {
          data.add(v);
        }
      } else {
        o.set("data", (JsonNode) in.values());
      }
    }
    if (outputs != null) {
      ArrayNode outs = root.putArray("outputs");
      for (Output out : outputs) {
        ObjectNode o = outs.addObject().put("name", out.name());
        if (out.binary() != null) {
          o.putObject("parameters").put("binary_data", out.binary());
        }
      }
    }
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(json);
    all.writeBytes(binary.toByteArray());
    return new Body(all.toByteArray(), json.length);
  }

  /** Sends a prepared body, adding {@code headers}; decodes the reply's outputs. */
  public Reply inferRaw(String model, String version, Body body, Map<String, String> headers)
      throws IOException {
    String path =
        "/v2/models/" + model + (version == null ? "" : "/versions/" + version) + "/infer";
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
    if (body.binary()) {
      b.header("Content-Type", "application/octet-stream");
      b.header(HEADER_LENGTH, Integer.toString(body.jsonLength()));
    } else {
      b.header("Content-Type", "application/json");
    }
    // Replaces what the client set itself, so a test can send a wrong header length.
    headers.forEach(b::setHeader);
    return decode(send(b));
  }

  private static Reply decode(HttpResponse<byte[]> r) throws IOException {
    byte[] bytes = r.body();
    int jsonLength =
        r.headers().firstValue(HEADER_LENGTH).map(Integer::parseInt).orElse(bytes.length);
    JsonNode json = parse(bytes, jsonLength);
    Map<String, Tensor> outputs = new LinkedHashMap<>();
    if (r.statusCode() == 200 && json != null && json.has("outputs")) {
      int at = jsonLength;
      for (JsonNode o : json.get("outputs")) {
        String datatype = o.get("datatype").asText();
        JsonNode size = o.at("/parameters/binary_data_size");
        if (!size.isMissingNode()) {
          ByteBuffer buf =
              ByteBuffer.wrap(bytes, at, size.asInt()).slice().order(ByteOrder.LITTLE_ENDIAN);
          at += size.asInt();
          outputs.put(o.get("name").asText(), fromBinary(o, datatype, buf));
        } else {
          outputs.put(o.get("name").asText(), fromJson(o, datatype));
        }
      }
    }
    return new Reply(r.statusCode(), json, outputs, r);
  }

  private static Tensor fromBinary(JsonNode meta, String datatype, ByteBuffer buf) {
    if (datatype.equals("FP32")) {
      float[] v = new float[buf.remaining() / 4];
      buf.asFloatBuffer().get(v);
      return new Tensor(meta, v, null);
    }
    long[] v = new long[buf.remaining() / 8];
    buf.asLongBuffer().get(v);
    return new Tensor(meta, null, v);
  }

  private static Tensor fromJson(JsonNode meta, String datatype) {
    List<JsonNode> flat = new ArrayList<>();
    flatten(meta.get("data"), flat);
    if (datatype.equals("FP32")) {
      float[] v = new float[flat.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = flat.get(i).isNull() ? Float.NaN : flat.get(i).floatValue();
      }
      return new Tensor(meta, v, null);
    }
    long[] v = new long[flat.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = flat.get(i).longValue();
    }
    return new Tensor(meta, null, v);
  }

  private static void flatten(JsonNode node, List<JsonNode> out) {
    if (node.isArray()) {
      node.forEach(n -> flatten(n, out));
    } else {
      out.add(node);
    }
  }

  private static byte[] littleEndian(Object values) {
    if (values instanceof float[] f) {
      ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(f);
      return b.array();
    }
    long[] l = (long[]) values;
    ByteBuffer b = ByteBuffer.allocate(l.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(l);
    return b.array();
  }

  private static JsonNode parse(byte[] bytes, int length) throws IOException {
    return length == 0 ? null : JSON.readTree(bytes, 0, length);
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder b) throws IOException {
    try {
      return http.send(
          b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
