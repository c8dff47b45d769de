package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ir.IrErrorCode;
import dev.kiln.compiler.ir.IrException;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.OpHistogram;
import dev.kiln.compiler.ir.OpsetCheck;
import dev.kiln.compiler.ir.ShapeSpecializer;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.OperatorSetIdProto;
import dev.kiln.compiler.ort.OrtFailure;
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
   * @param generatedSizes sizes generated inputs give dims that stay dynamic in the payload: the
   *     {@code --input-shape} dims when ONNX Runtime rejected the model with them fixed, or the
   *     device profile's declared sizes when the user gave neither sizes nor real inputs; else
   *     empty
   * @param shapeNote what the report says about how verification's input shapes were chosen
   * @param passesModel the model after Kiln's passes, before ONNX Runtime's optimizer: what the
   *     QUANTIZE stage reduces
   */
  record Result(
      Path referenceModel,
      Path passesModel,
      Map<String, long[]> generatedSizes,
      String shapeNote,
      Path payload,
      String payloadFormat,
      Integer opset,
      OpHistogram before,
      OpHistogram afterPasses,
      List<Manifest.PassRecord> passes,
      List<String> warnings) {}

  private OnnxFrontEnd() {}

  /**
   * @param realInputs the user gave real inputs (--calibration-data), so dynamic dims take their
   *     sizes and need no --input-shape
   */
  static Result run(
      Path source,
      Map<String, long[]> shapes,
      boolean realInputs,
      ResolvedTarget target,
      Path workDir,
      StageRunner stages) {
    StageRunner.Running loading = stages.start(CompileStage.LOAD);
    ModelProto model = translate(() -> OnnxModelIO.read(source));
    OpsetCheck.Report check =
        translate(() -> OpsetCheck.requireSupported(model, target.opTarget()));
    OpHistogram before = OpHistogram.of(model);
    Integer opset = defaultOpset(model);
    loading.finish(
        before.nodeCount() + " nodes, " + before.ops().size() + " op types, opset " + opset);

    ModelProto.Builder builder = model.toBuilder();
    Map<String, long[]> generatedSizes = Map.of();
    String shapeNote = "";
    List<String> shapeWarnings = new ArrayList<>();
    Path reference = workDir.resolve("reference.onnx");
    if (shapes.isEmpty()) {
      List<String> dynamic = ShapeSpecializer.dynamicInputs(builder);
      if (!realInputs) {
        // The device's own sizes, where its profile declares them; the payload stays dynamic.
        ProfileInputSizes.Resolved declared = ProfileInputSizes.resolve(builder, target.profile());
        generatedSizes = declared.shapes();
        String batchNote = GeneratedInputShapes.check(builder, declared.shapes().keySet());
        shapeNote =
            declared.note().isEmpty() || batchNote.isEmpty()
                ? declared.note() + batchNote
                : declared.note() + "; " + batchNote;
      }
      stages.skip(
          CompileStage.SPECIALIZE,
          dynamic.isEmpty()
              ? "all input shapes are static"
              : "no --input-shape; dynamic dims stay dynamic in "
                  + dynamic
                  + (shapeNote.isEmpty() ? "" : " (" + shapeNote + " for verification)"));
      OnnxModelIO.write(builder.build(), reference);
    } else {
      StageRunner.Running specializing = stages.start(CompileStage.SPECIALIZE);
      ShapeSpecializer.Result fixed = translate(() -> ShapeSpecializer.apply(builder, shapes));
      // Dims --input-shape left out (another input's, say) get no made-up size either.
      String batchNote = realInputs ? "" : GeneratedInputShapes.check(builder);
      shapeNote = batchNote;
      OnnxModelIO.write(builder.build(), reference);
      String rejection = FixedShapesProbe.rejection(source, reference);
      if (rejection == null) {
        specializing.finish("fixed " + String.join(", ", describe(fixed.inputShapes())));
      } else {
        // ONNX Runtime shape-checks every branch of an If, even one that never runs, so fixing
        // dims can break a model that is fine with them dynamic. Ship it dynamic and verify at
        // the sizes the user asked for.
        builder.clear().mergeFrom(model);
        OnnxModelIO.write(builder.build(), reference);
        generatedSizes = shapes;
        shapeNote =
            "dims kept dynamic: ONNX Runtime rejects the model with them fixed"
                + (batchNote.isEmpty() ? "" : "; " + batchNote);
        shapeWarnings.add(
            "--input-shape "
                + String.join(", ", describe(shapes))
                + ": ONNX Runtime rejects the model with these dims fixed ("
                + rejection
                + ") but loads it with them dynamic, so the artifact keeps them dynamic;"
                + " verification and the benchmark ran at the shapes you gave.");
        specializing.finish(
            "kept dynamic: ONNX Runtime rejects the model with "
                + String.join(", ", describe(shapes))
                + " fixed; verifying at those shapes");
      }
    }

    StageRunner.Running optimizing = stages.start(CompileStage.OPTIMIZE);
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
    } catch (OrtFailure e) {
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
    optimizing.finish(
        before.nodeCount()
            + " -> "
            + afterPasses.nodeCount()
            + " nodes (Kiln passes), then ORT "
            + target.optimizerLevel().name().toLowerCase(java.util.Locale.ROOT));
    List<String> warnings = new ArrayList<>(check.warnings());
    warnings.addAll(shapeWarnings);
    if (target.formatNote() != null) {
      warnings.add(target.formatNote());
    }
    return new Result(
        reference,
        specialized,
        generatedSizes,
        shapeNote,
        payload,
        format,
        opset,
        before,
        afterPasses,
        passes,
        warnings);
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
