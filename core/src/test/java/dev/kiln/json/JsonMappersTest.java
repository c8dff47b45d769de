package dev.kiln.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JsonMappersTest {
  record Point(String name, int x) {}

  @Test
  void wire_ignoresUnknownFields_andLeavesOutNulls() throws Exception {
    Point p = JsonMappers.wire().readValue("{\"name\":\"a\",\"x\":1,\"newer\":true}", Point.class);

    assertThat(p).isEqualTo(new Point("a", 1));
    assertThat(JsonMappers.wire().writeValueAsString(new Point(null, 2))).isEqualTo("{\"x\":2}");
  }

  @Test
  void tolerant_ignoresUnknownFields_butKeepsNulls() throws Exception {
    assertThat(JsonMappers.tolerant().readValue("{\"x\":1,\"y\":2}", Point.class))
        .isEqualTo(new Point(null, 1));
    assertThat(JsonMappers.tolerant().writeValueAsString(new Point(null, 2)))
        .isEqualTo("{\"name\":null,\"x\":2}");
  }

  @Test
  void plain_refusesAFieldTheTypeLacks() {
    assertThatThrownBy(() -> JsonMappers.plain().readValue("{\"x\":1,\"y\":2}", Point.class))
        .isInstanceOf(UnrecognizedPropertyException.class);
  }

  @Test
  void readable_indents() throws Exception {
    assertThat(JsonMappers.readable().writeValueAsString(new Point("a", 1))).contains("\n  \"x\"");
  }

  @Test
  void canonical_sortsMapKeys_soTheBytesDependOnlyOnTheValues() throws Exception {
    Map<String, Integer> unordered = Map.of("b", 2, "a", 1, "c", 3);

    assertThat(JsonMappers.canonical().writeValueAsString(unordered))
        .isEqualTo(JsonMappers.canonical().writeValueAsString(new TreeMap<>(unordered)))
        .startsWith("{\n  \"a\"");
  }

  @Test
  void strict_refusesWhatJacksonWouldGuessAt() {
    var strict = JsonMappers.strict();
    assertThatThrownBy(() -> strict.readValue("{\"name\":\"a\",\"x\":\"4\"}", Point.class))
        .isInstanceOf(MismatchedInputException.class);
    assertThatThrownBy(() -> strict.readValue("{\"name\":8.10,\"x\":4}", Point.class))
        .isInstanceOf(MismatchedInputException.class);
    assertThatThrownBy(() -> strict.readValue("{\"name\":\"a\"}", Point.class))
        .isInstanceOf(MismatchedInputException.class);
    assertThatThrownBy(() -> strict.readValue("{\"name\":\"a\",\"x\":1,\"x\":2}", Point.class))
        .hasMessageContaining("Duplicate field");
  }

  @Test
  void plain_readsEveryFloatsTextAsTheJdkDoes() throws Exception {
    var plain = JsonMappers.plain();
    java.util.Random random = new java.util.Random(23);
    for (int i = 0; i < 100_000; i++) {
      float f = Float.intBitsToFloat(random.nextInt());
      if (!Float.isFinite(f)) {
        continue;
      }
      for (String text : new String[] {Float.toString(f), Double.toString(f)}) {
        assertThat(plain.readTree(text).doubleValue()).as(text).isEqualTo(Double.parseDouble(text));
      }
    }
  }

  @Test
  void everyCall_returnsItsOwnMapper() {
    assertThat(JsonMappers.plain()).isNotSameAs(JsonMappers.plain());
  }
}
