package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.accuracy.GateResult;
import java.util.List;

/**
 * What a {@code --quantize} compile did, for the report and {@code --json}.
 *
 * @param requested "int8" or "fp16"
 * @param shipped the precision of the shipped payload: "int8", "fp16", or "fp32" when int8 did not
 *     pay on this host
 * @param decision why that precision was shipped, in words
 * @param fp32PayloadBytes the fp32 compiled payload; {@code reducedPayloadBytes} the reduced one
 * @param fp32Compiled fp32 compiled latency, interleaved with {@code reduced}; null when not timed
 * @param latencyRatio reduced p50 / fp32 compiled p50; null when not timed
 * @param notTimed why there is no latency comparison, or null
 * @param quantization the manifest's section (scheme, gate figures, per-op table, nodes kept fp32)
 * @param gate the accuracy gate's per-output figures
 */
public record QuantizationReport(
    String requested,
    String shipped,
    String decision,
    long sourceBytes,
    long fp32PayloadBytes,
    long reducedPayloadBytes,
    Manifest.Timing fp32Compiled,
    Manifest.Timing reduced,
    Double latencyRatio,
    String notTimed,
    String heldOutSamples,
    Manifest.Quantization quantization,
    GateResult gate,
    List<String> worstNodes) {

  public double sizeRatio() {
    return fp32PayloadBytes == 0 ? 0 : (double) reducedPayloadBytes / fp32PayloadBytes;
  }
}
