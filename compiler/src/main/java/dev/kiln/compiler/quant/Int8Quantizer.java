package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ort.HostTensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Quantizes an fp32 model to int8 on Kiln's IR, as QDQ (or dynamic) nodes that ONNX Runtime's
 * optimizer (level EXTENDED or ALL) fuses into int8 kernels at load or in the offline optimizer.
 * The result is only faster once fused: run it through ORT before judging it.
 */
public final class Int8Quantizer {
  private Int8Quantizer() {}

  /**
   * @param fp32 the optimized fp32 model (after Kiln's passes)
   * @param calibration samples to calibrate on (static); may be empty for DYNAMIC
   * @param keepFp32 node names that must stay fp32 (the sensitivity pass fills this)
   * @throws IllegalArgumentException when the opset cannot be raised to 13, or static quantization
   *     gets no calibration samples
   */
  public static ReducedModel quantize(
      ModelProto fp32,
      List<Map<String, HostTensor>> calibration,
      Int8Scheme scheme,
      CalibrationMethod method,
      Set<String> keepFp32) {
    return switch (scheme.method()) {
      case STATIC_QDQ -> StaticQdq.quantize(fp32, calibration, scheme, method, keepFp32);
      case DYNAMIC -> DynamicInt8.quantize(fp32, scheme, keepFp32);
    };
  }
}
