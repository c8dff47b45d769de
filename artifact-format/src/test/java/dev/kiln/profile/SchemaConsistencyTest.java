package dev.kiln.profile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schema is what people writing profiles read; the records are what Kiln loads. This keeps
 * the two from drifting apart (there is no schema validator on the device classpath).
 */
class SchemaConsistencyTest {
  private final JsonNode schema = readSchema();

  @Test
  void everyObject_listsExactlyTheRecordFields_allRequiredButTheOptionalOnes() {
    assertMatches(schema, DeviceProfile.class, DeviceProfile.OPTIONAL_FIELDS);
    assertMatches(def("cpu"), DeviceProfile.Cpu.class, List.of());
    assertMatches(def("accelerator"), DeviceProfile.Accelerator.class, List.of());
    assertMatches(def("runtime"), DeviceProfile.RuntimeSettings.class, List.of());
    assertMatches(
        def("inputSizes"),
        DeviceProfile.InputSizes.class,
        DeviceProfile.InputSizes.OPTIONAL_FIELDS);
  }

  @Test
  void enums_matchTheJavaVocabulary() {
    assertThat(strings(schema.at("/properties/arch/enum")))
        .containsExactly(Arrays.stream(Arch.values()).map(Arch::jsonName).toArray(String[]::new));
    assertThat(strings(def("runtime").at("/properties/preferredEngine/enum")))
        .containsExactly(
            Arrays.stream(InferenceEngine.values())
                .map(InferenceEngine::jsonName)
                .toArray(String[]::new));
    assertThat(strings(def("runtime").at("/properties/precision/enum")))
        .containsExactly(
            Arrays.stream(Precision.values()).map(Precision::jsonName).toArray(String[]::new));
    assertThat(strings(def("executionProvider").get("enum"))).isEqualTo(ExecutionProviders.KNOWN);
    assertThat(strings(def("arm64Feature").get("enum")))
        .containsExactlyInAnyOrderElementsOf(Arch.ARM64.cpuFeatures());
    assertThat(strings(def("x86_64Feature").get("enum")))
        .containsExactlyInAnyOrderElementsOf(Arch.X86_64.cpuFeatures());
  }

  @Test
  void isaPatterns_agreeWithArch() {
    List<String> samples =
        List.of(
            "armv8-a",
            "armv8.2-a",
            "armv8.4-a",
            "armv9-a",
            "armv7-a",
            "x86-64",
            "x86-64-v2",
            "x86-64-v3",
            "x86-64-v4",
            "x86-64-v5",
            "i686");
    for (Arch arch : Arch.values()) {
      int branch = arch == Arch.ARM64 ? 0 : 1;
      JsonNode when = schema.at("/allOf/" + branch);
      assertThat(when.at("/if/properties/arch/const").asText()).isEqualTo(arch.jsonName());
      Pattern pattern =
          Pattern.compile(when.at("/then/properties/cpu/properties/isa/pattern").asText());
      for (String isa : samples) {
        assertThat(pattern.matcher(isa).find())
            .as(arch + " " + isa)
            .isEqualTo(arch.isValidIsa(isa));
      }
    }
  }

  private void assertMatches(JsonNode object, Class<? extends Record> type, List<String> optional) {
    List<String> components =
        Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
    List<String> properties = new ArrayList<>();
    object.get("properties").fieldNames().forEachRemaining(properties::add);

    assertThat(properties).as(type.getSimpleName() + " properties").isEqualTo(components);
    List<String> required = new ArrayList<>(components);
    required.removeAll(optional);
    assertThat(object.has("required") ? strings(object.get("required")) : List.of())
        .as(type.getSimpleName() + " required")
        .isEqualTo(required);
    assertThat(object.get("additionalProperties").asBoolean(true)).isFalse();
  }

  private JsonNode def(String name) {
    return schema.get("$defs").get(name);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(node -> out.add(node.asText()));
    return out;
  }

  private static JsonNode readSchema() {
    try {
      return ProfileFixtures.JSON.readTree(
          ProfileFixtures.shippedDir().resolve("schema/device-profile.schema.json").toFile());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
