package dev.kiln.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.compiler.ir.proto.ModelProto;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fp16 artifacts of the committed samples pass the nvidia target's packaging checks and load in
 * ONNX Runtime; the simulation really rounds, by an fp16-sized amount.
 */
class Fp16SamplesTest {
  @TempDir Path tmp;

  @Test
  void mlp_fp16_passesNvidiaChecks_andRunsOnCpuWithinFp16Error() throws Exception {
    ModelProto fp32 = Fp16Samples.optimized(Fp16Samples.MODELS.resolve("mlp/mlp.onnx"), 2, 8);

    double error = Fp16Samples.convertCheckAndRun(fp32, tmp);

    assertThat(error).isGreaterThan(0).isLessThan(2e-3);
  }

  @Test
  void cnn_fp16_passesNvidiaChecks_andRunsOnCpuWithinFp16Error() throws Exception {
    ModelProto fp32 =
        Fp16Samples.optimized(Fp16Samples.MODELS.resolve("cnn/cnn.onnx"), 2, 3, 32, 32);

    double error = Fp16Samples.convertCheckAndRun(fp32, tmp);

    assertThat(error).isGreaterThan(0).isLessThan(2e-3);
  }

  @Test
  void cnn_simulation_differsFromFp32_byFp16SizedError() {
    ModelProto fp32 =
        Fp16Samples.optimized(Fp16Samples.MODELS.resolve("cnn/cnn.onnx"), 2, 3, 32, 32);

    double error = Fp16Samples.relativeError(fp32, Fp16Converter.simulate(fp32, Set.of()), 12);

    assertThat(error).as("the rounding happens").isGreaterThan(1e-5).isLessThan(2e-3);
  }
}
