package dev.kiln.cloud.service.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cloud.service.api.OpenApiDocument;
import org.junit.jupiter.api.Test;

/** The contract test's schema checker finds what it must, against the real document. */
class SchemaCheckTest {
  private final JsonNode doc = read(OpenApiDocument.bytes());
  private final SchemaCheck check = new SchemaCheck(doc);
  private final JsonNode page = doc.at("/components/schemas/DevicePage");

  private static JsonNode read(byte[] b) {
    try {
      return ApiClient.JSON.readTree(b);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private JsonNode json(String s) {
    return read(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void aConformingPage_hasNoProblems() {
    assertThat(
            check.problems(
                json(
                    "{\"items\":[{\"id\":\"d1\",\"groups\":[\"g\"],\"online\":true,\"lastSeen\":null,"
                        + "\"models\":[{\"name\":\"m\",\"version\":\"1\"}],\"errorRate\":0.1,\"p95Ms\":null}],"
                        + "\"nextCursor\":null,\"total\":1}"),
                page))
        .isEmpty();
  }

  @Test
  void missingFields_wrongTypes_nullsAndEnums_areEachNamed() {
    assertThat(
            check.problems(
                json(
                    "{\"items\":[{\"id\":3,\"groups\":[],\"online\":null,"
                        + "\"models\":[],\"errorRate\":null,\"p95Ms\":null}],\"total\":1.5}"),
                page))
        .containsExactlyInAnyOrder(
            "$: required field nextCursor is missing",
            "$.items[0]: required field lastSeen is missing",
            "$.items[0].id: expected string, got NUMBER 3",
            "$.items[0].online: null, but the schema does not allow null",
            "$.total: expected integer, got NUMBER 1.5");
    assertThat(
            check.problems(
                json("{\"name\":\"x\",\"role\":\"root\"}"), doc.at("/components/schemas/WhoAmI")))
        .containsExactly("$.role: \"root\" is not one of [\"viewer\",\"operator\",\"admin\"]");
  }

  @Test
  void aNullableReference_acceptsNull_butChecksAValue() {
    JsonNode phase = doc.at("/components/schemas/Phase");
    String base =
        "{\"name\":\"canary\",\"state\":\"DONE\",\"devices\":1,\"startedAt\":null,\"endedAt\":null,";
    assertThat(check.problems(json(base + "\"gate\":null}"), phase)).isEmpty();
    assertThat(
            check.problems(
                json(base + "\"gate\":{\"passed\":\"yes\",\"figures\":{},\"reason\":null}}"),
                phase))
        .containsExactly("$.gate.passed: expected boolean, got STRING \"yes\"");
  }
}
