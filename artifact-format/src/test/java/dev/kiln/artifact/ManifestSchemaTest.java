package dev.kiln.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keeps the published JSON Schema and the Manifest record from drifting apart. */
class ManifestSchemaTest {

  @Test
  void schemaProperties_matchManifestRecordComponents() throws IOException {
    JsonNode schema = schema();
    assertThat(names(schema.path("properties")))
        .containsExactlyInAnyOrderElementsOf(components(Manifest.class));
    assertThat(names(schema.at("/properties/engine/properties")))
        .containsExactlyInAnyOrderElementsOf(components(Manifest.EngineInfo.class));
    assertThat(names(schema.at("/properties/verification/properties")))
        .containsExactlyInAnyOrderElementsOf(components(Manifest.Verification.class));
    assertThat(names(schema.at("/properties/payload/properties")))
        .containsExactlyInAnyOrderElementsOf(components(Manifest.Payload.class));
    assertThat(names(schema.at("/$defs/tensorSpec/properties")))
        .containsExactlyInAnyOrderElementsOf(components(Manifest.TensorSpec.class));
    assertThat(names(schema.at("/properties/quantization/properties")))
        .containsExactlyInAnyOrderElementsOf(components(Manifest.Quantization.class));
    assertThat(names(schema.at("/properties/quantization/properties/gate/properties")))
        .containsExactlyInAnyOrderElementsOf(components(Manifest.Gate.class));
  }

  @Test
  void schemaFormatVersion_isTheVersionThisBuildWrites() throws IOException {
    assertThat(schema().at("/properties/formatVersion/const").asInt())
        .isEqualTo(ArtifactFormat.VERSION);
  }

  private static JsonNode schema() throws IOException {
    try (InputStream in =
        Manifest.class.getResourceAsStream("/kiln/artifact/manifest.schema.json")) {
      return Json.MAPPER.readTree(in);
    }
  }

  private static List<String> names(JsonNode properties) {
    List<String> out = new ArrayList<>();
    properties.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static List<String> components(Class<?> record) {
    return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
  }
}
