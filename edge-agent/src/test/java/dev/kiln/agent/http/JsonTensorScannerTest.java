package dev.kiln.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The byte scanner must read every body it accepts exactly as the tree decoder does, bit for bit,
 * and decline (null) every body the tree refuses, so that errors stay the tree's.
 */
class JsonTensorScannerTest {
  private static Manifest.IoSignature single(String dtype, Long... shape) {
    return new Manifest.IoSignature(
        List.of(new Manifest.TensorSpec("x", dtype, List.of(shape))), List.of());
  }

  private static final Manifest.IoSignature MLP = single("float32", -1L, 8L);
  private static final Manifest.IoSignature ANY_RANK =
      new Manifest.IoSignature(List.of(new Manifest.TensorSpec("x", "float32", null)), List.of());
  private static final Manifest.IoSignature IDS = single("int64", -1L, -1L);
  private static final Manifest.IoSignature TWO =
      new Manifest.IoSignature(
          List.of(
              new Manifest.TensorSpec("a", "float32", List.of(-1L, 2L)),
              new Manifest.TensorSpec("b", "int64", List.of(-1L))),
          List.of());

  /**
   * The scanner's answer, read on one thread; the same body read in two halves at once ({@link
   * SecondHalf}, split wherever a place is found, however small the body) must give the same.
   */
  private static Map<String, Tensor> scan(String body, Manifest.IoSignature sig) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    DecodeLimits limits = DecodeLimits.forBody(b.length, false);
    Map<String, Tensor> whole =
        JsonTensorScanner.tryDecode(b, b.length, sig, limits, Integer.MAX_VALUE);
    Map<String, Tensor> halves = JsonTensorScanner.tryDecode(b, b.length, sig, limits, 0);
    assertThat(halves).as("read in two halves: " + body).isEqualTo(whole);
    RequestBody stale = StaleBuffers.after(b);
    for (int split : new int[] {Integer.MAX_VALUE, 0}) {
      assertThat(JsonTensorScanner.tryDecode(stale.buffer(), stale.length(), sig, limits, split))
          .as("read from a longer buffer, split at " + split + ": " + body)
          .isEqualTo(whole);
    }
    return whole;
  }

  /** The tree's answer, or null where it refuses the body. */
  private static Map<String, Tensor> tree(String body, Manifest.IoSignature sig) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    try {
      return JsonTensors.decode(
          RequestDecoder.parse(b), sig, DecodeLimits.forBody(b.length, false));
    } catch (AgentException e) {
      return null;
    }
  }

  private static void accepted(String body, Manifest.IoSignature sig) {
    Map<String, Tensor> scanned = scan(body, sig);
    assertThat(scanned).as(body).isNotNull().isEqualTo(tree(body, sig));
  }

  private static void declined(String body, Manifest.IoSignature sig) {
    assertThat(scan(body, sig)).as(body).isNull();
  }

  @Test
  void plainForms_readAsTheTreeReadsThem() {
    accepted("{\"inputs\":{\"x\":[[1,2,3,4,5,6,7,8.5]]}}", MLP);
    accepted(
        " {\n\t\"inputs\" : { \"x\" : [ [ 1 , 2,3,4,5,6,7, -8.5e-3 ] ,[0,0,0,0,0,0,0,0] ] } }\r\n",
        MLP);
    accepted("{\"instances\": [[1,2,3,4,5,6,7,8],[0,0,0,0,0,0,0,0.25]]}", MLP);
    accepted("{\"inputs\": {\"a\": [[1.5, -2]], \"b\": [7, -9007199254740993]}}", TWO);
    accepted("{\"inputs\": {\"x\": 3.25}}", ANY_RANK);
    // Members beside the tensors are skipped, before or after them.
    accepted(
        "{\"id\": \"r-1\", \"parameters\": {\"k\": [true, null, \"s\", -1.5e3, {}, []], \"f\": false},"
            + " \"instances\": [[1,2,3,4,5,6,7,8]], \"signature_name\": \"serving_default\"}",
        MLP);
    accepted("{\"inputs\": {\"x\": [[[1e2],[2E+2]],[[-0.0],[-0]]]}}", ANY_RANK);
  }

  @Test
  void otherForms_areLeftToJackson() {
    // An escaped name, spelled-out values, objects as rows, no rows, both forms.
    declined("{\"instances\": [[1,2,3,4,5,6,7,8]], \"extra\": \"\\n\"}", MLP);
    declined("{\"instances\": [[1,2,3,4,5,6,7,8]], \"inputs\": {\"x\": [[1,2,3,4,5,6,7,8]]}}", MLP);
    declined("{\"inputs\": {\"\\u0078\": [[1,2,3,4,5,6,7,8]]}}", MLP);
    declined("{\"inputs\": {\"x\": [[null,2,3,4,5,6,7,8]]}}", MLP);
    declined("{\"instances\": [{\"x\": [1,2,3,4,5,6,7,8]}]}", MLP);
    declined("{\"instances\": []}", MLP);
    // Beyond a long, the tree's rounding decides.
    declined("{\"inputs\": {\"x\": [[123456789012345678901234,2,3,4,5,6,7,8]]}}", MLP);
  }

  @Test
  void everythingTheTreeRefuses_isDeclined() {
    for (String body :
        List.of(
            "{\"inputs\": {\"x\": [[1,2,3]]}}",
            "{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8],[1,2]]}}",
            "{\"inputs\": {\"y\": [[1,2,3,4,5,6,7,8]]}}",
            "{\"inputs\": {\"x\": [[1e999,0,0,0,0,0,0,0]]}}",
            "{\"inputs\": {\"x\": [[01,0,0,0,0,0,0,0]]}}",
            "{\"inputs\": {\"x\": [[1.,0,0,0,0,0,0,0]]}}",
            "{\"inputs\": {\"x\": [[.5,0,0,0,0,0,0,0]]}}",
            "{\"inputs\": {\"x\": [[+1,0,0,0,0,0,0,0]]}}",
            "{\"inputs\": {\"x\": [[1e,0,0,0,0,0,0,0]]}}",
            "{\"inputs\": {\"x\": [[-,0,0,0,0,0,0,0]]}}",
            "{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8,]]}}",
            "{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8]]}",
            "{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8]],}}",
            "{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8]]}, \"p\": [1, \"a\": 2]}",
            "{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8]]}, \"p\": {\"a\": 1, 2}}",
            "{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8]]}, \"p\": [1}}",
            "{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8]]}, \"p\": tru}",
            "{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8]]}, \"p\": {\"a\" 1}}",
            "{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8]]}, \"p\": \"unclosed}")) {
      assertThat(tree(body, MLP)).as(body).isNull();
      declined(body, MLP);
    }
    // The tree reads the first value and ignores what follows; the scanner leaves such bodies to
    // Jackson rather than decide that for it.
    declined("{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8]]}}}", MLP);
    declined("{\"inputs\": {\"x\": [[1,2,3,4,5,6,7,8]]}} x", MLP);
    assertThat(tree("{\"inputs\": {\"x\": [[1.5]]}}", IDS)).isNull();
    declined("{\"inputs\": {\"x\": [[1.5]]}}", IDS);
  }

  @Test
  void numbersInEverySpelling_roundAsDoubleParseDoubleThenFloat() {
    Random random = new Random(7);
    for (int round = 0; round < 300; round++) {
      StringBuilder row = new StringBuilder("[");
      for (int i = 0; i < 64; i++) {
        row.append(i == 0 ? "" : ",").append(spelling(random));
      }
      accepted("{\"inputs\": {\"x\": [" + row + "]]}}", single("float32", -1L, 64L));
    }
  }

  /** A float written as a client might: shortest float, double, 17 digits, exponent, integer. */
  private static String spelling(Random random) {
    float f = Float.intBitsToFloat(random.nextInt());
    if (!Float.isFinite(f)) {
      f = random.nextFloat();
    }
    double scaled = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(40) - 20);
    return switch (random.nextInt(9)) {
      case 0 -> Float.toString(random.nextFloat() * 2 - 1);
      case 1 -> Double.toString(random.nextFloat());
      case 2 -> String.format(Locale.ROOT, "%.17g", scaled).replace("+", "");
      case 3 -> Float.toString(f);
      case 4 -> Double.toString(scaled);
      case 5 ->
          Long.toString((random.nextLong() % 1_000_000_000_000_000_000L) >> random.nextInt(60));
      case 6 -> new BigDecimal(random.nextDouble()).toPlainString();
      case 7 -> String.format(Locale.ROOT, "%.3f", scaled * 1e4);
      default -> "0.000000000000000000000000" + (1 + random.nextInt(999999));
    };
  }

  @Test
  void runsOfPlainNumbers_stopWhereTheGeneralReadingMustTakeOver() {
    Manifest.IoSignature rows64 = single("float32", -1L, 64L);
    Random random = new Random(3);
    for (String separator : List.of(",", ", ", " , ", ",\n  ")) {
      StringBuilder body = new StringBuilder("{\"inputs\": {\"x\": [");
      for (int r = 0; r < 3; r++) {
        body.append(r == 0 ? "[" : "], [");
        for (int i = 0; i < 64; i++) {
          body.append(i == 0 ? "" : separator).append(random.nextFloat() * 2 - 1);
        }
      }
      accepted(body + "]]}}", rows64);
    }
    // Numbers the run leaves to the general reading, between plain ones: 18 and 19 digits, a
    // mantissa at 2^53, 22 and 23 fraction digits, exponents, integers, negative zeros.
    String edges =
        "0.12345678901234567, 0.123456789012345678, 9007199254740991, 9007199254740993,"
            + " 0.9007199254740993, 0.0000000000000000000001, 0.00000000000000000000001, 1e-3,"
            + " 2.5E+2, -0, -0.0, 0, 17, -42, 3.4028235e38, 1.17549435E-38";
    String[] parts = edges.split(", ");
    StringBuilder row = new StringBuilder();
    for (int i = 0; i < 64; i++) {
      row.append(i == 0 ? "" : ",").append(i % 3 == 0 ? parts[i / 3 % parts.length] : "0.5");
    }
    accepted("{\"inputs\": {\"x\": [[" + row + "]]}}", rows64);
    // The first row fixes the dimension; a longer row stops the run at it and is refused.
    declined("{\"inputs\": {\"x\": [[0.5, 1.5], [0.5, 1.5, 2.5]]}}", ANY_RANK);
    declined("{\"inputs\": {\"x\": [[1.5,2,3,4,5,6,7,8,9]]}}", MLP);
    // More values than the signature's estimate: the array grows past the run's room.
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      many.append(i == 0 ? "" : ",").append(i % 7 == 0 ? "-" : "").append(i).append(".25");
    }
    accepted("{\"inputs\": {\"x\": [" + many + "]}}", ANY_RANK);
    accepted("{\"inputs\": {\"x\": [[" + many + "]]}}", single("float32", 1L, -1L));
  }

  @Test
  void aCommaWithNoNumberAfterIt_isDeclined_whenTheSecondHalfReadsIt() throws Exception {
    // Found by the mutation test below in one CI run: the half's row loop took "1.5, ]" as a
    // complete row, so the body was read in two halves and declined on one thread. Whether the
    // helper takes a half depends on it being free, so each body is read until it took rows (the
    // good rows before the bad one in the later half; eight rows, so the half has some).
    StringBuilder rows = new StringBuilder();
    for (int r = 0; r < 8; r++) {
      rows.append(r == 0 ? "[" : ", [");
      for (int i = 0; i < 16; i++) {
        rows.append(i == 0 ? "" : ", ").append(r * 16 + i).append(".5");
      }
      rows.append(']');
    }
    String valid = "{\"inputs\": {\"x\": [" + rows + "]}}";
    Manifest.IoSignature sig = single("float32", -1L, 16L);
    assertThat(tree(valid, sig)).isNotNull();
    for (String bad :
        new String[] {
          valid.replace("127.5]", "127.5,]"),
          valid.replace("127.5]", "127.5 , ]"),
          valid.replace("127.5]]", "127.5],]"),
          valid.replace("120.5, ", "120.5, ,")
        }) {
      byte[] b = bad.getBytes(StandardCharsets.UTF_8);
      DecodeLimits limits = DecodeLimits.forBody(b.length, false);
      assertThat(JsonTensorScanner.tryDecode(b, b.length, sig, limits, Integer.MAX_VALUE))
          .as("one thread: " + bad)
          .isNull();
      boolean replayed = false;
      for (int attempt = 0; attempt < 200 && !replayed; attempt++) {
        long before = SecondHalf.REPLAYED.get();
        assertThat(JsonTensorScanner.tryDecode(b, b.length, sig, limits, 0))
            .as("two halves: " + bad)
            .isNull();
        replayed = SecondHalf.REPLAYED.get() > before;
        Thread.sleep(1);
      }
      if (Runtime.getRuntime().availableProcessors() > 1) {
        assertThat(replayed).as("the helper read a half of " + bad).isTrue();
      }
    }
  }

  @Test
  void mutatedRuns_areDeclinedOrReadAsTheTreeReadsThem() {
    StringBuilder valid = new StringBuilder("{\"inputs\": {\"x\": [[");
    Random values = new Random(5);
    for (int r = 0; r < 4; r++) {
      for (int i = 0; i < 16; i++) {
        valid.append(i == 0 ? (r == 0 ? "" : "], [") : ", ");
        valid.append(values.nextFloat() * 200 - 100);
      }
    }
    valid.append("]]}}");
    Manifest.IoSignature sig = single("float32", -1L, 16L);
    int read = readMutated(valid.toString(), "[], -.eE0123456789", 2, 10_000, 13, sig);
    assertThat(read).isGreaterThan(3000);
  }

  @Test
  void largeTensors_areReadInTwoHalves_asOnOneThread() {
    long before = SecondHalf.REPLAYED.get();
    Random random = new Random(29);
    Manifest.IoSignature image = single("float32", -1L, 3L, 64L, 64L);
    for (int round = 0; round < 20; round++) {
      StringBuilder body = new StringBuilder("{\"inputs\": {\"x\": [");
      int batch = 1 + random.nextInt(2);
      for (int n = 0; n < batch; n++) {
        body.append(n == 0 ? "[" : ", [");
        for (int c = 0; c < 3; c++) {
          body.append(c == 0 ? "[" : ",\n [");
          for (int y = 0; y < 64; y++) {
            body.append(y == 0 ? "[" : "], [");
            for (int x = 0; x < 64; x++) {
              body.append(x == 0 ? "" : ",").append(spelling(random));
            }
          }
          body.append("]]");
        }
        body.append(']');
      }
      String s = body + "]}, \"parameters\": {\"k\": [[1], [2]]}}";
      // Now and then a value the halves must leave to the first reader, or that the tree refuses.
      if (round % 4 == 1) {
        s = s.replaceFirst(",([-0-9.eE]+),", ",1e39,");
      } else if (round % 4 == 2) {
        s = s.replaceFirst("\\], \\[", "], [], [");
      } else if (round % 4 == 3) {
        s = s.replaceFirst(",([-0-9.eE]+)\\]", "]");
      }
      Map<String, Tensor> scanned = scan(s, image);
      if (round % 4 == 0) {
        assertThat(scanned).isNotNull();
      }
      if (scanned != null) {
        assertThat(scanned).isEqualTo(tree(s, image));
      } else {
        assertThat(round % 4).isNotZero();
      }
    }
    assertThat(SecondHalf.REPLAYED.get()).isGreaterThan(before);
  }

  @Test
  void mutatedBodies_areDeclinedOrReadAsTheTreeReadsThem() {
    String valid =
        "{\"p\": {\"k\": [true, null, \"s\", -1.5e3, {}], \"e\": []},"
            + " \"inputs\": {\"a\": [[1.5, -2], [3e-2, 4]], \"b\": [7, -9, 10]}, \"q\": false}";
    int read = readMutated(valid, "[]{},:\" -+.eE0123456789abnxtrulfs\\", 3, 20_000, 11, TWO);
    // Some mutations leave a valid body (a digit changed, a space added): those were compared.
    assertThat(read).isGreaterThan(1000);
  }

  /**
   * Mutates {@code valid} {@code rounds} times (1 to {@code maxEdits} bytes set, inserted or
   * deleted, from {@code alphabet}); every body the scanner reads must read as the tree reads it.
   * Answers how many it read.
   */
  private static int readMutated(
      String valid,
      String alphabet,
      int maxEdits,
      int rounds,
      long seed,
      Manifest.IoSignature sig) {
    Random random = new Random(seed);
    int read = 0;
    for (int round = 0; round < rounds; round++) {
      StringBuilder body = new StringBuilder(valid);
      for (int m = 1 + random.nextInt(maxEdits); m > 0; m--) {
        int at = random.nextInt(body.length());
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (random.nextInt(3)) {
          case 0 -> body.setCharAt(at, c);
          case 1 -> body.insert(at, c);
          default -> body.deleteCharAt(at);
        }
      }
      String s = body.toString();
      Map<String, Tensor> scanned = scan(s, sig);
      if (scanned != null) {
        assertThat(scanned).as(s).isEqualTo(tree(s, sig));
        read++;
      }
    }
    return read;
  }
}
