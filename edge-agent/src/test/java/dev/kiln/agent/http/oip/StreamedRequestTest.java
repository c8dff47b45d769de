package dev.kiln.agent.http.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentException;
import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming pass over an infer request: same tensors as the tree, declines what it refuses. */
class StreamedRequestTest {
  private static final Manifest.IoSignature SIG =
      new Manifest.IoSignature(
          List.of(
              new Manifest.TensorSpec("input", "float32", List.of(-1L, 3L)),
              new Manifest.TensorSpec("ids", "int64", List.of(-1L))),
          List.of(new Manifest.TensorSpec("output", "float32", List.of(-1L, 2L))));

  private static StreamedRequest stream(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return StreamedRequest.tryParse(b, b.length, SIG, DecodeLimits.forBody(b.length, false));
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
  void everythingButData_isTheTreeTheMapperReads() throws Exception {
    String json =
        "{\"id\":\"7\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\","
            + "\"shape\":[1,3],\"parameters\":{\"a\":1,\"a\":2,\"big\":12345678901,"
            + "\"huge\":123456789012345678901234,\"f\":0.1,\"t\":true,\"n\":null,"
            + "\"nested\":[[],{},[\"x\",false]]},\"data\":[1,2,3]}],"
            + "\"parameters\":{\"binary_data_output\":false},\"outputs\":[{\"name\":\"output\","
            + "\"parameters\":{\"binary_data\":true}}]}";
    com.fasterxml.jackson.databind.node.ObjectNode expected =
        (com.fasterxml.jackson.databind.node.ObjectNode) InferRequest.MAPPER.readTree(json);
    ((com.fasterxml.jackson.databind.node.ObjectNode) expected.get("inputs").get(0))
        .putNull("data");
    assertThat(stream(json).root()).isEqualTo(expected);
  }

  @Test
  void flatAndNestedData_areStreamed_intoTheTensorsTheTreeGives() {
    for (String data : List.of("[1,2.5,3,4,5,-6e-2]", "[[1,2.5,3],[4,5,-6e-2]]")) {
      String json = request(data, "[9007199254740993, -1]");
      StreamedRequest s = stream(json);
      assertThat(s).as(json).isNotNull();
      assertThat(s.data()).hasSize(2);
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
  void dataBeforeShape_isLeftToTheTree_andStillDecodes() {
    String json =
        "{\"inputs\":[{\"data\":[1,2,3],\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3]}]}";
    assertThat(stream(json)).isNull();
    assertThat(parse(json).inputs().get("input").floats()).containsExactly(1, 2, 3);
  }
}
