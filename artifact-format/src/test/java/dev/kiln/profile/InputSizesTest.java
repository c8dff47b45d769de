package dev.kiln.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The optional {@code inputSizes} field: absent in old profiles, checked where present. */
class InputSizesTest {
  @Test
  void profileWithoutInputSizes_stillLoads_withNone() {
    DeviceProfile rpi4 = ProfileFixtures.shipped().get("rpi4");

    assertThat(rpi4.inputSizes()).isNull();
    assertThat(ProfileJson.write(rpi4)).doesNotContain("inputSizes");
  }

  @Test
  void jetsonOrinNano_declaresCameraFrameSizes() {
    DeviceProfile.InputSizes sizes = ProfileFixtures.shipped().get("jetson-orin-nano").inputSizes();

    assertThat(sizes.dims()).containsExactly(Map.entry("height", 480L), Map.entry("width", 640L));
    assertThat(sizes.byRank()).containsExactly(Map.entry("4", List.of(1L, 3L, 480L, 640L)));
  }

  @Test
  void dimsAlone_areEnough() {
    ObjectNode json = ProfileFixtures.shippedJson("rpi5");
    json.putObject("inputSizes").putObject("dims").put("samples", 16000);

    DeviceProfile p = load(json);

    assertThat(p.inputSizes().dims()).containsExactly(Map.entry("samples", 16000L));
    assertThat(p.inputSizes().byRank()).isEmpty();
  }

  @Test
  void badSizes_areRefused_namingTheField() {
    assertRefused(sizes -> sizes.putObject("dims").put("height", 0), "inputSizes.dims.height");
    assertRefused(sizes -> sizes.putObject("dims").put("height", "480"), "inputSizes");
    assertRefused(
        sizes -> sizes.putObject("byRank").putArray("4").add(1).add(3).add(480),
        "inputSizes.byRank.4");
    assertRefused(
        sizes -> sizes.putObject("byRank").putArray("four").add(1), "inputSizes.byRank.four");
    assertRefused(sizes -> {}, "inputSizes");
    assertRefused(sizes -> sizes.put("dimz", 1), "inputSizes.dimz");
  }

  private static void assertRefused(java.util.function.Consumer<ObjectNode> fill, String field) {
    ObjectNode json = ProfileFixtures.shippedJson("rpi5");
    fill.accept(json.putObject("inputSizes"));

    ProfileException e = catchThrowableOfType(() -> load(json), ProfileException.class);

    assertThat(e).as(json.get("inputSizes").toString()).isNotNull();
    assertThat(e.getMessage()).contains(field);
  }

  private static DeviceProfile load(ObjectNode json) {
    Path dir = ProfileFixtures.newTempDir("input-sizes");
    ProfileFixtures.write(dir, "rpi5.json", json);
    return DeviceProfiles.fromDirectory(dir).get("rpi5");
  }
}
