package dev.kiln.compiler.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ir.TestGraphs;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.DeviceProfiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProfileInputSizesTest {
  private static final DeviceProfile BASE =
      DeviceProfiles.readFile(
          Path.of(System.getProperty("kiln.repo.root", ".."), "device-profiles/rpi5.json"));

  private static DeviceProfile withSizes(Map<String, Long> dims, Map<String, List<Long>> byRank) {
    return new DeviceProfile(
        "camera-board",
        BASE.description(),
        BASE.arch(),
        false,
        BASE.cpu(),
        BASE.memoryMb(),
        BASE.accelerator(),
        BASE.runtime(),
        new DeviceProfile.InputSizes(dims, byRank));
  }

  /** image [batch, 3, height, width] (NCHW) or, with nhwc, [batch, height, width, 3]. */
  private static ModelProto image(boolean nhwc) {
    Object[] dims =
        nhwc ? new Object[] {"batch", "h", "w", 3L} : new Object[] {"batch", 3L, "height", "width"};
    return TestGraphs.model(17)
        .symbolicInput("image", dims)
        .node("GlobalAveragePool", List.of("image"), List.of("y"))
        .output("y")
        .build();
  }

  @Test
  void namedDims_takeTheProfilesSizes_andABatchDimGetsOne() {
    ProfileInputSizes.Resolved r =
        ProfileInputSizes.resolve(
            image(false), withSizes(Map.of("height", 480L, "width", 640L), Map.of()));

    assertThat(r.shapes()).containsOnlyKeys("image");
    assertThat(r.shapes().get("image")).containsExactly(1, 3, 480, 640);
    assertThat(r.note())
        .isEqualTo(
            "sizes from device profile camera-board (inputSizes: height=480, width=640);"
                + " dynamic batch dim of image set to 1");
  }

  @Test
  void rankShape_sizesUnnamedDims_onlyWhereItAgreesWithStaticDims() {
    DeviceProfile profile = withSizes(Map.of(), Map.of("4", List.of(1L, 3L, 480L, 640L)));

    assertThat(ProfileInputSizes.resolve(image(false), profile).shapes().get("image"))
        .containsExactly(1, 3, 480, 640);
    // NCHW sizes on an NHWC input would make a 3x480 image with 640 channels: not used.
    assertThat(ProfileInputSizes.resolve(image(true), profile).shapes()).isEmpty();
  }

  @Test
  void noSizes_orDimsTheProfileDoesNotKnow_resolveNothing() {
    assertThat(ProfileInputSizes.resolve(image(false), BASE).shapes()).isEmpty();
    assertThat(
            ProfileInputSizes.resolve(image(false), withSizes(Map.of("height", 480L), Map.of()))
                .shapes())
        .isEmpty();
  }

  @Test
  void dimsLeftUnsized_stillStopTheCompile_namingThemWithAnExample() {
    ModelProto model = image(false);

    assertThatThrownBy(() -> GeneratedInputShapes.check(model, Set.of()))
        .isInstanceOf(CompileException.class)
        .hasMessageContaining("'height' (dim 2) of image")
        .hasMessageContaining("--input-shape image:1x3x<height>x<width>")
        .hasMessageContaining("inputSizes");
    assertThat(GeneratedInputShapes.check(model, Set.of("image"))).isEmpty();
  }
}
