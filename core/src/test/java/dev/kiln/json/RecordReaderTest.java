package dev.kiln.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.json.RecordBindingException.Problem;
import dev.kiln.json.RecordReader.Mode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordReaderTest {
  private static final ObjectMapper CANONICAL = JsonMappers.canonical();

  enum Color {
    RED,
    DARK_BLUE
  }

  /** Spelled in JSON by the same annotations databind reads. */
  enum Size {
    SMALL("s"),
    LARGE("l");

    private final String json;

    Size(String json) {
      this.json = json;
    }

    @JsonValue
    String json() {
      return json;
    }

    @JsonCreator
    static Size parse(String value) {
      for (Size s : values()) {
        if (s.json.equals(value)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown size '" + value + "'; valid values: s, l");
    }
  }

  record Part(String id, long bytes, List<Long> shape) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Whole(
      int version,
      String name,
      double ratio,
      float scale,
      boolean on,
      Integer optional,
      Long big,
      Color color,
      Size size,
      List<Part> parts,
      Map<String, String> options,
      Map<String, List<Integer>> byName,
      Part single) {}

  record Positive(int n) {
    Positive {
      if (n < 1) {
        throw new IllegalArgumentException("n must be at least 1 but is " + n);
      }
    }
  }

  private static Whole full() {
    return new Whole(
        3,
        "né \"quoted\"",
        0.1,
        1.5f,
        true,
        null,
        9_007_199_254_740_993L,
        Color.DARK_BLUE,
        Size.LARGE,
        List.of(new Part("a", 12, List.of(-1L, 3L)), new Part("b", 0, List.of())),
        Map.of("z", "last", "a", "first"),
        Map.of("k", List.of(1, 2)),
        new Part("one", 1, null));
  }

  @Test
  void readsWhatDatabindWrites_andWritesWhatDatabindWrites() throws Exception {
    Whole whole = full();
    byte[] databind = (CANONICAL.writeValueAsString(whole) + "\n").getBytes(StandardCharsets.UTF_8);

    assertThat(RecordReader.read(databind, Whole.class, Mode.LENIENT)).isEqualTo(whole);
    assertThat(RecordReader.read(databind, Whole.class, Mode.LENIENT))
        .isEqualTo(CANONICAL.readValue(databind, Whole.class));
    assertThat(new String(RecordWriter.canonical(whole), StandardCharsets.UTF_8))
        .isEqualTo(new String(databind, StandardCharsets.UTF_8));
  }

  @Test
  void writer_leavesOutNullsOnlyWhereTheRecordSaysSo() throws Exception {
    Part part = new Part(null, 1, null);
    assertThat(new String(RecordWriter.canonical(part), StandardCharsets.UTF_8))
        .isEqualTo(CANONICAL.writeValueAsString(part) + "\n")
        .contains("\"id\" : null");
  }

  @Test
  void lenient_ignoresUnknownFields_andDefaultsWhatIsMissingOrNull() throws Exception {
    Whole w = lenient("{\"version\": 2, \"newer\": {\"x\": [1]}, \"ratio\": null, \"on\": null}");

    assertThat(w.version()).isEqualTo(2);
    assertThat(w.ratio()).isZero();
    assertThat(w.on()).isFalse();
    assertThat(w.name()).isNull();
    assertThat(w.parts()).isNull();
    assertThat(w)
        .isEqualTo(
            CANONICAL.readValue(
                "{\"version\": 2, \"newer\": {\"x\": [1]}, \"ratio\": null, \"on\": null}",
                Whole.class));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"version\": \"4\", \"ratio\": \"0.5\", \"on\": \"true\", \"name\": 12}",
        "{\"version\": 4.7, \"big\": 3.0, \"scale\": 2}",
        "{\"name\": true, \"optional\": \"7\", \"color\": \"RED\"}"
      })
  void lenient_coercesScalarsAsDatabindDoes(String json) throws Exception {
    assertThat(lenient(json)).isEqualTo(CANONICAL.readValue(json, Whole.class));
  }

  @Test
  void strict_refusesUnknownMissingNullAndCoercedValues_namingThePath() {
    String complete =
        "\"version\": 1, \"name\": \"n\", \"ratio\": 1, \"scale\": 1, \"on\": true,"
            + " \"optional\": null, \"big\": null, \"color\": \"RED\", \"size\": \"s\","
            + " \"options\": null, \"byName\": null, \"single\": null";
    strictFails(
        "{" + complete + ", \"parts\": [{\"id\": \"a\", \"bytes\": 1, \"shape\": [1, \"2\"]}]}",
        Problem.WRONG_SHAPE,
        "parts[0].shape[1]");
    strictFails("{" + complete + ", \"parts\": [], \"extra\": 1}", Problem.UNKNOWN_FIELD, "extra");
    strictFails(
        "{" + complete.replace("\"on\": true,", "") + ", \"parts\": []}",
        Problem.MISSING_FIELD,
        "on");
    strictFails(
        "{" + complete.replace("\"on\": true", "\"on\": null") + ", \"parts\": []}",
        Problem.WRONG_SHAPE,
        "on");
    strictFails(
        "{" + complete.replace("\"version\": 1", "\"version\": 1.5") + ", \"parts\": []}",
        Problem.WRONG_SHAPE,
        "version");
    strictFails(
        "{" + complete.replace("\"name\": \"n\"", "\"name\": 8.10") + ", \"parts\": []}",
        Problem.WRONG_SHAPE,
        "name");
  }

  @Test
  void strict_readsACompleteDocument() throws Exception {
    Whole whole = full();
    byte[] json =
        CANONICAL
            .writerFor(Whole.class)
            .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
            .writeValueAsBytes(whole);
    String withNull =
        new String(json, StandardCharsets.UTF_8)
            .replace("{\"version\"", "{\"optional\": null, \"version\"");
    assertThat(
            RecordReader.read(withNull.getBytes(StandardCharsets.UTF_8), Whole.class, Mode.STRICT))
        .isEqualTo(whole);
  }

  @Test
  void enumFactoriesAndRecordChecks_refuseWithTheirOwnMessage() {
    assertThatThrownBy(() -> lenient("{\"size\": \"xl\"}"))
        .isInstanceOfSatisfying(
            RecordBindingException.class,
            e -> {
              assertThat(e.problem()).isEqualTo(Problem.INVALID_VALUE);
              assertThat(e.path()).isEqualTo("size");
            })
        .hasMessage("size: unknown size 'xl'; valid values: s, l");
    assertThatThrownBy(() -> lenient("{\"color\": \"BLUE\"}"))
        .isInstanceOf(RecordBindingException.class)
        .hasMessageStartingWith("color: ");
    assertThatThrownBy(
            () ->
                RecordReader.read(
                    "{\"n\": 0}".getBytes(StandardCharsets.UTF_8), Positive.class, Mode.LENIENT))
        .isInstanceOfSatisfying(
            RecordBindingException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.INVALID_VALUE))
        .hasMessage("(top level): n must be at least 1 but is 0");
  }

  @Test
  void wrongShapes_areRefusedInBothModes() {
    for (Mode mode : Mode.values()) {
      assertThatThrownBy(
              () -> RecordReader.read("[1]".getBytes(StandardCharsets.UTF_8), Whole.class, mode))
          .isInstanceOfSatisfying(
              RecordBindingException.class, e -> assertThat(e.path()).isEmpty());
      assertThatThrownBy(
              () ->
                  RecordReader.read(
                      "{\"parts\": {}}".getBytes(StandardCharsets.UTF_8), Whole.class, mode))
          .isInstanceOfSatisfying(
              RecordBindingException.class, e -> assertThat(e.path()).isEqualTo("parts"));
      assertThatThrownBy(
              () ->
                  RecordReader.read(
                      "{\"version\": 3000000000}".getBytes(StandardCharsets.UTF_8),
                      Whole.class,
                      mode))
          .isInstanceOfSatisfying(
              RecordBindingException.class, e -> assertThat(e.path()).isEqualTo("version"));
    }
  }

  private static Whole lenient(String json) throws Exception {
    return RecordReader.read(json.getBytes(StandardCharsets.UTF_8), Whole.class, Mode.LENIENT);
  }

  private static void strictFails(String json, Problem problem, String path) {
    assertThatThrownBy(
            () ->
                RecordReader.read(json.getBytes(StandardCharsets.UTF_8), Whole.class, Mode.STRICT))
        .as(json)
        .isInstanceOfSatisfying(
            RecordBindingException.class,
            e -> {
              assertThat(e.problem()).isEqualTo(problem);
              assertThat(e.path()).isEqualTo(path);
            });
  }
}
