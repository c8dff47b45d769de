package dev.kiln.agent.http.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentException;
import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming pass over an infer request: the request the tree gives, or declines. */
class StreamedRequestTest {
  private static final Manifest.IoSignature SIG =
      new Manifest.IoSignature(
          List.of(
              new Manifest.TensorSpec("input", "float32", List.of(-1L, 3L)),
              new Manifest.TensorSpec("ids", "int64", List.of(-1L))),
          List.of(new Manifest.TensorSpec("output", "float32", List.of(-1L, 2L))));

  private static InferRequest stream(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return StreamedRequest.tryParse(b, b.length, SIG, DecodeLimits.forBody(b.length, false));
  }

  private static InferRequest tree(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return InferRequest.parseTree(b, b.length, SIG, DecodeLimits.forBody(b.length, false));
  }

  /** The binary form: {@code json}, then {@code floats} little-endian. */
  private static byte[] binary(String json, float... floats) {
    byte[] j = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(j.length + 4 * floats.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(j);
    for (float f : floats) {
      b.putFloat(f);
    }
    return b.array();
  }

  private static InferRequest parse(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return InferRequest.parse(b, null, SIG, DecodeLimits.forBody(b.length, false));
  }

  private static String request(String inputData, String idsData) {
    return "{\"id\":\"7\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,3],"
        + "\"data\":"
        + inputData
        + "},{\"name\":\"ids\",\"datatype\":\"INT64\",\"shape\":[2],\"data\":"
        + idsData
        + "}],\"outputs\":[{\"name\":\"output\"}]}";
  }

  @Test
  void everyField_isReadAsTheTreeReadsIt_unknownKeysSkipped() {
    String json =
        "{\"id\":\"7\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\","
            + "\"shape\":[1,3],\"parameters\":{\"a\":1,\"a\":2,\"big\":12345678901,"
            + "\"huge\":123456789012345678901234,\"f\":0.1,\"t\":true,\"n\":null,"
            + "\"nested\":[[],{},[\"x\",false]]},\"data\":[1,2,3]}],\"extra\":{\"x\":[1,{}]},"
            + "\"parameters\":{\"binary_data_output\":false,\"other\":\"x\"},"
            + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}},"
            + "{\"name\":\"output\"}]}";
    InferRequest streamed = stream(json);
    assertThat(streamed).isNotNull();
    assertThat(streamed).usingRecursiveComparison().isEqualTo(tree(json));
    assertThat(streamed.outputs())
        .containsExactly(
            new InferRequest.RequestedOutput("output", true),
            new InferRequest.RequestedOutput("output", null));
  }

  @Test
  void binaryInputs_areReadInTheirOrder_asTheTreeReadsThem() {
    String json =
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,3],\"datatype\":\"FP32\","
            + "\"parameters\":{\"binary_data_size\":24}}],"
            + "\"parameters\":{\"binary_data_output\":true}}";
    byte[] body = binary(json, 1, 2, 3, 4, 5, 6);
    int jsonLength = json.getBytes(StandardCharsets.UTF_8).length;
    DecodeLimits limits = DecodeLimits.forBody(body.length, false);
    InferRequest streamed = StreamedRequest.tryParse(body, jsonLength, SIG, limits);
    assertThat(streamed).isNotNull();
    assertThat(streamed)
        .usingRecursiveComparison()
        .isEqualTo(InferRequest.parseTree(body, jsonLength, SIG, limits));
    assertThat(streamed.binaryOutputs()).isTrue();
    assertThat(streamed.inputs().get("input").floats()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void mutatedBodies_areEitherDeclined_orReadExactlyAsTheTreeReadsThem() {
    String json =
        "{\"id\":\"x\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\","
            + "\"shape\":[2,3],\"parameters\":{\"binary_data_size\":24}},{\"name\":\"ids\","
            + "\"datatype\":\"INT64\",\"shape\":[2],\"data\":[1,2]}],"
            + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}}]}";
    byte[] valid = binary(json, 1, 2, 3, 4, 5, 6);
    int jsonLength = json.getBytes(StandardCharsets.UTF_8).length;
    byte[] alphabet = "{}[]\":,0129-.eE tnfalsrud_\\".getBytes(StandardCharsets.US_ASCII);
    java.util.SplittableRandom random = new java.util.SplittableRandom(15);
    int taken = 0;
    for (int round = 0; round < 5000; round++) {
      byte[] body = valid.clone();
      for (int m = random.nextInt(1, 4); m > 0; m--) {
        body[random.nextInt(jsonLength)] = alphabet[random.nextInt(alphabet.length)];
      }
      DecodeLimits limits = DecodeLimits.forBody(body.length, false);
      InferRequest streamed = StreamedRequest.tryParse(body, jsonLength, SIG, limits);
      if (streamed == null) {
        continue;
      }
      taken++;
      String text = new String(body, 0, jsonLength, StandardCharsets.UTF_8);
      assertThat(streamed)
          .as(text)
          .usingRecursiveComparison()
          .isEqualTo(InferRequest.parseTree(body, jsonLength, SIG, limits));
    }
    assertThat(taken).as("some mutations are still valid requests").isPositive();
  }

  @Test
  void whatTheTreeRefusesOrReadsDifferently_isDeclined_andTheTreeDecides() {
    String bin =
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3],"
            + "\"parameters\":{\"binary_data_size\":%s}%s}]%s}";
    for (String json :
        List.of(
            String.format(bin, "12", ",\"data\":[1,2,3]", ""), // both data and binary
            String.format(bin, "8", "", ""), // wrong size
            String.format(bin, "12", "", ",\"id\":5"), // id not a string
            String.format(bin, "12", "", ",\"id\":null"),
            String.format(bin, "12", "", ",\"outputs\":null"),
            String.format(bin, "12", "", ",\"outputs\":[{\"name\":\"nope\"}]"),
            String.format(
                bin,
                "12",
                "",
                ",\"outputs\":[{\"name\":\"output\",\"parameters\":" + "{\"binary_data\":null}}]"),
            String.format(bin, "12", "", ",\"parameters\":{\"binary_data_output\":\"yes\"}"),
            String.format(bin, "12", "", ",\"inputs\":[]"), // repeated key
            "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3],"
                + "\"parameters\":[],\"data\":[1,2,3]}]}",
            "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"INT32\",\"shape\":[1,3],"
                + "\"data\":[1,2,3]}]}",
            "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3],"
                + "\"data\":[1,2,3]},{\"name\":\"input\",\"datatype\":\"FP32\","
                + "\"shape\":[1,3],\"data\":[1,2,3]}]}",
            "{\"inputs\":[]}")) {
      byte[] body = binary(json, 1, 2, 3);
      int jsonLength = json.getBytes(StandardCharsets.UTF_8).length;
      DecodeLimits limits = DecodeLimits.forBody(body.length, false);
      assertThat(StreamedRequest.tryParse(body, jsonLength, SIG, limits)).as(json).isNull();
    }
  }

  @Test
  void flatAndNestedData_areStreamed_intoTheTensorsTheTreeGives() {
    for (String data : List.of("[1,2.5,3,4,5,-6e-2]", "[[1,2.5,3],[4,5,-6e-2]]")) {
      String json = request(data, "[9007199254740993, -1]");
      InferRequest s = stream(json);
      assertThat(s).as(json).isNotNull();
      assertThat(s).usingRecursiveComparison().isEqualTo(tree(json));
      InferRequest r = parse(json);
      assertThat(r.id()).isEqualTo("7");
      assertThat(r.outputs())
          .extracting(InferRequest.RequestedOutput::name)
          .containsExactly("output");
      assertThat(r.inputs().get("input"))
          .isEqualTo(Tensor.ofFloats(new long[] {2, 3}, new float[] {1, 2.5f, 3, 4, 5, -6e-2f}));
      assertThat(r.inputs().get("ids").longs()).containsExactly(9007199254740993L, -1L);
    }
  }

  @Test
  void countsThatDisagree_areDeclined_andRefusedNamingTheInput() {
    for (String data : List.of("[1,2,3,4,5]", "[1,2,3,4,5,6,7]", "[[[1,2,3]],[4,5,6]]")) {
      String json = request(data, "[1,2]");
      assertThat(stream(json)).as(json).isNull();
      assertThatThrownBy(() -> parse(json))
          .isInstanceOf(AgentException.class)
          .hasMessageContaining("input 'input'");
    }
  }

  @Test
  void numbersAsStrings_nonFinite_andHugeShapes_areDeclined() {
    assertThat(stream(request("[\"1\",2,3,4,5,6]", "[1,2]"))).isNull();
    assertThat(stream(request("[1e999,2,3,4,5,6]", "[1,2]"))).isNull();
    assertThat(stream(request("[1,2,3,4,5,6]", "[1.5,2]"))).isNull();
    String huge =
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[100000000,3],"
            + "\"data\":[1]}]}";
    assertThat(stream(huge)).isNull();
    assertThatThrownBy(() -> parse(huge)).hasMessageContaining("more than");
  }

  @Test
  void dataInEverySpelling_readsAsTheTreeReadsIt() {
    java.util.Random random = new java.util.Random(17);
    for (int round = 0; round < 500; round++) {
      StringBuilder data = new StringBuilder("[");
      for (int i = 0; i < 6; i++) {
        float f = random.nextFloat() * 2 - 1;
        data.append(i == 0 ? "" : random.nextBoolean() ? "," : ", ")
            .append(
                switch (random.nextInt(5)) {
                  case 0 -> Float.toString(f);
                  case 1 -> Double.toString(f);
                  case 2 -> Float.toString(f * 1e-6f);
                  case 3 -> Integer.toString(random.nextInt(2001) - 1000);
                  default -> String.format(java.util.Locale.ROOT, "%.20f", f);
                });
      }
      String json = request(data.append(']').toString(), "[1, 2]");
      InferRequest s = stream(json);
      assertThat(s).as(json).isNotNull();
      assertThat(s).as(json).usingRecursiveComparison().isEqualTo(tree(json));
    }
  }

  @Test
  void dataBeforeShape_isLeftToTheTree_andStillDecodes() {
    String json =
        "{\"inputs\":[{\"data\":[1,2,3],\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3]}]}";
    assertThat(stream(json)).isNull();
    assertThat(parse(json).inputs().get("input").floats()).containsExactly(1, 2, 3);
  }
}
