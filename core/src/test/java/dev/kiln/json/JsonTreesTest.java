package dev.kiln.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTreesTest {
  private static final ObjectMapper DATABIND = JsonMappers.plain();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "[]",
        "{\"a\": 1, \"b\": [true, false, null], \"c\": {\"d\": \"x\\u00e9\\n\"}}",
        "[1, -7, 2147483648, -9223372036854775808, 123456789012345678901234567890]",
        "[0.5, -1.25e-7, 1E300, 3.4028235e38, 1e-400, 0.1]",
        "{\"dup\": 1, \"dup\": [2]}",
        "\"text\"",
        "42",
        "{\"a\": 1} trailing text is not read",
        "[[[[[[[[[[{\"deep\": [1.5]}]]]]]]]]]]"
      })
  void parse_buildsTheTreeReadTreeBuilds(String json) throws Exception {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertThat(JsonTrees.parse(bytes)).isEqualTo(DATABIND.readTree(bytes));
    assertThat(JsonTrees.parse(json)).isEqualTo(DATABIND.readTree(json));
  }

  @Test
  void parse_ofASlice_readsOnlyThoseBytes() throws Exception {
    byte[] bytes = "xx{\"a\": [1, 2]}yy".getBytes(StandardCharsets.UTF_8);
    assertThat(JsonTrees.parse(bytes, 2, bytes.length - 4))
        .isEqualTo(DATABIND.readTree("{\"a\": [1, 2]}"));
  }

  @Test
  void parse_ofNothing_isTheMissingNode() throws Exception {
    assertThat(JsonTrees.parse(new byte[0]).isMissingNode()).isTrue();
    assertThat(JsonTrees.parse("   ").isMissingNode()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\": ", "{\"a\" 1}", "[1, 2", "{\"a\": tru}", "[1,]"})
  void parse_refusesBrokenJson(String json) {
    assertThatThrownBy(() -> JsonTrees.parse(json)).isInstanceOf(JsonProcessingException.class);
  }

  @Test
  void parse_keepsJacksonsNestingLimit() {
    String deep = "[".repeat(5_000) + "]".repeat(5_000);
    assertThatThrownBy(() -> JsonTrees.parse(deep))
        .isInstanceOf(StreamConstraintsException.class)
        .hasMessageContaining("nesting depth");
  }

  @Test
  void parseStrict_refusesARepeatedKey_textAfterTheValue_andNothing() {
    assertThatThrownBy(() -> strict("{\"a\": 1, \"a\": 2}"))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining("Duplicate field 'a'");
    assertThatThrownBy(() -> strict("{\"a\": 1} {}"))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining("Trailing token");
    assertThatThrownBy(() -> strict(" "))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void parseStrict_readsAWellFormedDocument() throws Exception {
    assertThat(strict("{\"a\": [1, {\"b\": null}]}"))
        .isEqualTo(DATABIND.readTree("{\"a\": [1, {\"b\": null}]}"));
  }

  private static Object strict(String json) throws JsonProcessingException {
    return JsonTrees.parseStrict(json.getBytes(StandardCharsets.UTF_8));
  }
}
