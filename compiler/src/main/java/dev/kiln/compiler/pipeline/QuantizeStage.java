package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.accuracy.AccuracyGate;
import dev.kiln.compiler.accuracy.GateResult;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ort.HostModel;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.OrtFailure;
import dev.kiln.compiler.ort.OrtOfflineOptimizer;
import dev.kiln.compiler.quant.CalibrationMethod;
import dev.kiln.compiler.quant.CudaFp16Check;
import dev.kiln.compiler.quant.Fp16Converter;
import dev.kiln.compiler.quant.Int8Method;
import dev.kiln.compiler.quant.Int8Quantizer;
import dev.kiln.compiler.quant.Int8Scheme;
import dev.kiln.compiler.quant.Precision;
import dev.kiln.compiler.quant.ReducedModel;
import dev.kiln.compiler.quant.SensitivityPass;
import dev.kiln.compiler.quant.SensitivityPass.NodeCost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The QUANTIZE stage: reduces the model after Kiln's passes to int8 or fp16, optimizes it with ONNX
 * Runtime at the target's level, and judges it with the accuracy gate against the fp32 source on
 * held-out samples. When the gate fails, the sensitivity pass keeps the most harmful nodes in fp32
 * until it passes or {@link #MAX_REVERTS} is reached; then the compile stops with exit 5.
 */
final class QuantizeStage {
  /** At most this many nodes (and at most a quarter of the reduced ones) go back to fp32. */
  static final int MAX_REVERTS = 12;

  /**
   * A node whose fp32 version gains less than this (output SQNR on the calibration samples) is not
   * what fails the gate; reverting it would only give up speed and size. When no node reaches it,
   * the data (a calibration set unlike the held-out samples) is the cause, and no revert helps.
   */
  static final double MIN_GAIN_DB = 0.5;

  /** Calibration samples the sensitivity pass calibrates and measures each candidate on. */
  static final int SENSITIVITY_SAMPLES = 4;

  /**
   * A reduced model that passed the gate.
   *
   * @param payload the reduced payload, ready to ship
   * @param heldOutOutputs the reduced payload's outputs on {@code samples.heldOut()}, on this host
   * @param reverted nodes the sensitivity pass kept in fp32, worst first
   * @param worstNodes the sensitivity pass's measurements (empty when the gate passed at once)
   * @param exactInt8 the gate ran on exact int8 kernels, since this host's default ones saturate on
   *     the scheme's weights where the device's do not ({@link Int8Scheme#saturatesOnHost})
   */
  record Result(
      QuantizeMode mode,
      Path payload,
      ReducedModel reduced,
      GateResult gate,
      QuantSamples samples,
      List<Map<String, HostTensor>> heldOutOutputs,
      Int8Scheme scheme,
      CalibrationMethod calibration,
      List<NodeCost> reverted,
      List<NodeCost> worstNodes,
      boolean exactInt8) {}

  private record Attempt(
      ReducedModel reduced, Path payload, List<Map<String, HostTensor>> outputs, GateResult gate) {}

  private final CompileRequest request;
  private final ResolvedTarget target;
  private final OnnxFrontEnd.Result front;
  private final boolean deviceOptimizes;
  // Set once the int8 scheme is known: the host's default kernels would saturate where the
  // device's do not (Int8Scheme.saturatesOnHost), so int8 payloads are judged on exact ones.
  private boolean exactInt8;
  private final Path workDir;
  private final ModelProto fp32;

  private QuantizeStage(
      CompileRequest request,
      ResolvedTarget target,
      OnnxFrontEnd.Result front,
      boolean deviceOptimizes,
      Path workDir) {
    this.request = request;
    this.target = target;
    this.front = front;
    this.deviceOptimizes = deviceOptimizes;
    this.workDir = workDir;
    this.fp32 = OnnxModelIO.read(front.passesModel());
  }

  /**
   * @param deviceOptimizes the device applies ORT's optimizations at load (the manifest's optLevel
   *     is not NO_OPT), so the gate runs the payload the same way
   */
  static Result run(
      CompileRequest request,
      ResolvedTarget target,
      OnnxFrontEnd.Result front,
      boolean deviceOptimizes,
      Path workDir) {
    return new QuantizeStage(request, target, front, deviceOptimizes, workDir).run();
  }

  /** The stage's line, e.g. "int8 static QDQ, ...; gate passed: ...". */
  static String summary(Result result) {
    return result.reduced().scheme()
        + "; gate passed: "
        + result.gate().summary()
        + (result.reverted().isEmpty()
            ? ""
            : "; kept " + result.reverted().size() + " nodes fp32 (sensitivity pass)");
  }

  private Result run() {
    QuantizeMode mode = request.quantize().mode();
    Int8Scheme scheme = null;
    CalibrationMethod calibration = null;
    if (mode == QuantizeMode.INT8) {
      scheme = Int8Scheme.forTarget(target.profile());
      exactInt8 = scheme.saturatesOnHost(target.hostArch(), target.hostFeatures());
      if (!hasOp(fp32, "Conv") && (hasOp(fp32, "MatMul") || hasOp(fp32, "Gemm"))) {
        scheme =
            scheme.withMethod(
                Int8Method.DYNAMIC,
                "dynamic: MatMul/Gemm model without Conv, activations are scaled per batch at run"
                    + " time, so no calibration ranges can be wrong");
      } else {
        calibration = request.quantize().calibration();
      }
    }
    boolean needsCalibration = scheme != null && scheme.method() == Int8Method.STATIC_QDQ;
    QuantSamples samples = QuantSamples.load(request, front, needsCalibration);
    SensitivityPass.Reducer reducer = reducer(mode, scheme, calibration, samples.calibrate());

    List<Map<String, HostTensor>> fp32HeldOut = runReference(samples.heldOut());
    Set<String> keep = new LinkedHashSet<>();
    Attempt attempt = attempt(mode, reducer, keep, samples, fp32HeldOut);
    List<NodeCost> reverted = new ArrayList<>();
    List<NodeCost> costs = List.of();
    if (!attempt.gate().passed()) {
      // Ranking needs no full calibration: a few samples keep it at one short run per node.
      List<Map<String, HostTensor>> few =
          samples.calibrate().subList(0, Math.min(SENSITIVITY_SAMPLES, samples.calibrate().size()));
      costs =
          new SensitivityPass(
                  reducer(mode, scheme, calibration, few),
                  few,
                  runReference(few),
                  workDir,
                  mode == QuantizeMode.INT8,
                  exactInt8)
              .measure(attempt.reduced(), keep);
      long reducedNodes =
          attempt.reduced().nodes().stream().filter(n -> n.precision() != Precision.FP32).count();
      long cap = Math.min(MAX_REVERTS, Math.max(1, reducedNodes / 4));
      for (NodeCost cost : costs) {
        if (reverted.size() >= cap || !(cost.sqnrGainDb() >= MIN_GAIN_DB)) {
          break;
        }
        keep.add(cost.node());
        reverted.add(cost);
        attempt = attempt(mode, reducer, keep, samples, fp32HeldOut);
        if (attempt.gate().passed()) {
          break;
        }
      }
      if (!attempt.gate().passed()) {
        throw refused(mode, attempt.gate(), costs, reverted, cap);
      }
    }
    if (mode == QuantizeMode.FP16 && target.profile().hasNvidiaAccelerator()) {
      List<String> problems = CudaFp16Check.problems(attempt.reduced().model());
      if (!problems.isEmpty()) {
        throw new CompileException(
            CompileErrorCode.UNSUPPORTED_MODEL,
            "the fp16 model fails the nvidia packaging check: "
                + String.join("; ", problems)
                + ". Nothing was written.");
      }
    }
    List<String> worst = costs.stream().limit(5).map(NodeCost::describe).toList();
    return new Result(
        mode,
        attempt.payload(),
        attempt.reduced(),
        attempt.gate().withWorstNodes(worst),
        samples,
        attempt.outputs(),
        scheme,
        calibration,
        reverted,
        costs,
        exactInt8);
  }

  private SensitivityPass.Reducer reducer(
      QuantizeMode mode,
      Int8Scheme scheme,
      CalibrationMethod calibration,
      List<Map<String, HostTensor>> calibrate) {
    if (mode == QuantizeMode.INT8) {
      return keep -> Int8Quantizer.quantize(fp32, calibrate, scheme, calibration, keep);
    }
    // fp16 is judged through its CPU simulation: the real fp16 payload needs the GPU.
    return keep -> {
      ReducedModel converted = Fp16Converter.convert(fp32, true, keep);
      return new ReducedModel(
          Fp16Converter.simulate(fp32, keep), converted.nodes(), converted.scheme());
    };
  }

  private Attempt attempt(
      QuantizeMode mode,
      SensitivityPass.Reducer reducer,
      Set<String> keep,
      QuantSamples samples,
      List<Map<String, HostTensor>> fp32HeldOut) {
    ReducedModel judged = reducer.reduce(keep);
    Path payload;
    List<Map<String, HostTensor>> outputs;
    if (mode == QuantizeMode.INT8) {
      Path reducedFile = workDir.resolve("int8-qdq.onnx");
      OnnxModelIO.write(judged.model(), reducedFile);
      // Same format as the fp32 payload: an ALL-level int8 payload is as final as an fp32 one.
      payload = workDir.resolve("model-int8." + (target.ortFormat() ? "ort" : "onnx"));
      try {
        OrtOfflineOptimizer.optimize(
            reducedFile, payload, target.optimizerLevel(), target.ortFormat());
      } catch (OrtFailure e) {
        throw new CompileException(
            CompileErrorCode.OPTIMIZER_FAILED,
            "ONNX Runtime could not load the int8 model: " + e.getMessage(),
            e);
      }
      outputs = runModel(payload, deviceOptimizes, exactInt8, samples.heldOut());
    } else {
      // Run as written: ORT's optimizer could fold the fp16 rounding the simulation inserts.
      Path simulated = workDir.resolve("fp16-simulated.onnx");
      OnnxModelIO.write(judged.model(), simulated);
      outputs = runModel(simulated, false, false, samples.heldOut());
      ReducedModel real = Fp16Converter.convert(fp32, true, keep);
      payload = workDir.resolve("model-fp16.onnx");
      OnnxModelIO.write(real.model(), payload);
      judged = real;
    }
    GateResult gate = new AccuracyGate(request.quantize().thresholds()).judge(fp32HeldOut, outputs);
    return new Attempt(judged, payload, outputs, gate);
  }

  private List<Map<String, HostTensor>> runReference(List<Map<String, HostTensor>> inputs) {
    return runModel(front.referenceModel(), false, false, inputs);
  }

  private static List<Map<String, HostTensor>> runModel(
      Path model, boolean optimized, boolean exactInt8, List<Map<String, HostTensor>> inputs) {
    try (HostModel m = HostModel.load(model, optimized, exactInt8, 1)) {
      return m.runAll(inputs);
    } catch (IllegalStateException e) {
      throw new CompileException(CompileErrorCode.VERIFICATION_FAILED, e.getMessage(), e);
    }
  }

  private static CompileException refused(
      QuantizeMode mode, GateResult gate, List<NodeCost> costs, List<NodeCost> reverted, long cap) {
    String worst =
        costs.isEmpty()
            ? "no node measured"
            : costs.stream().limit(5).map(NodeCost::describe).collect(Collectors.joining("; "));
    return new CompileException(
        CompileErrorCode.VERIFICATION_FAILED,
        "the "
            + mode.flag()
            + " model fails the accuracy gate on "
            + gate.heldOutSamples()
            + " held-out samples: "
            + String.join("; ", gate.failures())
            + ".\nWorst layers (measured on the calibration samples): "
            + worst
            + ".\nKept "
            + reverted.size()
            + " of them in fp32 (cap "
            + cap
            + "; only nodes gaining at least "
            + MIN_GAIN_DB
            + " dB are kept) and the gate still fails. Nothing was written."
            + "\nCheck that --calibration-data looks like the inputs the model sees in service;"
            + " the thresholds are --min-top1, --min-sqnr and --max-rel-error.");
  }

  static boolean hasOp(ModelProto model, String opType) {
    for (NodeProto n : model.getGraph().getNodeList()) {
      if (n.getOpType().equals(opType)) {
        return true;
      }
    }
    return false;
  }
}
