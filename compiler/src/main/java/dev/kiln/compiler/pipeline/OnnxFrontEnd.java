package dev.kiln.compiler.pipeline;

import ai.onnxruntime.OrtException;
import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.ir.IrErrorCode;
import dev.kiln.compiler.ir.IrException;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.OpHistogram;
import dev.kiln.compiler.ir.OpsetCheck;
import dev.kiln.compiler.ir.ShapeSpecializer;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.OperatorSetIdProto;
import dev.kiln.compiler.ort.OrtOfflineOptimizer;
import dev.kiln.compiler.passes.PassPipeline;
import dev.kiln.compiler.passes.PassResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stages 1-3 for ONNX sources: parse into Kiln's IR and check it against the target, fix dynamic
 * dims, run Kiln's passes, then ONNX Runtime's offline optimizer. Writes the optimized payload.
 */
final class OnnxFrontEnd {
  /**
   * @param referenceModel the source with only its shapes fixed: what verification compares
   *     against, so {@code --input-shape} is honoured on both sides
   */
  record Result(
      Path referenceModel,
      Path payload,
      String payloadFormat,
      Integer opset,
      OpHistogram before,
      OpHistogram afterPasses,
      List<Manifest.PassRecord> passes,
      List<String> warnings) {}

  private OnnxFrontEnd() {}

  static Result run(
      Path source,
      Map<String, long[]> shapes,
      ResolvedTarget target,
      Path workDir,
      ProgressListener progress) {
    long start = System.currentTimeMillis();
    progress.started(CompileStage.LOAD);
    ModelProto model = translate(() -> OnnxModelIO.read(source));
    OpsetCheck.Report check =
        translate(() -> OpsetCheck.requireSupported(model, target.opTarget()));
    OpHistogram before = OpHistogram.of(model);
    Integer opset = defaultOpset(model);
    progress.finished(
        CompileStage.LOAD,
        before.nodeCount() + " nodes, " + before.ops().size() + " op types, opset " + opset,
        System.currentTimeMillis() - start);

    start = System.currentTimeMillis();
    ModelProto.Builder builder = model.toBuilder();
    if (shapes.isEmpty()) {
      List<String> dynamic = ShapeSpecializer.dynamicInputs(builder);
      progress.skipped(
          CompileStage.SPECIALIZE,
          dynamic.isEmpty()
              ? "all input shapes are static"
              : "no --input-shape; dynamic dims stay dynamic in " + dynamic);
    } else {
      progress.started(CompileStage.SPECIALIZE);
      ShapeSpecializer.Result fixed = translate(() -> ShapeSpecializer.apply(builder, shapes));
      progress.finished(
          CompileStage.SPECIALIZE,
          "fixed " + String.join(", ", describe(fixed.inputShapes())),
          System.currentTimeMillis() - start);
    }

    Path reference = workDir.resolve("reference.onnx");
    OnnxModelIO.write(builder.build(), reference);

    start = System.currentTimeMillis();
    progress.started(CompileStage.OPTIMIZE);
    List<Manifest.PassRecord> passes = new ArrayList<>();
    for (PassResult r : PassPipeline.standard().run(builder)) {
      passes.add(
          new Manifest.PassRecord(
              r.pass(), r.changed(), r.nodesBefore(), r.nodesAfter(), r.detail()));
    }
    ModelProto optimized = builder.build();
    Path specialized = workDir.resolve("kiln-passes.onnx");
    OnnxModelIO.write(optimized, specialized);

    String format = target.ortFormat() ? "ort" : "onnx";
    Path payload = workDir.resolve("model." + format);
    try {
      OrtOfflineOptimizer.optimize(
          specialized, payload, target.optimizerLevel(), target.ortFormat());
    } catch (OrtException e) {
      throw new CompileException(
          CompileErrorCode.OPTIMIZER_FAILED,
          "ONNX Runtime could not load the model after Kiln's passes: "
              + e.getMessage()
              + "\nCheck that the model runs in ONNX Runtime as exported; if it does, please report"
              + " this as a Kiln bug with the model attached.",
          e);
    }
    passes.add(
        new Manifest.PassRecord(
            "onnxruntime-" + target.optimizerLevel().name().toLowerCase(java.util.Locale.ROOT),
            true,
            OpHistogram.of(optimized).nodeCount(),
            -1,
            target.levelReason() + (target.ortFormat() ? "; saved in ORT format" : "")));
    OpHistogram afterPasses = OpHistogram.of(optimized);
    progress.finished(
        CompileStage.OPTIMIZE,
        before.nodeCount()
            + " -> "
            + afterPasses.nodeCount()
            + " nodes (Kiln passes), then ORT "
            + target.optimizerLevel().name().toLowerCase(java.util.Locale.ROOT),
        System.currentTimeMillis() - start);
    List<String> warnings = new ArrayList<>(check.warnings());
    if (target.formatNote() != null) {
      warnings.add(target.formatNote());
    }
    return new Result(reference, payload, format, opset, before, afterPasses, passes, warnings);
  }

  private static Integer defaultOpset(ModelProto model) {
    for (OperatorSetIdProto id : model.getOpsetImportList()) {
      if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
        return (int) id.getVersion();
      }
    }
    return null;
  }

  private static List<String> describe(Map<String, long[]> shapes) {
    List<String> out = new ArrayList<>();
    shapes.forEach(
        (name, dims) -> out.add(name + ":" + dev.kiln.compiler.ir.InputShapes.format(dims)));
    return out;
  }

  /** Maps IR errors to compile errors, keeping the IR's message (it names node, op and fix). */
  static <T> T translate(java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (IrException e) {
      throw new CompileException(codeFor(e.code()), e.getMessage(), e);
    }
  }

  private static CompileErrorCode codeFor(IrErrorCode code) {
    return switch (code) {
      case UNSUPPORTED_OPSET, UNSUPPORTED_DOMAIN, UNSUPPORTED_OP, TOO_LARGE ->
          CompileErrorCode.UNSUPPORTED_MODEL;
      case BAD_INPUT_SHAPE, BAD_SHAPE_SPEC -> CompileErrorCode.BAD_INPUT_SHAPE;
      default -> CompileErrorCode.BAD_INPUT;
    };
  }
}
