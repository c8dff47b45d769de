package dev.kiln.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The streaming JSON decoder: it must give exactly the tensors the tree decoder gives, and hand
 * every body it would refuse back to the tree decoder (null) without allocating for it.
 */
class JsonTensorStreamTest {
  private static Manifest.IoSignature single(String dtype, Long... shape) {
    return new Manifest.IoSignature(
        List.of(new Manifest.TensorSpec("x", dtype, List.of(shape))), List.of());
  }

  private static final Manifest.IoSignature MLP = single("float32", -1L, 8L);
  private static final Manifest.IoSignature IMAGE = single("float32", 1L, 3L, 4L, 4L);
  private static final Manifest.IoSignature IDS = single("int64", -1L, -1L);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Tensor> stream(String body, Manifest.IoSignature sig, boolean nan) {
    RequestBody b = StaleBuffers.after(utf8(body));
    return JsonTensorStream.tryDecode(
        b.buffer(), b.length(), sig, DecodeLimits.forBody(b.length(), nan));
  }

  private static Map<String, Tensor> tree(String body, Manifest.IoSignature sig, boolean nan) {
    byte[] b = utf8(body);
    return JsonTensors.decode(RequestDecoder.parse(b), sig, DecodeLimits.forBody(b.length, nan));
  }

  private static void sameAsTree(String body, Manifest.IoSignature sig) {
    Map<String, Tensor> fast = stream(body, sig, false);
    assertThat(fast).as(body).isNotNull().isEqualTo(tree(body, sig, false));
  }

  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  /** Streaming declines the body cheaply; the full decoder refuses it naming {@code fragments}. */
  private static void refused(String body, Manifest.IoSignature sig, String... fragments) {
    // Once before measuring: the first call in a JVM loads classes, which the counter sees.
    stream(body, sig, false);
    // Only the streaming pass is measured: the assertion library's own first use loads classes.
    long before = allocated();
    Map<String, Tensor> decoded = stream(body, sig, false);
    long allocated = allocated() - before;
    assertThat(decoded).as(body).isNull();
    assertThat(allocated).as("bytes the streaming pass allocated").isLessThan(1 << 20);
    byte[] b = utf8(body);
    assertThatThrownBy(
            () ->
                RequestDecoder.decode(
                    "application/json",
                    StaleBuffers.after(b),
                    sig,
                    DecodeLimits.forBody(b.length, false)))
        .isInstanceOf(AgentException.class)
        .hasMessageContainingAll(fragments);
  }

  @Test
  void nestedAndInstances_decodeAsTheTreeDoes() {
    sameAsTree("{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8.5],[0,0,0,0,0,0,0,-1e-3]]}}", MLP);
    sameAsTree(
        "{\"instances\": [[1,2,3,4,5,6,7,8],[0,0,0,0,0,0,0,0.25]], \"extra\": {\"a\":[1]}}", MLP);
    StringBuilder image = new StringBuilder("{\"inputs\": {\"x\": [[");
    for (int c = 0; c < 3; c++) {
      image.append(c == 0 ? "" : ",").append("[");
      for (int r = 0; r < 4; r++) {
        image.append(r == 0 ? "" : ",").append("[0.1,0.2,0.3,").append(c * 4 + r).append("]");
      }
      image.append("]");
    }
    sameAsTree(image.append("]]}}").toString(), IMAGE);
    sameAsTree("{\"inputs\": {\"x\": [[1, 9007199254740993, -4]]}}", IDS);
    Tensor ids = stream("{\"inputs\": {\"x\": [[1, 9007199254740993]]}}", IDS, false).get("x");
    assertThat(ids.longs()).containsExactly(1L, 9007199254740993L);
  }

  @Test
  void largerBatches_growTheArray_toTheExactCount() {
    String rows = "{\"instances\": [" + "[1,2,3,4,5,6,7,8],".repeat(299) + "[1,2,3,4,5,6,7,8]]}";
    Tensor t = stream(rows, MLP, false).get("x");
    assertThat(t.shape()).containsExactly(300, 8);
    assertThat(t.floats()).hasSize(2400);
  }

  @Test
  void nonFinite_followsAcceptNonFinite() {
    String spelled =
        "{\"inputs\": {\"x\": [[\"NaN\",\"Infinity\",\"-Infinity\",null,1e999,0,0,0]]}}";
    float[] got = stream(spelled, MLP, true).get("x").floats();
    assertThat(got[0]).isNaN();
    assertThat(got[1]).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(got[2]).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(got[3]).isNaN();
    assertThat(got[4]).isEqualTo(Float.POSITIVE_INFINITY);
    refused(spelled, MLP, "float32", "\"NaN\"");
    refused("{\"inputs\": {\"x\": [[1e999,0,0,0,0,0,0,0]]}}", MLP, "Infinity", "acceptNonFinite");
  }

  @Test
  void numbersAsStrings_areRefused() {
    refused("{\"inputs\": {\"x\": [[\"1.5\",0,0,0,0,0,0,0]]}}", MLP, "float32", "\"1.5\"");
    refused("{\"inputs\": {\"x\": [[1.5, 2]]}}", IDS, "int64");
  }

  @Test
  void countsThatDisagree_andRaggedRows_areRefusedNamingTheInput() {
    refused("{\"inputs\": {\"x\": [[1,2,3]]}}", MLP, "input 'x'", "shape [1, 3]");
    refused("{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8],[1,2]]}}", MLP, "'x'", "ragged");
    refused("{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8],[1,2,3,4,5,6,7,8,9]]}}", MLP, "'x'", "ragged");
    refused("{\"inputs\": {\"y\": [[1,2,3,4,5,6,7,8]]}}", MLP, "no input 'y'");
  }

  @Test
  void hugeClaimedShapes_areRefusedBeforeAllocating() {
    refused(
        HostileBodiesTest.amplifying(4, 100), single("float32", -1L, -1L, -1L, -1L), "more than");
    // A fixed signature of a billion elements: the array is sized by the body, not the signature.
    refused("{\"inputs\": {\"x\": [[1,2,3]]}}", single("float32", 1000L, 1000000L), "shape [1, 3]");
  }

  @Test
  void deepNesting_isBoundedByTheRank() {
    String deep = "{\"inputs\": {\"x\": " + "[".repeat(900) + "1" + "]".repeat(900) + "}}";
    refused(deep, MLP, "shape [1, 1, 1]");
    String noRank = "{\"inputs\": {\"x\": " + "[".repeat(200) + "1" + "]".repeat(200) + "}}";
    byte[] b = utf8(noRank);
    Manifest.IoSignature any =
        new Manifest.IoSignature(List.of(new Manifest.TensorSpec("x", "float32", null)), List.of());
    assertThat(JsonTensorStream.tryDecode(b, b.length, any, DecodeLimits.forBody(b.length, false)))
        .isNull();
  }

  @Test
  void invalidJson_isLeftToTheTreeDecoder() {
    refused("{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8]", MLP, "not valid JSON");
    refused("[1,2]", MLP, "JSON object");
  }
}
