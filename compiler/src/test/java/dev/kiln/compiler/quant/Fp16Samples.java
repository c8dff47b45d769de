package dev.kiln.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.OrtRunner;
import dev.kiln.compiler.ir.ShapeSpecializer;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ort.OrtSessions;
import dev.kiln.compiler.passes.PassPipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** The checks fp16 artifacts of the sample models must pass, shared by the unit test and the IT. */
final class Fp16Samples {
  static final Path MODELS =
      Path.of(System.getProperty("kiln.repo.root", "..")).resolve("samples/models");

  private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
  private static final int FLOAT16 = TensorProto.DataType.FLOAT16_VALUE;

  private Fp16Samples() {}

  /**
   * The sample with its batch fixed at 2 and Kiln's passes applied, as the compiler hands it on.
   */
  static ModelProto optimized(Path onnx, long... inputShape) {
    ModelProto.Builder b = OnnxModelIO.read(onnx).toBuilder();
    ShapeSpecializer.apply(b, Map.of("input", inputShape));
    PassPipeline.standard().run(b);
    return b.build();
  }

  /**
   * Converts with fp32 inputs and outputs, asserts the nvidia packaging check passes, loads the
   * result in ONNX Runtime on this CPU as the device would (all optimizations) and returns the
   * largest error of its output relative to the fp32 model's largest output magnitude.
   */
  static double convertCheckAndRun(ModelProto fp32, Path tmp) throws IOException, OrtException {
    ReducedModel fp16 = Fp16Converter.convert(fp32, true, Set.of());

    assertThat(CudaFp16Check.problems(fp16.model())).isEmpty();
    assertThat(fp16.nodes()).extracting(NodePrecision::precision).contains(Precision.FP16);
    Path file = tmp.resolve("fp16.onnx");
    OnnxModelIO.write(fp16.model(), file);
    assertThat(weightBytes(fp16.model())).isEqualTo(weightBytes(fp32) / 2);
    try (OrtSession ignored = OrtSessions.open(file, OptLevel.ALL_OPT, 1)) {
      // Loads: ONNX Runtime's CPU provider wraps ops without fp16 kernels in Casts itself.
    }
    return relativeError(fp32, fp16.model(), 11);
  }

  /** Bytes of initializer data (the samples store every weight as float, in raw_data). */
  static long weightBytes(ModelProto model) {
    return model.getGraph().getInitializerList().stream()
        .filter(t -> t.getDataType() == FLOAT || t.getDataType() == FLOAT16)
        .mapToLong(t -> t.getRawData().size() + 4L * t.getFloatDataCount())
        .sum();
  }

  /** max |reduced - fp32| / max |fp32| over the single output, on seeded inputs. */
  static double relativeError(ModelProto fp32, ModelProto reduced, long seed) {
    Map<String, float[]> inputs = OrtRunner.randomInputs(fp32, seed);
    double[] expected = OrtRunner.run(fp32, inputs).values().iterator().next().values();
    double[] actual = OrtRunner.run(reduced, inputs).values().iterator().next().values();
    double scale = 0;
    for (double v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    double e = OrtRunner.maxAbsDiff(expected, actual) / scale;
    return e;
  }
}
