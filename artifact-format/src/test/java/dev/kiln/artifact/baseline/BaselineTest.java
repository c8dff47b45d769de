package dev.kiln.artifact.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.artifact.ArtifactException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselineTest {
  @TempDir Path tmp;

  @Test
  void smallInput_isTrackedPerElement() {
    TensorFeatures f = TensorFeatures.of("x", new long[] {1, 4});
    assertThat(f.names()).containsExactly("x[0]", "x[1]", "x[2]", "x[3]");
    assertThat(f.reduction()).isEqualTo(TensorFeatures.ELEMENT);
    double[] out = new double[4];
    assertThat(f.reduce(new double[] {1, 2, 3, 4}, out, 0)).isTrue();
    assertThat(out).containsExactly(1, 2, 3, 4);
    assertThat(f.reduce(new double[] {1, 2}, out, 0)).as("wrong element count").isFalse();
  }

  @Test
  void image_isReducedToChannelMeans_andAHugeVectorToItsMean() {
    TensorFeatures img = TensorFeatures.of("image", new long[] {1, 3, 8, 8});
    assertThat(img.names()).containsExactly("image:c0", "image:c1", "image:c2");
    double[] v = new double[3 * 64];
    for (int i = 0; i < v.length; i++) {
      v[i] = i / 64; // channel c is all c
    }
    double[] out = new double[3];
    assertThat(img.reduce(v, out, 0)).isTrue();
    assertThat(out).containsExactly(0, 1, 2);

    TensorFeatures wide = TensorFeatures.of("emb", new long[] {1, 1000});
    assertThat(wide.names()).containsExactly("emb:mean");
    double[] one = new double[1];
    double[] ramp = new double[1000];
    for (int i = 0; i < ramp.length; i++) {
      ramp[i] = i;
    }
    assertThat(wide.reduce(ramp, one, 0)).isTrue();
    assertThat(one[0]).isEqualTo(499.5);
  }

  @Test
  void builder_givesDecileBins_exactSummary_andClassMix() {
    BaselineBuilder b = new BaselineBuilder("m", "1", "captures");
    b.inputs(List.of("x"), List.of(new long[] {1, 2}));
    b.output("y", 3);
    Random r = new Random(1);
    for (int i = 0; i < 50_000; i++) {
      b.add(List.of(new double[] {r.nextGaussian(), 5 + 2 * r.nextGaussian()}), i % 3, 0.9);
    }
    Baseline base = b.build(1L, null, null);
    assertThat(base.records()).isEqualTo(50_000);
    Feature x1 = base.input("x[1]");
    assertThat(x1.summary().count()).isEqualTo(50_000);
    assertThat(x1.summary().mean()).isCloseTo(5, within(0.05));
    assertThat(x1.summary().std()).isCloseTo(2, within(0.05));
    assertThat(x1.bins().edges()).hasSize(9);
    assertThat(x1.bins().edges()[4]).as("median").isCloseTo(5, within(0.1));
    for (long c : x1.bins().counts()) {
      assertThat(c).isBetween(900L, 1100L); // ten bins of the 10,000-value sample
    }
    assertThat(x1.cdfBins().edges()).hasSize(99);
    assertThat(base.output().classifier()).isTrue();
    assertThat(base.output().classes()).containsEntry("0", 16_667L).containsEntry("2", 16_666L);
  }

  @Test
  void constantFeature_hasOneEdge_notDuplicates() {
    BaselineBuilder b = new BaselineBuilder("m", null, "captures");
    b.inputs(List.of("x"), List.of(new long[] {1}));
    for (int i = 0; i < 100; i++) {
      b.add(List.of(new double[] {7}), null, null);
    }
    Histogram h = b.build(1L, null, null).input("x[0]").bins();
    assertThat(h.edges()).containsExactly(7);
    assertThat(h.counts()).containsExactly(0, 100);
  }

  @Test
  void file_roundTrips_andANewerFormatIsRefused() throws Exception {
    BaselineBuilder b = new BaselineBuilder("m", "2", "captures");
    b.inputs(List.of("x"), List.of(new long[] {1, 1}));
    b.output("y", 1);
    for (int i = 0; i < 1000; i++) {
      b.add(List.of(new double[] {i}), 0, (double) i);
    }
    Baseline base = b.build(42L, 1L, 2L);
    Path file = tmp.resolve(BaselineFiles.FILE_NAME);
    BaselineFiles.write(base, file);
    assertThat(BaselineFiles.read(file)).isEqualTo(base);
    assertThat(base.output().kind()).isEqualTo(Output.VALUES);

    String newer =
        new String(BaselineFiles.toBytes(base), StandardCharsets.UTF_8)
            .replace("\"version\" : 1", "\"version\" : 2");
    assertThatThrownBy(() -> BaselineFiles.parse(newer.getBytes(StandardCharsets.UTF_8), "b"))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining("baseline format 2");
  }
}
