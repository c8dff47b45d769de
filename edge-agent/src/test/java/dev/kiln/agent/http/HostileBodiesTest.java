package dev.kiln.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bodies built to make a decoder allocate far more than they weigh, or to smuggle NaN and Infinity
 * in: each is refused with INVALID_INPUT before anything large is allocated. "Large" is measured
 * with the JVM's per-thread allocation counter, not with timings.
 */
class HostileBodiesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long FEW_MB = 8L * 1024 * 1024;

  private static Manifest.IoSignature single(String dtype, Long... shape) {
    return new Manifest.IoSignature(
        List.of(new Manifest.TensorSpec("x", dtype, List.of(shape))), List.of());
  }

  private static final Manifest.IoSignature MLP = single("float32", -1L, 8L);
  private static final Manifest.IoSignature ANY4 = single("float32", -1L, -1L, -1L, -1L);
  private static final Manifest.IoSignature ANY2 = single("float32", -1L, -1L);

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  /** Runs {@code decode}, expects INVALID_INPUT naming {@code fragments}, and little allocation. */
  private static void refusedCheaply(Runnable decode, String... fragments) {
    long before = allocatedBytes();
    assertThat(before).as("the JVM counts allocated bytes per thread").isPositive();
    assertThatThrownBy(decode::run)
        .isInstanceOfSatisfying(
            AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.INVALID_INPUT))
        .hasMessageContainingAll(fragments);
    assertThat(allocatedBytes() - before).as("bytes allocated").isLessThan(FEW_MB);
  }

  /**
   * The body: nested {@code depth} deep, each level's first row {@code wide} long and the
   * rest empty, so the first path claims wide^depth elements from about 3 * wide * depth bytes.
   */
  static String amplifying(int depth, int wide) {
    String inner = "[" + "0,".repeat(wide - 1) + "0]";
    for (int d = 1; d < depth; d++) {
      inner = "[" + inner + ",[]".repeat(wide - 1) + "]";
    }
    return "{\"inputs\": {\"x\": " + inner + "}}";
  }

  private static Map<String, Tensor> json(String body, Manifest.IoSignature sig, boolean nonFinite)
      throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return RequestDecoder.decode(
        "application/json",
        StaleBuffers.after(bytes),
        sig,
        DecodeLimits.forBody(bytes.length, nonFinite));
  }

  private static Map<String, Tensor> decode(String type, byte[] body, Manifest.IoSignature sig) {
    return RequestDecoder.decode(
        type, StaleBuffers.after(body), sig, DecodeLimits.forBody(body.length, false));
  }

  @Test
  void json_amplifyingNest_isRefusedByTheElementLimit_beforeAllocating() {
    String body = amplifying(4, 100);
    assertThat(body.length()).isLessThan(1300);
    refusedCheaply(() -> rethrow(() -> json(body, ANY4, false)), "100000000 elements", "more than");
    // The 1,750-byte variant overflowed an int and answered 500 NegativeArraySizeException.
    String overflow = amplifying(4, 220);
    refusedCheaply(() -> rethrow(() -> json(overflow, ANY4, false)), "elements", "more than");
  }

  @Test
  void json_amplifyingNest_isRefusedByTheSignature_whenRankOrDimsDiffer() {
    refusedCheaply(() -> rethrow(() -> json(amplifying(4, 100), MLP, false)), "shape", "x:");
    refusedCheaply(
        () -> rethrow(() -> json(amplifying(2, 1000), MLP, false)), "shape [1000, 1000]");
  }

  @Test
  void json_raggedRows_areRefused_andDeepNestingStopsAtTheSignaturesRank() {
    String ragged =
        "{\"inputs\": {\"x\": [[" + "1,".repeat(499) + "1]" + ",[1]".repeat(499) + "]}}";
    refusedCheaply(() -> rethrow(() -> json(ragged, ANY2, false)), "250000 elements");
    String deep = "{\"inputs\": {\"x\": " + "[".repeat(900) + "1" + "]".repeat(900) + "}}";
    refusedCheaply(() -> rethrow(() -> json(deep, MLP, false)), "shape [1, 1, 1]");
    String shortThenDeep = "{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8],[[1],2,3,4,5,6,7,8]]}}";
    refusedCheaply(() -> rethrow(() -> json(shortThenDeep, MLP, false)), "float32", "[1]");
  }

  @Test
  void json_instances_areAdmittedWithTheirStackedShape() {
    String rows = "{\"instances\": [" + "[0,0,0,0,0,0,0,0],".repeat(9) + "[0,0,0,0,0,0,0,0]]}";
    assertThat(rethrow(() -> json(rows, MLP, false)).get("x").shape()).containsExactly(10, 8);
    String objects = "{\"instances\": [{\"x\": [" + "1,".repeat(999) + "1]}, {\"x\": [1]}]}";
    refusedCheaply(() -> rethrow(() -> json(objects, MLP, false)), "shape [2, 1000]");
  }

  @Test
  void csv_longFirstRowThenShortRows_isRefusedBeforeAllocating() {
    String csv = "1,".repeat(2999) + "1\n" + "1\n".repeat(3000);
    byte[] body = csv.getBytes(StandardCharsets.UTF_8);
    refusedCheaply(() -> decode("text/csv", body, ANY2), "row 2 has 1 columns");
    String square = ("1,".repeat(99) + "1\n").repeat(100);
    refusedCheaply(
        () ->
            CsvTensors.decode(
                square.getBytes(StandardCharsets.UTF_8), ANY2, new DecodeLimits(1000, false)),
        "10000 elements",
        "more than the 1000");
    refusedCheaply(
        () -> decode("text/csv", "1,2,3\n".getBytes(StandardCharsets.UTF_8), MLP), "shape [1, 3]");
  }

  private static byte[] npy(String descr, String shape, int dataBytes) {
    byte[] h =
        ("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length);
    b.put(h);
    return b.array();
  }

  @Test
  void npy_hugeDeclaredShapes_areRefusedBeforeAllocating() {
    String type = "application/x-npy";
    refusedCheaply(() -> decode(type, npy("<f4", "(99999999999, 8)", 32), MLP), "data bytes");
    refusedCheaply(
        () -> decode(type, npy("<f4", "(4611686018427387904, 4)", 32), MLP), "too large");
    refusedCheaply(() -> decode(type, npy("<f4", "(-1, 8)", 32), MLP), "negative");
    refusedCheaply(() -> decode(type, npy("<f4", "(4, 2)", 32), MLP), "shape [4, 2]");
    refusedCheaply(() -> decode(type, npy("<f4", "(1, 8, 1)", 32), MLP), "shape [1, 8, 1]");
    refusedCheaply(
        () -> Npy.read(npy("<f4", "(2, 8)", 64), MLP.inputs().get(0), new DecodeLimits(8, false)),
        "16 elements",
        "more than the 8");
    assertThat(decode(type, npy("<f4", "(2, 8)", 64), MLP).get("x").shape()).containsExactly(2, 8);
  }

  @Test
  void nonFiniteInputs_areRefused_unlessTheModelOptsIn() throws Exception {
    String overflow = "{\"inputs\": {\"x\": [[1e999,0,0,0,0,0,0,0]]}}";
    refusedCheaply(() -> rethrow(() -> json(overflow, MLP, false)), "Infinity", "acceptNonFinite");
    assertThat(json(overflow, MLP, true).get("x").floats()[0]).isEqualTo(Float.POSITIVE_INFINITY);

    String spelled = "{\"inputs\": {\"x\": [[\"NaN\",\"Infinity\",\"-Infinity\",null,0,0,0,0]]}}";
    refusedCheaply(() -> rethrow(() -> json(spelled, MLP, false)), "float32", "\"NaN\"");
    float[] got = json(spelled, MLP, true).get("x").floats();
    assertThat(got[0]).isNaN();
    assertThat(got[1]).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(got[2]).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(got[3]).isNaN();

    byte[] csv = "NaN,0,0,0,0,0,0,0\n".getBytes(StandardCharsets.UTF_8);
    refusedCheaply(() -> decode("text/csv", csv, MLP), "NaN", "acceptNonFinite");
    assertThat(CsvTensors.decode(csv, MLP, DecodeLimits.forBody(csv.length, true)).floats()[0])
        .isNaN();

    float[] values = new float[8];
    values[5] = Float.NEGATIVE_INFINITY;
    byte[] npy = Npy.write(Tensor.ofFloats(new long[] {1, 8}, values));
    refusedCheaply(() -> decode("application/x-npy", npy, MLP), "-Infinity");
    assertThat(
            Npy.read(npy, MLP.inputs().get(0), DecodeLimits.forBody(npy.length, true)).floats()[5])
        .isEqualTo(Float.NEGATIVE_INFINITY);
  }

  @Test
  void nonFiniteOutputs_areWrittenAsJsonNull() throws Exception {
    Tensor t =
        Tensor.ofFloats(
            new long[] {2, 2},
            new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1.5f});
    StringWriter out = new StringWriter();
    try (var gen = MAPPER.getFactory().createGenerator(out)) {
      JsonTensors.write(gen, t);
    }
    assertThat(out.toString()).isEqualTo("[[null,null],[null,1.5]]");
    assertThat(MAPPER.readTree(out.toString()).get(1).get(1).floatValue()).isEqualTo(1.5f);
  }

  private interface Decode {
    Map<String, Tensor> run() throws Exception;
  }

  private static Map<String, Tensor> rethrow(Decode decode) {
    try {
      return decode.run();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
